"""The scheme document (考评方案文档): JSON-safe dict ⇄ :class:`CampaignScheme`, and its checks.

The document is the product's stored and exchanged form of a year's scheme. Decimals are
written as strings (``"0.5"``, never ``0.5``: a binary float is not one half of anything exact).
Unknown fields are refused, so a typo can't pass silently. Every problem is collected and
raised together in one :class:`SchemeError`, each naming its category and node code or
component key.

Format ``kaoping.scheme/1``::

    {
      "format": "kaoping.scheme/1",
      "categories": [{
        "code": "C1", "name": "第一类", "points": "100",           # points: optional check
        "tree": [                                                   # roots, any depth
          {"code": "1", "name": "履职", "children": [
            {"code": "1.1.1", "name": "年度职能目标", "points": "30",
             "rule": {"method": "proportional", "params": {"target": "20"}}},
            {"code": "1.1.9", "name": "本单位细化目标", "points": "10", "unit_code": "U1",
             "rule": {"method": "manual", "params": {}}}]},
          {"code": "B", "name": "加分", "pool": {"kind": "bonus", "cap": "5"}, "children": [...]},
          {"code": "Z", "name": "作风", "points": "100",
           "pool": {"kind": "deduction", "overflow": true}, "children": [...]}
        ],
        "components": [
          {"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "weight", "weight": "0.5"},
          {"key": "public", "label": "公众评议", "source": "survey:public", "mode": "weight", "weight": "0.5"},
          {"key": "inspections", "label": "察访核验", "source": "inspections", "mode": "deduction", "cap": "5"}
        ],
        "grading": {"kind": "bands", "bands": [{"grade": "优", "min": "90"}, …, {"grade": "差", "min": null}]},
        "veto": {"mode": "ineligible"},
        "tie_break": [], "name_last_place": true, "joint_split": {"lead": "0.8", "co": "0.2"}
      }]
    }

Node fields: ``code``, ``name``, ``points`` (leaves, deduction pools, and nodes holding units'
refined targets must state it; other inner nodes may omit it — it is their children's sum),
``weight``, ``children``, ``rule`` ``{method, params}`` (leaves only), ``pool``
``{kind: deduction|bonus, overflow, cap}``, ``unit_code``.

Grading: ``{"kind": "bands", "bands": [{grade, min}]}``;
``{"kind": "top_n", "n", "top_grade", "default_grade", "fail_below", "fail_grade"}``;
``{"kind": "shares", "tiers": [{grade, share}]}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .decimals import ONE, ZERO
from .explain import Explanation
from .methods import DEDUCTION_METHODS, METHODS
from .params import Problems, Reader, where_category, where_component, where_node
from .types import (
    BandGrading,
    CampaignScheme,
    CategoryScheme,
    Component,
    GradeBand,
    Node,
    Pool,
    Rule,
    SchemeError,
    ShareGrading,
    ShareTier,
    TopNGrading,
    VetoRule,
)

__all__ = ["FORMAT", "scheme_from_dict", "scheme_to_dict", "check_category", "validate_scheme", "CheckedCategory",
           "COMPONENT_SOURCES", "COMPONENT_MODES"]

FORMAT = "kaoping.scheme/1"
COMPONENT_SOURCES = ("indicators", "survey", "democratic", "direct", "inspections", "vetoes", "special_last")
KEYED_SOURCES = ("survey", "democratic", "direct")
DEDUCTION_SOURCES = ("inspections", "vetoes", "special_last")
COMPONENT_MODES = ("weight", "budget", "points", "deduction")
VETO_MODES = ("ineligible", "deduction", "none")
POOL_KINDS = ("deduction", "bonus")


# ==============================================================================================
# Checking a scheme (whether it came from a document or was built in Python)
# ==============================================================================================


@dataclasses.dataclass
class CheckedCategory:
    """What checking a category yields besides its problems: normalised parameters (Decimals
    in place of strings) and each node's effective points."""

    rule_params: dict[str, dict[str, Any]]
    component_params: dict[str, dict[str, Any]]
    points: dict[str, Decimal]


