"""Editing a category's indicator tree (指标体系) and rules node by node, in the browser.

Each write checks what it touches before saving anything (a leaf's parameters with the engine's
own method parser, codes, parents, pools); the whole scheme's problems are shown next to the
tree by :func:`indicators.selectors.editor.category_problems`. Every write is atomic and bumps
the node's ``version``, so two people editing the same node can't overwrite each other silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.db.models.deletion import ProtectedError

from evaluation.engine.methods import DEDUCTION_METHODS, METHODS
from evaluation.engine.params import Problems, Reader, where_node
from evaluation.models import Campaign, CampaignUnit, Category, Department, Phase, Unit
from evaluation.services.audit import audit_record, audit_snapshot
from indicators.models import CategoryRules, IndicatorNode

__all__ = [
    "SchemeEditError",
    "NodeData",
    "node_create",
    "node_update",
    "node_move",
    "node_delete",
    "rule_problems",
    "category_create",
    "category_rules_update",
    "enrolment_set",
    "unit_create",
]


class SchemeEditError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def _editable(campaign: Campaign) -> None:
    if campaign.phase != Phase.CONFIGURE:
        raise SchemeEditError(["考评方案已离开“方案配置”阶段,方案不能再修改"])


@dataclass
class NodeData:
    """What the node editor submits. ``kind``: ``group`` (has children), ``leaf``,
    ``deduction`` or ``bonus`` (a pool)."""

    code: str
    name: str
    kind: str
    points: Decimal | None = None
    weight: Decimal | None = None
    description: str = ""
    evidence_requirements: str = ""
    method: str = ""
    params: Mapping[str, Any] | None = None
    pool_overflow: bool = False
    pool_cap: Decimal | None = None
    unit: Unit | None = None
    provider: Department | None = None
    open_for_targets: bool = False
    parent: IndicatorNode | None = None


def rule_problems(*, category: Category, code: str, method: str, params: Mapping[str, Any],
                  points: Decimal | None) -> list[str]:
    """The engine's own reading of a leaf's parameters: every problem, naming the node."""
    spec = METHODS.get(method)
    where = where_node(category.code, code or "?")
    if spec is None:
        return [f"类别 {category.code} 指标 {code}:未知的计分方法“{method}”"]
    problems = Problems()
    spec.parse(Reader(params, problems, where, "params"), points)
    return [str(p) for p in problems.items]


def _check(category: Category, data: NodeData, node: IndicatorNode | None) -> list[str]:
    where = f"类别 {category.code} 指标 {data.code or '?'}"
    problems: list[str] = []
    if not data.code.strip():
        problems.append(f"{where}:缺少编号")
    if not data.name.strip():
        problems.append(f"{where}:缺少名称")
    clash = IndicatorNode.objects.filter(category=category, code=data.code.strip())
    if node is not None:
        clash = clash.exclude(pk=node.pk)
    if clash.exists():
        problems.append(f"{where}:编号 {data.code} 在本类别中已被使用")
    for name in ("points", "weight", "pool_cap"):
        value = getattr(data, name)
        if value is not None and value < 0:
            problems.append(f"{where}:{ {'points': '分值', 'weight': '权重', 'pool_cap': '加分上限'}[name] }不能为负数")
    parent = data.parent
    if parent is not None:
        if parent.category_id != category.pk:
            problems.append(f"{where}:上级指标不在本类别")
        if parent.method:
            problems.append(f"{where}:上级指标 {parent.code} 是末级指标(有计分方法),不能再有下级")
        if node is not None:
            ancestor: IndicatorNode | None = parent
            seen = set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == node.pk:
                    problems.append(f"{where}:不能移到自己的下级之下")
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
    has_children = node is not None and IndicatorNode.objects.filter(parent=node).exists()
    if data.kind == "leaf":
        if has_children:
            problems.append(f"{where}:有下级指标的节点不能设计分方法,请先删除或移走下级")
        if data.points is None:
            problems.append(f"{where}:末级指标须设分值")
        problems.extend(rule_problems(category=category, code=data.code, method=data.method,
                                      params=data.params or {}, points=data.points))
        pool = _pool_above(parent)
        if pool == "deduction" and data.method not in DEDUCTION_METHODS:
            problems.append(f"{where}:扣分池中的指标只能用扣分类计分方法")
    elif data.kind in ("deduction", "bonus"):
        if _pool_above(parent):
            problems.append(f"{where}:分值池内不能再设分值池")
        if data.kind == "bonus" and data.pool_cap is None:
            problems.append(f"{where}:加分池须设加分上限")
        if data.kind == "deduction" and data.points is None:
            problems.append(f"{where}:扣分池须写明分值")
    elif data.kind != "group":
        problems.append(f"{where}:未知的节点类型“{data.kind}”")
    if data.unit is not None and data.kind != "leaf":
        problems.append(f"{where}:只有末级指标可以属于单个单位")
    return problems


_NODE_AUDIT_FIELDS = ["code", "name", "points", "weight", "description", "evidence_requirements", "method", "params",
                      "pool_kind", "pool_overflow", "pool_cap", "unit", "provider", "open_for_targets"]
_RULES_AUDIT_FIELDS = ["components", "grading", "veto", "tie_break", "name_last_place", "joint_split", "points",
                       "survey_options"]


def _node_state(node: IndicatorNode) -> dict:
    return {**audit_snapshot(node, fields=_NODE_AUDIT_FIELDS),
            "parent": node.parent.code if node.parent_id else None, "order": node.order}


def _node_audit(*, node: IndicatorNode, actor, action: str, before=None, after=None) -> None:
    audit_record(tenant=node.tenant_id, actor=actor, action=action, obj=node, campaign=node.category.campaign_id,
                 before=before, after=after, label=f"{node.category.code} · {node.code} {node.name}")


def _conflict_message(node: IndicatorNode) -> str:
    """Who changed the node since the editor loaded it, and when (from the audit trail)."""
    from django.utils import timezone

    from evaluation.selectors.audit import actor_label, last_change_of

    change = last_change_of(node)
    if change is None:
        return f"指标 {node.code} 已被他人修改,请刷新后重试"
    when = timezone.localtime(change.at).strftime("%m-%d %H:%M")
    return f"指标 {node.code} 已被 {actor_label(change)} 于 {when} 修改,请刷新后重试"


def _pool_above(node: IndicatorNode | None) -> str:
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pool_kind:
            return node.pool_kind
        seen.add(node.pk)
        node = node.parent
    return ""


def _apply(node: IndicatorNode, data: NodeData) -> list[str]:
    node.code = data.code.strip()
    node.name = data.name.strip()
    node.points = data.points
    node.weight = data.weight
    node.description = data.description
    node.evidence_requirements = data.evidence_requirements
    node.unit = data.unit
    node.provider = data.provider
    node.open_for_targets = data.open_for_targets
    node.parent = data.parent
    if data.kind == "leaf":
        node.method, node.params = data.method, dict(data.params or {})
        node.pool_kind, node.pool_overflow, node.pool_cap = "", False, None
    else:
        node.method, node.params = "", {}
        node.pool_kind = data.kind if data.kind in ("deduction", "bonus") else ""
        node.pool_overflow = data.kind == "deduction" and data.pool_overflow
        node.pool_cap = data.pool_cap if data.kind == "bonus" else None
        if data.kind == "bonus" and data.pool_cap is not None:
            node.points = data.pool_cap  # a bonus pool's points are its cap
    return ["code", "name", "points", "weight", "description", "evidence_requirements", "unit", "provider",
            "open_for_targets", "parent", "method", "params", "pool_kind", "pool_overflow", "pool_cap"]


@transaction.atomic
def node_create(*, category: Category, data: NodeData, actor) -> IndicatorNode:
    _editable(category.campaign)
    problems = _check(category, data, None)
    if problems:
        raise SchemeEditError(problems)
    last = IndicatorNode.objects.filter(category=category, parent=data.parent).aggregate(m=Max("order"))["m"]
    node = IndicatorNode(tenant_id=category.tenant_id, category=category, order=(last or 0) + 1)
    _apply(node, data)
    node.save()
    _node_audit(node=node, actor=actor, action="scheme.node_create", after=_node_state(node))
    return node


@transaction.atomic
def node_update(*, node: IndicatorNode, data: NodeData, version: int, actor) -> IndicatorNode:
    category = node.category
    _editable(category.campaign)
    problems = _check(category, data, node)
    if problems:
        raise SchemeEditError(problems)
    locked = IndicatorNode.objects.select_for_update().get(pk=node.pk)
    if locked.version != version:
        raise SchemeEditError([_conflict_message(locked)])
    before = _node_state(locked)
    if data.parent != locked.parent:
        last = IndicatorNode.objects.filter(category=category, parent=data.parent).aggregate(m=Max("order"))["m"]
        locked.order = (last or 0) + 1
    fields = _apply(locked, data)
    locked.version = locked.version + 1
    locked.save(update_fields=[*fields, "order", "version"])
    after = _node_state(locked)
    if after != before:
        _node_audit(node=locked, actor=actor, action="scheme.node_update", before=before, after=after)
    return locked


@transaction.atomic
def node_move(*, node: IndicatorNode, direction: str, actor) -> None:
    """Swap a node with its previous (``up``) or next (``down``) sibling."""
    _editable(node.category.campaign)
    siblings = list(
        IndicatorNode.objects.select_for_update()
        .filter(category_id=node.category_id, parent_id=node.parent_id)
        .order_by("order", "code")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == node.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    before = {"order": [s.code for s in siblings]}
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            IndicatorNode.objects.filter(pk=sibling.pk).update(order=order, version=F("version") + 1)
    _node_audit(node=node, actor=actor, action="scheme.node_move", before=before,
                after={"order": [s.code for s in siblings]})


@transaction.atomic
def node_delete(*, node: IndicatorNode, actor) -> int:
    """Delete a node and its subtree; returns how many nodes went. Refused when the year's data
    (ledger entries, scores, targets) already refers to them."""
    _editable(node.category.campaign)
    ids = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(IndicatorNode.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    subtree = IndicatorNode.objects.filter(pk__in=ids).select_related("parent").order_by("code")
    before = {row.code: _node_state(row) for row in subtree}
    try:
        IndicatorNode.objects.filter(pk__in=ids).delete()
    except ProtectedError as error:
        raise SchemeEditError([f"指标 {node.code} 或其下级已被台帐或单位细化目标引用,不能删除"]) from error
    _node_audit(node=node, actor=actor, action="scheme.node_delete", before=before)
    return len(ids)


def _rules_problems_only(problems: list) -> list[str]:
    out = []
    for problem in problems:
        where = problem.params.get("where") if hasattr(problem, "params") else None
        if where is not None and getattr(where, "template", "") == "where.node":
            continue  # the tree's own problems are shown by the tree editor
        text = str(problem)
        if "tree" in text and "不能为空" in text:
            continue
        out.append(text)
    return out


@transaction.atomic
def category_rules_update(*, category: Category, rules: Mapping[str, Any], actor) -> CategoryRules:
    """Save a category's formula, grading, vetoes, tie-break, last place, joint split, total and
    survey options — after the engine has read them with the category's current tree."""
    from evaluation.engine import SchemeError, scheme_from_dict
    from indicators.selectors.scheme import category_dict, node_rows
    from indicators.services.scheme import _survey_option_problems

    _editable(category.campaign)
    nodes = node_rows([category]).get(category.pk, [])
    entry = category_dict(category, nodes, None)
    entry.update({k: v for k, v in rules.items() if k != "survey_options"})
    if entry.get("points") in (None, ""):
        entry.pop("points", None)
    problems = _survey_option_problems(rules.get("survey_options"), f"类别 {category.code}")
    try:
        scheme_from_dict({"categories": [entry]})
    except SchemeError as error:
        problems.extend(_rules_problems_only(error.problems))
    if problems:
        raise SchemeEditError(problems)
    row, created = CategoryRules.objects.select_for_update().get_or_create(
        category=category, defaults={"tenant_id": category.tenant_id}
    )
    before = None if created else audit_snapshot(row, fields=_RULES_AUDIT_FIELDS)
    from evaluation.engine.params import to_decimal

    row.components = list(rules.get("components") or [])
    row.grading = dict(rules.get("grading") or {})
    row.veto = dict(rules.get("veto") or {"mode": "none"})
    row.tie_break = list(rules.get("tie_break") or [])
    row.name_last_place = bool(rules.get("name_last_place", True))
    row.joint_split = dict(rules.get("joint_split") or {})
    row.points = to_decimal(rules["points"]) if rules.get("points") not in (None, "") else None
    row.survey_options = list(rules.get("survey_options") or [])
    row.version = row.version + 1
    row.save(update_fields=["components", "grading", "veto", "tie_break", "name_last_place", "joint_split",
                            "points", "survey_options", "version"])
    after = audit_snapshot(row, fields=_RULES_AUDIT_FIELDS)
    if after != before:
        audit_record(tenant=category.tenant_id, actor=actor, action="scheme.rules_update", obj=row,
                     campaign=category.campaign_id, before=before, after=after,
                     label=f"{category.code} {category.name}")
    return row


