"""What the scheme editor shows: the tree as rows with running totals and warnings, the
scheme's problems as the engine sees them, the campaign's categories and units."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.engine import SchemeError, scheme_from_dict
from evaluation.models import Campaign, CampaignUnit, Category, Membership, Unit
from evaluation.roles import Role
from indicators.models import CategoryRules, IndicatorNode
from indicators.selectors.scheme import category_dict, dec_text, engine_document_for, node_rows
from indicators.services.describe import describe_category, describe_pool, describe_rule

ZERO = Decimal(0)

__all__ = ["TreeRow", "tree_rows", "category_problems", "campaign_problems", "enrolment_rows", "category_summaries"]


@dataclass
class TreeRow:
    node: IndicatorNode
    depth: int
    kind: str  # leaf | group | deduction | bonus
    rule_text: str = ""
    children_sum: Decimal | None = None
    mismatch: str = ""
    is_first: bool = False
    is_last: bool = False
    unit_sums: dict[str, Decimal] = field(default_factory=dict)


def _kind(node: IndicatorNode) -> str:
    if node.method:
        return "leaf"
    if node.pool_kind:
        return node.pool_kind
    return "group"


def tree_rows(category: Category) -> list[TreeRow]:
    """The category's nodes in tree order, with each inner node's running total and a warning
    where its children don't add up to it (pools excepted: their points are their own)."""
    nodes = node_rows([category]).get(category.pk, [])
    children: dict[int | None, list[IndicatorNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    rows: list[TreeRow] = []

    def effective(node: IndicatorNode) -> Decimal:
        if node.pool_kind == "bonus":
            return node.pool_cap or ZERO
        if node.points is not None:
            return node.points
        return sum((effective(c) for c in children.get(node.pk, []) if c.pool_kind != "bonus" and c.unit_id is None),
                   ZERO)

    def visit(node: IndicatorNode, depth: int, first: bool, last: bool) -> None:
        kind = _kind(node)
        row = TreeRow(node=node, depth=depth, kind=kind, is_first=first, is_last=last)
        if kind == "leaf":
            row.rule_text = describe_rule(node.method, node.params, node.points)
        else:
            kids = children.get(node.pk, [])
            shared = sum((effective(c) for c in kids if c.pool_kind != "bonus" and c.unit_id is None), ZERO)
            row.children_sum = shared
            for kid in kids:
                if kid.unit_id is not None:
                    row.unit_sums[kid.unit.code] = row.unit_sums.get(kid.unit.code, shared) + (kid.points or ZERO)
            if kind in ("deduction", "bonus"):
                row.rule_text = describe_pool(kind, overflow=node.pool_overflow, cap=node.pool_cap, points=node.points)
            elif not kids:
                row.mismatch = "没有下级指标,也没有计分方法"
            elif node.points is not None and row.unit_sums:
                wrong = [f"{u} {dec_text(s)}" for u, s in sorted(row.unit_sums.items()) if s != node.points]
                if wrong:
                    row.mismatch = f"单位细化指标合计与本项分值 {dec_text(node.points)} 不符:{'、'.join(wrong)}"
            elif node.points is not None and shared != node.points:
                row.mismatch = f"下级合计 {dec_text(shared)},与本项分值 {dec_text(node.points)} 不符"
        rows.append(row)
        kids = children.get(node.pk, [])
        for index, kid in enumerate(kids):
            visit(kid, depth + 1, index == 0, index == len(kids) - 1)

    roots = children.get(None, [])
    for index, root in enumerate(roots):
        visit(root, 0, index == 0, index == len(roots) - 1)
    return rows


def tree_total(rows: list[TreeRow]) -> Decimal:
    return sum(
        ((r.node.points if r.node.points is not None else (r.children_sum or ZERO))
         for r in rows if r.depth == 0 and r.kind != "bonus"),
        ZERO,
    )


def category_problems(category: Category) -> list[str]:
    """Every problem the engine finds in this category (empty when it can compute)."""
    rules = CategoryRules.objects.filter(category=category).first()
    entry = category_dict(category, node_rows([category]).get(category.pk, []), rules)
    try:
        scheme_from_dict({"categories": [entry]})
    except SchemeError as error:
        return error.messages
    return []


def campaign_problems(campaign: Campaign) -> list[str]:
    try:
        scheme_from_dict(engine_document_for(campaign))
    except SchemeError as error:
        return error.messages
    return []


def category_summaries(campaign: Campaign) -> list[dict]:
    """Each category with its unit count, rule sentences and problems, for the campaign page."""
    document = engine_document_for(campaign)
    categories = {c.code: c for c in Category.objects.filter(campaign=campaign)}
    counts: dict[int, int] = defaultdict(int)
    for category_id in CampaignUnit.objects.filter(campaign=campaign).values_list("category_id", flat=True):
        if category_id is not None:
            counts[category_id] += 1
    out = []
    for entry in document["categories"]:
        category = categories[entry["code"]]
        try:
            scheme_from_dict({"categories": [entry]})
            problems: list[str] = []
        except SchemeError as error:
            problems = error.messages
        out.append({"category": category, "units": counts[category.pk], "sentences": describe_category(entry),
                    "problems": problems})
    return out


def enrolment_rows(campaign: Campaign) -> list[dict]:
    """Every unit of the tenant with its place in this campaign and its liaisons."""
    enrolments = {
        e.unit_id: e for e in CampaignUnit.objects.filter(campaign=campaign).select_related("category")
    }
    liaisons: dict[int, list[str]] = defaultdict(list)
    for membership in Membership.objects.filter(
        tenant_id=campaign.tenant_id, role=Role.LIAISON, is_active=True
    ).select_related("user"):
        liaisons[membership.unit_id].append(membership.user.get_full_name() or membership.user.username)
    rows = []
    for unit in Unit.objects.filter(tenant_id=campaign.tenant_id).order_by("code"):
        enrolment = enrolments.get(unit.pk)
        rows.append({
            "unit": unit,
            "enrolment": enrolment,
            "value": ("survey" if enrolment and enrolment.survey_only else str(enrolment.category_id))
            if enrolment else "",
            "liaisons": liaisons.get(unit.pk, []),
        })
    return rows