def validate_scheme(scheme: CampaignScheme) -> list[Explanation]:
    """Every problem of a scheme (empty when it is usable)."""
    problems = Problems()
    _check_campaign(scheme, problems)
    return problems.items


def _check_campaign(scheme: CampaignScheme, problems: Problems, tainted: Mapping[str, set[str]] | None = None) -> dict:
    checked = {}
    if not scheme.categories:
        problems.add(Explanation("where.scheme"), "sp.empty", field="categories")
    seen: set[str] = set()
    for category in scheme.categories:
        if category.code in seen:
            problems.add(where_category(category.code), "sp.duplicate_category")
        seen.add(category.code)
        checked[category.code] = check_category(category, problems, tainted=(tainted or {}).get(category.code, set()))
    return checked


def check_category(category: CategoryScheme, problems: Problems, *, tainted: set[str] | None = None) -> CheckedCategory:
    """Check one category, adding every problem to ``problems``.

    ``tainted`` names nodes whose points could not be read from the document; checks that would
    only repeat that problem (a missing leaf's points, a sum that can't add up) are skipped.
    """
    checker = _CategoryChecker(category, problems, tainted or set())
    return checker.run()


class _CategoryChecker:
    def __init__(self, category: CategoryScheme, problems: Problems, tainted: set[str]) -> None:
        self.cat = category
        self.problems = problems
        self.tainted = tainted
        self.codes: set[str] = set()
        self.rule_params: dict[str, dict[str, Any]] = {}
        self.points: dict[str, Decimal] = {}

    def run(self) -> CheckedCategory:
        cat, where = self.cat, where_category(self.cat.code)
        if not cat.code:
            self.problems.add(where, "sp.required", field="code")
        if not cat.name:
            self.problems.add(where, "sp.required", field="name")
        if not cat.tree:
            self.problems.add(where, "sp.empty", field="tree")
        root_sum = ZERO
        sum_ok = True
        for node in cat.tree:
            points, ok = self.node(node, None)
            sum_ok = sum_ok and ok
            if node.pool is None or node.pool.kind != "bonus":
                root_sum += points
        if cat.points is not None and sum_ok and root_sum != cat.points:
            self.problems.add(where, "sp.category_points", points=cat.points, sum=root_sum)
        component_params = self.components()
        self.veto_and_ties()
        self.grading()
        return CheckedCategory(self.rule_params, component_params, self.points)

    # -- the tree ----------------------------------------------------------------------------------
    def node(self, node: Node, pool: Pool | None) -> tuple[Decimal, bool]:
        """Check ``node`` (inside ``pool``, the nearest pool above it); return its effective
        points and whether they are trustworthy for a parent's sum check."""
        where = where_node(self.cat.code, node.code)
        add = self.problems.add
        if not node.code:
            add(where, "sp.required", field="code")
        elif node.code in self.codes:
            add(where, "sp.duplicate_code")
        self.codes.add(node.code)
        if not node.name:
            add(where, "sp.required", field="name")
        ok = node.code not in self.tainted
        if node.points is not None and node.points < 0:
            add(where, "sp.negative", field="points", value=node.points)
        if node.unit_code is not None and (node.children or node.pool is not None):
            add(where, "sp.unit_code_inner")

        if node.pool is not None:
            points = self.pool(node, pool, where)
        elif node.children:
            if node.rule is not None:
                add(where, "sp.inner_rule")
            points, ok = self.inner(node, pool, where, ok)
        else:
            points = self.leaf(node, pool, where, ok)
        self.points[node.code] = points
        return points, ok

    def pool(self, node: Node, outer: Pool | None, where: Explanation) -> Decimal:
        add, pool = self.problems.add, node.pool
        assert pool is not None
        if outer is not None:
            add(where, "sp.pool_nested")
        if node.rule is not None:
            add(where, "sp.inner_rule")
        if pool.kind not in POOL_KINDS:
            add(where, "sp.choice", field="pool.kind", value=repr(pool.kind), choices=" / ".join(POOL_KINDS))
        if not node.children:
            add(where, "sp.pool_no_children")
        points = node.points
        if pool.kind == "bonus":
            if pool.overflow:
                add(where, "sp.pool_overflow_bonus")
            if pool.cap is None:
                add(where, "sp.pool_cap")
            elif pool.cap < 0:
                add(where, "sp.negative", field="pool.cap", value=pool.cap)
            elif points is not None and points != pool.cap:
                add(where, "sp.pool_points_cap", points=points, cap=pool.cap)
            points = pool.cap if pool.cap is not None else (points or ZERO)
        else:
            if points is None and node.code not in self.tainted:
                add(where, "sp.pool_points")
            if pool.cap is not None:
                add(where, "sp.unknown_keys", field="pool", keys="cap")
            points = points or ZERO
        for child in node.children:
            self.node(child, pool)
        return points

    def inner(self, node: Node, pool: Pool | None, where: Explanation, ok: bool) -> tuple[Decimal, bool]:
        shared = ZERO
        per_unit: dict[str, Decimal] = {}
        for child in node.children:
            points, child_ok = self.node(child, pool)
            ok = ok and child_ok
            if child.pool is not None and child.pool.kind == "bonus":
                continue  # a bonus pool adds on top of its parent's points (103 of 100 is possible)
            if child.unit_code is None:
                shared += points
            else:
                per_unit[child.unit_code] = per_unit.get(child.unit_code, ZERO) + points
        if per_unit:
            # Units' refined targets (指标细化): each unit's own leaves plus the shared ones must
            # make up the node's points, so the node's points have to be stated.
            if node.points is None:
                self.problems.add(where, "sp.points_needed_unit")
                return shared, False
            if ok:
                for unit, points in sorted(per_unit.items()):
                    if shared + points != node.points:
                        self.problems.add(where, "sp.points_sum_unit", unit=unit, sum=shared + points, points=node.points)
            return node.points, ok
        if node.points is not None and ok and node.points != shared:
            self.problems.add(where, "sp.points_sum", points=node.points, sum=shared)
        return (node.points if node.points is not None else shared), ok

    def leaf(self, node: Node, pool: Pool | None, where: Explanation, ok: bool) -> Decimal:
        add = self.problems.add
        if node.points is None and ok:
            add(where, "sp.leaf_points")
        points = node.points if node.points is not None else ZERO
        if node.rule is None:
            if f"rule:{node.code}" not in self.tainted:  # an unreadable rule was reported already
                add(where, "sp.leaf_no_rule")
            return points
        method = METHODS.get(node.rule.method)
        if method is None:
            add(where, "sp.unknown_method", method=node.rule.method, known=", ".join(METHODS))
            return points
        if pool is not None and pool.kind == "deduction" and node.rule.method not in DEDUCTION_METHODS:
            add(where, "sp.pool_method", method=node.rule.method)
        reader = Reader(node.rule.params, self.problems, where, "params")
        self.rule_params[node.code] = method.parse(reader, node.points)
        return points

    # -- the formula ---------------------------------------------------------------------------------
    def components(self) -> dict[str, dict[str, Any]]:
        add = self.problems.add
        out: dict[str, dict[str, Any]] = {}
        if not self.cat.components:
            add(where_category(self.cat.code), "sp.empty", field="components")
        keys: set[str] = set()
        for comp in self.cat.components:
            where = where_component(self.cat.code, comp.key)
            if not comp.key:
                add(where, "sp.required", field="key")
            elif comp.key in keys:
                add(where, "sp.duplicate_component")
            keys.add(comp.key)
            if not comp.label:
                add(where, "sp.required", field="label")
            kind, key = comp.source_kind, comp.source_key
            if kind not in COMPONENT_SOURCES or (kind in KEYED_SOURCES) != bool(key):
                add(where, "sp.component_source", source=comp.source)
                continue
            if comp.mode not in COMPONENT_MODES:
                add(where, "sp.choice", field="mode", value=repr(comp.mode), choices=" / ".join(COMPONENT_MODES))
                continue
            if kind in DEDUCTION_SOURCES and comp.mode != "deduction":
                add(where, "sp.component_deduction_only", source=comp.source)
            if kind not in DEDUCTION_SOURCES and comp.mode == "deduction":
                add(where, "sp.component_no_deduction", source=comp.source)
            for name in ("weight", "budget", "cap", "per_item"):
                value = getattr(comp, name)
                if value is not None and value < 0:
                    add(where, "sp.negative", field=name, value=value)
            if comp.mode == "weight" and comp.weight is None:
                add(where, "sp.component_needs", mode="weight", field="weight")
            if comp.mode == "budget" and comp.budget is None:
                add(where, "sp.component_needs", mode="budget", field="budget")
            if kind == "special_last" and comp.per_item is None:
                add(where, "sp.component_per_item", source=comp.source)
            if kind == "vetoes" and comp.per_item is None and self.cat.veto.per_item is None:
                add(where, "sp.component_per_item", source=comp.source)
            if kind == "democratic":
                out[comp.key] = self.democratic_params(comp, where)
            elif comp.params:
                add(where, "sp.params_for_source")
        return out

    def democratic_params(self, comp: Component, where: Explanation) -> dict[str, Any]:
        reader = Reader(comp.params, self.problems, where, "params")
        out: dict[str, Any] = {}
        votes = reader.decimal_map("votes", required=False)
        if votes is not None:
            out["votes"] = votes
        weights = reader.decimal_map("group_weights", required=False, positive=True)
        budgets = reader.decimal_map("group_budgets", required=False)
        if weights is not None and budgets is not None:
            reader._add("sp.both", a="group_weights", b="group_budgets")
        if weights is not None:
            out["group_weights"] = weights
        if budgets is not None:
            out["group_budgets"] = budgets
            if comp.mode != "points":
                reader._add("sp.budgets_mode")
        reader.done(("votes", "group_weights", "group_budgets"))
        return out

    def veto_and_ties(self) -> None:
        add, cat, where = self.problems.add, self.cat, where_category(self.cat.code)
        if cat.veto.mode not in VETO_MODES:
            add(where, "sp.choice", field="veto.mode", value=repr(cat.veto.mode), choices=" / ".join(VETO_MODES))
        has_vetoes = any(c.source == "vetoes" for c in cat.components)
        if cat.veto.mode == "deduction" and not has_vetoes:
            add(where, "sp.veto_component")
        if has_vetoes and cat.veto.mode != "deduction":
            add(where, "sp.vetoes_without_mode")
        if cat.veto.per_item is not None and cat.veto.per_item < 0:
            add(where, "sp.negative", field="veto.per_item", value=cat.veto.per_item)
        keys = {c.key for c in cat.components}
        for key in cat.tie_break:
            if key not in keys:
                add(where, "sp.tie_break", key=key)
        if len(cat.joint_split) != 2 or not all(isinstance(s, Decimal) and ZERO <= s <= ONE for s in cat.joint_split):
            add(where, "sp.joint_split")

    def grading(self) -> None:
        add, grading, where = self.problems.add, self.cat.grading, where_category(self.cat.code)
        if isinstance(grading, BandGrading):
            if len(grading.bands) < 2:
                add(where, "sp.empty", field="grading.bands")
                return
            _unique_grades(add, where, [b.grade for b in grading.bands], "grading.bands")
            mins = [b.min for b in grading.bands]
            if mins[-1] is not None:
                add(where, "sp.bands_last")
            if any(m is None for m in mins[:-1]):
                add(where, "sp.bands_only_last")
            numbers = [m for m in mins if m is not None]
            if any(a <= b for a, b in zip(numbers, numbers[1:], strict=False)):
                add(where, "sp.bands_order")
        elif isinstance(grading, TopNGrading):
            if not isinstance(grading.n, int) or isinstance(grading.n, bool) or grading.n < 1:
                add(where, "sp.not_int", field="grading.n", value=repr(grading.n), minimum=1)
            for name in ("top_grade", "default_grade"):
                if not getattr(grading, name):
                    add(where, "sp.required", field=f"grading.{name}")
            if grading.fail_below is not None and not grading.fail_grade:
                add(where, "sp.fail_grade")
        elif isinstance(grading, ShareGrading):
            if len(grading.tiers) < 2:
                add(where, "sp.empty", field="grading.tiers")
                return
            _unique_grades(add, where, [t.grade for t in grading.tiers], "grading.tiers")
            total = sum((t.share for t in grading.tiers), ZERO)
            if any(t.share < 0 for t in grading.tiers):
                add(where, "sp.negative", field="grading.tiers.share", value=min(t.share for t in grading.tiers))
            if total != ONE:
                add(where, "sp.shares_sum", sum=total)
        elif "·grading" not in self.tainted:
            add(where, "sp.required", field="grading")