@transaction.atomic
def category_create(*, campaign: Campaign, code: str, name: str, actor) -> Category:
    _editable(campaign)
    code, name = code.strip(), name.strip()
    problems = []
    if not code or not name:
        problems.append("类别须有代码和名称")
    if Category.objects.filter(campaign=campaign, code=code).exists():
        problems.append(f"类别代码 {code} 已被使用")
    if problems:
        raise SchemeEditError(problems)
    last = Category.objects.filter(campaign=campaign).aggregate(m=Max("order"))["m"]
    category = Category.objects.create(
        tenant_id=campaign.tenant_id, campaign=campaign, code=code, name=name, order=(last or 0) + 1
    )
    CategoryRules.objects.create(tenant_id=campaign.tenant_id, category=category, veto={"mode": "none"})
    audit_record(tenant=campaign.tenant_id, actor=actor, action="scheme.category_create", obj=category,
                 after={"code": category.code, "name": category.name, "order": category.order},
                 label=f"{category.code} {category.name}")
    return category


@transaction.atomic
def enrolment_set(*, campaign: Campaign, unit: Unit, category: Category | None, survey_only: bool, actor) -> None:
    """Put a unit in a category, make it survey-only, or (neither) take it out of the campaign."""
    _editable(campaign)
    if category is not None and category.campaign_id != campaign.pk:
        raise SchemeEditError(["类别不属于本考评方案"])
    current = (CampaignUnit.objects.select_for_update(of=("self",)).select_related("category")
               .filter(campaign=campaign, unit=unit).first())
    before = _enrolment_state(current)
    if category is None and not survey_only:
        if current is not None:
            current.delete()
        _enrolment_audit(campaign=campaign, unit=unit, actor=actor, before=before, after=None)
        return
    if current is None:
        current = CampaignUnit.objects.create(tenant_id=campaign.tenant_id, campaign=campaign, unit=unit,
                                              category=category, survey_only=category is None)
    else:
        current.category = category
        current.survey_only = category is None
        current.save(update_fields=["category", "survey_only"])
    _enrolment_audit(campaign=campaign, unit=unit, actor=actor, before=before, after=_enrolment_state(current))


def _enrolment_state(enrolment: CampaignUnit | None) -> dict | None:
    if enrolment is None:
        return None
    return {"category": enrolment.category.code if enrolment.category_id else None,
            "survey_only": enrolment.survey_only}


def _enrolment_audit(*, campaign: Campaign, unit: Unit, actor, before, after) -> None:
    if before != after:
        audit_record(tenant=campaign.tenant_id, actor=actor, action="scheme.enrolment_set", obj=unit,
                     campaign=campaign, before=before, after=after, label=f"{unit.code} {unit.name}")


@transaction.atomic
def unit_create(*, tenant, code: str, name: str, kind: str, actor) -> Unit:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise SchemeEditError(["单位须有代码和名称"])
    if Unit.objects.filter(tenant=tenant, code=code).exists():
        raise SchemeEditError([f"单位代码 {code} 已被使用"])
    return Unit.objects.create(tenant=tenant, code=code, name=name, kind=kind.strip())