def _unique_grades(add, where, grades: Sequence[str], field: str) -> None:
    seen: set[str] = set()
    for grade in grades:
        if not grade:
            add(where, "sp.required", field=f"{field}.grade")
        elif grade in seen:
            add(where, "sp.duplicate", field=field, value=grade)
        seen.add(grade)


# ==============================================================================================
# Document → dataclasses
# ==============================================================================================


def scheme_from_dict(data: Mapping[str, Any]) -> CampaignScheme:
    """Read a scheme document; raise :class:`SchemeError` with every problem found."""
    problems = Problems()
    top = Reader(data, problems, Explanation("where.scheme"))
    fmt = top.raw("format")
    if fmt is not None and fmt != FORMAT:
        top._add("sp.format", expected=FORMAT, value=repr(fmt))
    categories = []
    tainted: dict[str, set[str]] = {}
    for index, reader in enumerate(top.objects("categories"), start=1):
        code = reader.raw("code") if isinstance(reader.raw("code"), str) else f"#{index}"
        reader.where = where_category(code)
        reader.path = ""
        tainted[code] = set()
        categories.append(_category_from(reader, code, problems, tainted[code]))
    top.done(("format", "categories"))
    scheme = CampaignScheme(categories)
    checked = _check_campaign(scheme, problems, tainted)
    if problems:
        raise SchemeError(problems.items)
    # Replace the document's parameter strings by the checked Decimals.
    return CampaignScheme([_normalised(category, checked[category.code]) for category in scheme.categories])


def _category_from(r: Reader, code: str, problems: Problems, tainted: set[str]) -> CategoryScheme:
    tree = [_node_from(n, code, problems, tainted) for n in r.objects("tree")]
    components = [_component_from(c, code) for c in r.objects("components")]
    grading = _grading_from(r)
    if grading is None:
        tainted.add("·grading")  # already reported while reading
    veto_reader = Reader(r.raw("veto", {"mode": "none"}), problems, r.where, "veto")
    veto = VetoRule(mode=veto_reader.text("mode", default="none") or "none",
                    per_item=veto_reader.dec("per_item", required=False, minimum=None))
    veto_reader.done(("mode", "per_item"))
    tie_break = r.raw("tie_break", [])
    if not isinstance(tie_break, list) or not all(isinstance(k, str) for k in tie_break):
        r._add("sp.not_list", field="tie_break", value=repr(tie_break))
        tie_break = []
    split_reader = Reader(r.raw("joint_split", {"lead": "0.8", "co": "0.2"}), problems, r.where, "joint_split")
    split = (split_reader.dec("lead", default=Decimal("0.8"), minimum=None),
             split_reader.dec("co", default=Decimal("0.2"), minimum=None))
    split_reader.done(("lead", "co"))
    category = CategoryScheme(
        code=r.text("code") or code,
        name=r.text("name") or "",
        tree=tree,
        components=components,
        grading=grading,  # type: ignore[arg-type]
        veto=veto,
        tie_break=tie_break,
        name_last_place=r.boolean("name_last_place", True),
        joint_split=split,  # type: ignore[arg-type]
        points=r.dec("points", required=False),
    )
    r.done(("code", "name", "points", "tree", "components", "grading", "veto", "tie_break", "name_last_place",
            "joint_split"))
    return category


_NODE_FIELDS = ("code", "name", "points", "weight", "children", "rule", "pool", "unit_code")


def _node_from(r: Reader, category: str, problems: Problems, tainted: set[str]) -> Node:
    code = r.raw("code")
    code = code if isinstance(code, str) and code else r.path
    r.where = where_node(category, code)
    r.path = ""  # the location names the node; fields are named within it
    before = len(problems)
    points = r.dec("points", required=False, minimum=None)  # sign checked with the tree
    if len(problems) > before:
        tainted.add(code)
    children = [_node_from(c, category, problems, tainted) for c in r.objects("children", required=False, non_empty=False)]
    rule = None
    rule_data = r.mapping("rule", required=False)
    if rule_data is not None:
        rule_reader = Reader(rule_data, problems, r.where, "rule")
        method = rule_reader.text("method")
        params = rule_reader.raw("params", {})
        rule_reader.done(("method", "params"))
        if method is not None:
            rule = Rule(method=method, params=params)
        else:
            tainted.add(f"rule:{code}")
    elif r.raw("rule") is not None:
        tainted.add(f"rule:{code}")
    pool = None
    pool_data = r.mapping("pool", required=False)
    if pool_data is not None:
        pool_reader = Reader(pool_data, problems, r.where, "pool")
        pool = Pool(
            kind=pool_reader.choice("kind", POOL_KINDS) or "deduction",
            overflow=pool_reader.boolean("overflow", False),
            cap=pool_reader.dec("cap", required=False, minimum=None),
        )
        pool_reader.done(("kind", "overflow", "cap"))
    node = Node(
        code=code,
        name=r.text("name") or "",
        points=points,
        weight=r.dec("weight", required=False),
        children=children,
        rule=rule,
        pool=pool,
        unit_code=r.text("unit_code", required=False),
    )
    r.done(_NODE_FIELDS)
    return node


_COMPONENT_FIELDS = ("key", "label", "source", "mode", "weight", "budget", "cap", "per_item", "params")


def _component_from(r: Reader, category: str) -> Component:
    key = r.raw("key") if isinstance(r.raw("key"), str) else r.path
    r.where = where_component(category, key)
    r.path = ""
    component = Component(
        key=r.text("key") or key,
        label=r.text("label") or "",
        source=r.text("source") or "",
        mode=r.text("mode") or "",
        weight=r.dec("weight", required=False, minimum=None),
        budget=r.dec("budget", required=False, minimum=None),
        cap=r.dec("cap", required=False, minimum=None),
        per_item=r.dec("per_item", required=False, minimum=None),
        params=r.mapping("params", required=False) or {},
    )
    r.done(_COMPONENT_FIELDS)
    return component


def _grading_from(r: Reader) -> BandGrading | TopNGrading | ShareGrading | None:
    data = r.mapping("grading")
    if data is None:
        return None
    g = Reader(data, r.problems, r.where, "grading")
    kind = g.choice("kind", ("bands", "top_n", "shares"))
    if kind == "bands":
        bands = []
        for b in g.objects("bands"):
            bands.append(GradeBand(grade=b.text("grade") or "", min=b.dec("min", required=False, minimum=None)))
            b.done(("grade", "min"))
        g.done(("kind", "bands"))
        return BandGrading(bands=bands)
    if kind == "top_n":
        grading = TopNGrading(
            n=g.integer("n") or 1,
            top_grade=g.text("top_grade") or "",
            default_grade=g.text("default_grade") or "",
            fail_below=g.dec("fail_below", required=False, minimum=None),
            fail_grade=g.text("fail_grade", required=False),
        )
        g.done(("kind", "n", "top_grade", "default_grade", "fail_below", "fail_grade"))
        return grading
    if kind == "shares":
        tiers = []
        for t in g.objects("tiers"):
            tiers.append(ShareTier(grade=t.text("grade") or "", share=t.dec("share", minimum=None) or ZERO))
            t.done(("grade", "share"))
        g.done(("kind", "tiers"))
        return ShareGrading(tiers=tiers)
    return None


def _normalised(category: CategoryScheme, checked: CheckedCategory) -> CategoryScheme:
    def node(n: Node) -> Node:
        rule = n.rule
        if rule is not None and n.code in checked.rule_params:
            rule = Rule(method=rule.method, params=checked.rule_params[n.code])
        return dataclasses.replace(n, rule=rule, children=[node(c) for c in n.children])

    components = [
        dataclasses.replace(c, params=checked.component_params[c.key]) if c.key in checked.component_params else c
        for c in category.components
    ]
    return dataclasses.replace(category, tree=[node(n) for n in category.tree], components=components)


# ==============================================================================================
# Dataclasses → document
# ==============================================================================================


def scheme_to_dict(scheme: CampaignScheme) -> dict[str, Any]:
    """The scheme as a JSON-safe document (Decimals as strings); ``scheme_from_dict`` reads it back."""
    return {"format": FORMAT, "categories": [_category_to(c) for c in scheme.categories]}


def _category_to(c: CategoryScheme) -> dict[str, Any]:
    out: dict[str, Any] = {"code": c.code, "name": c.name}
    if c.points is not None:
        out["points"] = str(c.points)
    out["tree"] = [_node_to(n) for n in c.tree]
    out["components"] = [_component_to(k) for k in c.components]
    out["grading"] = _grading_to(c.grading)
    veto: dict[str, Any] = {"mode": c.veto.mode}
    if c.veto.per_item is not None:
        veto["per_item"] = str(c.veto.per_item)
    out["veto"] = veto
    out["tie_break"] = list(c.tie_break)
    out["name_last_place"] = c.name_last_place
    out["joint_split"] = {"lead": str(c.joint_split[0]), "co": str(c.joint_split[1])}
    return out


def _node_to(n: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"code": n.code, "name": n.name}
    if n.points is not None:
        out["points"] = str(n.points)
    if n.weight is not None:
        out["weight"] = str(n.weight)
    if n.unit_code is not None:
        out["unit_code"] = n.unit_code
    if n.pool is not None:
        pool: dict[str, Any] = {"kind": n.pool.kind}
        if n.pool.overflow:
            pool["overflow"] = True
        if n.pool.cap is not None:
            pool["cap"] = str(n.pool.cap)
        out["pool"] = pool
    if n.rule is not None:
        out["rule"] = {"method": n.rule.method, "params": _json(n.rule.params)}
    if n.children:
        out["children"] = [_node_to(c) for c in n.children]
    return out


def _component_to(c: Component) -> dict[str, Any]:
    out: dict[str, Any] = {"key": c.key, "label": c.label, "source": c.source, "mode": c.mode}
    for name in ("weight", "budget", "cap", "per_item"):
        value = getattr(c, name)
        if value is not None:
            out[name] = str(value)
    if c.params:
        out["params"] = _json(c.params)
    return out


def _grading_to(g: Any) -> dict[str, Any]:
    if isinstance(g, BandGrading):
        return {"kind": "bands", "bands": [{"grade": b.grade, "min": None if b.min is None else str(b.min)} for b in g.bands]}
    if isinstance(g, TopNGrading):
        out: dict[str, Any] = {"kind": "top_n", "n": g.n, "top_grade": g.top_grade, "default_grade": g.default_grade}
        if g.fail_below is not None:
            out["fail_below"] = str(g.fail_below)
        if g.fail_grade is not None:
            out["fail_grade"] = g.fail_grade
        return out
    if isinstance(g, ShareGrading):
        return {"kind": "shares", "tiers": [{"grade": t.grade, "share": str(t.share)} for t in g.tiers]}
    raise TypeError(f"unknown grading {g!r}")


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value

