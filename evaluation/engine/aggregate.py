"""From inputs to totals (结果汇总): the tree, its pools, the category formula, then ranks and grades.

Rounding, the one rule that makes a bulletin add up: each leaf is rounded half-up to cents;
an inner node is the plain sum of its children's *rounded* scores (exact, no further rounding
needed); a pool works on those sums; each component is rounded once after weighting; the total
is the sum of the rounded components, less any overflow, rounded.

Speed: a category is compiled once per computation (leaves become scorer closures, parameters
are checked), then each unit is scored into a flat array, children before parents. Node
results with their explanations and ledger lines are built only when read — ``UnitResult.nodes``
is a lazy mapping — by calling the same pure scorers again in explain mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal

from .decimals import HUNDRED, ZERO, engine_context, gc_paused, r2
from .explain import Explanation
from .grading import rank_and_grade
from .methods import LEDGER_INPUTS, METHODS, LeafInfo, Scorer
from .params import Problems
from .scheme_io import check_category
from .sources import democratic_score, survey_score
from .types import (
    CampaignResult,
    CampaignScheme,
    CategoryResult,
    CategoryScheme,
    Component,
    ComponentResult,
    InputError,
    LedgerEntry,
    NodeResult,
    SchemeError,
    UnitInputs,
    UnitResult,
)

__all__ = ["compute_campaign", "compute_units", "score_unit", "rank_units", "CompiledCategory", "compile_category", "NodeResults"]

NO_ENTRIES: tuple = ()
CENT_ZERO = r2(ZERO)
LEAF, SUM, DEDUCTION_POOL, BONUS_POOL = "leaf", "sum", "deduction_pool", "bonus_pool"


class _Absent:
    """Marks a node that does not exist for this unit (another unit's refined target)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


class _CNode:
    """A compiled node: what evaluating it for a unit needs, worked out once."""

    __slots__ = ("index", "code", "name", "parent", "points", "kind", "children", "unit_code", "scorer", "method",
                 "cap", "overflow", "refined_units", "shared_points")

    def __init__(self, index: int, code: str, name: str, parent: str | None, points: Decimal, kind: str) -> None:
        self.index = index
        self.code = code
        self.name = name
        self.parent = parent
        self.points = points
        self.kind = kind
        self.children: list[_CNode] = []
        self.unit_code: str | None = None
        self.scorer: Scorer | None = None
        self.method: str | None = None
        self.cap: Decimal | None = None
        self.overflow = False
        self.refined_units: frozenset[str] | None = None  # units with own leaves here, if any
        self.shared_points = ZERO


class CompiledCategory:
    """A checked category with its tree compiled into scorer closures and flat node lists."""

    def __init__(self, category: CategoryScheme) -> None:
        problems = Problems()
        checked = check_category(category, problems)
        if problems:
            raise SchemeError(problems.items)
        self.category = category
        self.code = category.code
        self.preorder: list[_CNode] = []  # parents before children: the order a score card reads
        self.by_code: dict[str, _CNode] = {}
        self.roots = [self._compile(node, None, checked, in_deduction_pool=False) for node in category.tree]
        # Children before parents: the order scores are computed in. Leaves first (they depend on
        # nothing), then inner nodes; both flattened into tuples so the per-unit loop does no
        # attribute lookups.
        self.postorder = [cn for root in self.roots for cn in _postorder(root)]
        self.leaf_plan = [(cn.index, cn.code, cn.unit_code, cn.scorer) for cn in self.postorder if cn.kind is LEAF]
        self.inner_plan = [(cn, tuple((child.index, child.points) for child in cn.children))
                           for cn in self.postorder if cn.kind is not LEAF]
        self.size = len(self.preorder)
        self.leaves = {cn.code: cn for cn in self.preorder if cn.kind == LEAF}
        self.components = [_compile_component(c, checked.component_params.get(c.key, {}), category)
                           for c in category.components]

    def _compile(self, node, parent: str | None, checked, *, in_deduction_pool: bool) -> _CNode:
        points = checked.points[node.code]
        if node.pool is not None:
            kind = DEDUCTION_POOL if node.pool.kind == "deduction" else BONUS_POOL
        elif node.children:
            kind = SUM
        else:
            kind = LEAF
        cn = _CNode(len(self.preorder), node.code, node.name, parent, points, kind)
        self.preorder.append(cn)
        self.by_code[node.code] = cn
        cn.unit_code = node.unit_code
        if kind == LEAF:
            method = METHODS[node.rule.method]
            info = LeafInfo(self.code, node.code, node.name, points, in_deduction_pool, self.category.joint_split)
            cn.scorer = method.build(info, checked.rule_params[node.code])
            cn.method = method.input
            return cn
        if kind == BONUS_POOL:
            cn.cap = node.pool.cap
        if kind == DEDUCTION_POOL:
            cn.overflow = node.pool.overflow
        inside = in_deduction_pool or kind == DEDUCTION_POOL
        cn.children = [self._compile(child, node.code, checked, in_deduction_pool=inside) for child in node.children]
        refined = {child.unit_code for child in node.children if child.unit_code is not None}
        if refined:
            cn.refined_units = frozenset(refined)
            cn.shared_points = sum((c.points for c in cn.children if c.unit_code is None and c.kind != BONUS_POOL), ZERO)
        return cn


def _postorder(cn: _CNode) -> Iterator[_CNode]:
    for child in cn.children:
        yield from _postorder(child)
    yield cn


def compile_category(category: CategoryScheme) -> CompiledCategory:
    """Check and compile a category (raises :class:`SchemeError`); reuse it for many units."""
    with engine_context():
        return CompiledCategory(category)


# ==============================================================================================
# Public API
# ==============================================================================================


def compute_campaign(scheme: CampaignScheme, inputs: Sequence[UnitInputs]) -> CampaignResult:
    """Score, rank and grade every unit of a campaign.

    Units are grouped by ``category_code``; every category of the scheme gets a result (empty if
    it has no units). Raises :class:`SchemeError` for an unusable scheme and :class:`InputError`
    for a unit of an unknown category or a unit given twice. A unit whose data is missing or
    unusable is not an error: it comes back incomplete, with its reasons and no total.
    """
    with engine_context(), gc_paused():
        by_category: dict[str, list[UnitInputs]] = {c.code: [] for c in scheme.categories}
        _check_unique(inputs)
        unknown = sorted({u.category_code for u in inputs if u.category_code not in by_category})
        if unknown:
            raise InputError(f"units name categories not in the scheme: {', '.join(unknown)}")
        for unit in inputs:
            by_category[unit.category_code].append(unit)
        problems = []
        compiled = []
        for category in scheme.categories:
            try:
                compiled.append(CompiledCategory(category))
            except SchemeError as error:
                problems.extend(error.problems)
        if problems:
            raise SchemeError(problems)
        return CampaignResult([_compute(cc, by_category[cc.code]) for cc in compiled])


def compute_units(category: CategoryScheme | CompiledCategory, inputs: Sequence[UnitInputs]) -> CategoryResult:
    """Score, rank and grade the units of one category.

    Ranks and grades are relative, so ``inputs`` must be the whole category's units.
    """
    with engine_context(), gc_paused():
        cc = category if isinstance(category, CompiledCategory) else CompiledCategory(category)
        _check_unique(inputs)
        strangers = sorted(u.unit_code for u in inputs if u.category_code != cc.code)
        if strangers:
            raise InputError(f"units not in category {cc.code}: {', '.join(strangers)}")
        return _compute(cc, inputs)


def score_unit(category: CategoryScheme | CompiledCategory, unit: UnitInputs) -> UnitResult:
    """One unit's scores and total, without rank or grade (a self-assessment preview, a score card draft)."""
    with engine_context():
        cc = category if isinstance(category, CompiledCategory) else CompiledCategory(category)
        return _score_unit(cc, unit)


def rank_units(category: CategoryScheme, units: Sequence[UnitResult]) -> list[UnitResult]:
    """Rank and grade units already scored (``score_unit``, or rebuilt from stored results):
    what ``compute_units`` does after scoring. ``units`` must be the whole category's units."""
    with engine_context():
        _check_unique(units)
        return rank_and_grade(category, list(units))


def _check_unique(inputs: Sequence[UnitInputs] | Sequence[UnitResult]) -> None:
    seen: set[str] = set()
    twice = set()
    for unit in inputs:
        if unit.unit_code in seen:
            twice.add(unit.unit_code)
        seen.add(unit.unit_code)
    if twice:
        raise InputError(f"units given more than once: {', '.join(sorted(twice))}")


def _compute(cc: CompiledCategory, inputs: Sequence[UnitInputs]) -> CategoryResult:
    units = [_score_unit(cc, unit) for unit in inputs]
    ordered = rank_and_grade(cc.category, units)
    return CategoryResult(cc.code, cc.category.name, ordered)


# ==============================================================================================
# One unit
# ==============================================================================================


class _UnitRun:
    """State while scoring one unit: its scores, issues, and what overflows to its total."""

    __slots__ = ("unit", "code", "by_leaf", "scores", "issues", "overflows")

    def __init__(self, unit: UnitInputs, size: int) -> None:
        self.unit = unit
        self.code = unit.unit_code
        self.by_leaf: dict[str, list[LedgerEntry]] = {}
        self.scores: list = [ABSENT] * size
        self.issues: list[Explanation] = []
        self.overflows: list[tuple[_CNode, Decimal]] = []


def _score_unit(cc: CompiledCategory, unit: UnitInputs) -> UnitResult:
    run = _UnitRun(unit, cc.size)
    if unit.category_code != cc.code:
        run.issues.append(Explanation("bad.unit_category", {"unit": unit.unit_code, "other": unit.category_code,
                                                             "category": cc.code}))
    _sort_ledger(cc, run)
    _score_tree(cc, run)
    scores = run.scores
    total_tree: Decimal | None = ZERO
    for root in cc.roots:
        score = scores[root.index]
        if score is ABSENT:
            continue
        total_tree = None if score is None or total_tree is None else total_tree + score

    components = [compute(run, total_tree) for compute in cc.components]
    overflow = ZERO
    for _node, amount in run.overflows:
        overflow += amount
    complete = not run.issues and all(c.value is not None for c in components)
    vetoed = bool(unit.vetoes)
    eligible = not (vetoed and cc.category.veto.mode == "ineligible") and not unit.pending_sign_offs
    if complete:
        # The total adds the rounded components, so the bulletin's columns sum to its total.
        total = r2(sum([c.value for c in components], ZERO) - overflow)
        explanation = _explain_total(total, components, run.overflows)
    else:
        total = None
        explanation = Explanation("total.incomplete", {"missing": list(run.issues) or [
            Explanation("comp.missing", {"label": c.label}) for c in components if c.value is None]})
    return UnitResult(
        unit_code=unit.unit_code,
        unit_name=unit.unit_name,
        category_code=unit.category_code,
        complete=complete,
        missing=[str(issue) for issue in run.issues],
        missing_explanations=list(run.issues),
        nodes=NodeResults(cc, run),
        components=components,
        total=total,
        overflow=r2(overflow),
        explanation=explanation,
        vetoed=vetoed,
        vetoes=tuple(unit.vetoes),
        eligible_top=eligible,
        previous=tuple(unit.previous),
        pending_sign_offs=tuple(unit.pending_sign_offs),
    )


def _sort_ledger(cc: CompiledCategory, run: _UnitRun) -> None:
    """File the unit's entries under their leaves; an entry that fits nowhere is an issue, never dropped."""
    by_leaf = run.by_leaf
    leaves = cc.leaves
    code = run.code
    for entry in run.unit.ledger:
        leaf = leaves.get(entry.leaf_code)
        if entry.unit_code != code:
            run.issues.append(Explanation("bad.ledger_unit", {"id": entry.id, "other": entry.unit_code}))
        elif leaf is None or (leaf.unit_code is not None and leaf.unit_code != code):
            run.issues.append(Explanation("bad.ledger_leaf", {"id": entry.id, "leaf": entry.leaf_code}))
        elif leaf.method not in LEDGER_INPUTS:
            run.issues.append(Explanation("bad.ledger_method", {"id": entry.id, "leaf": entry.leaf_code}))
        else:
            entries = by_leaf.get(entry.leaf_code)
            if entries is None:
                by_leaf[entry.leaf_code] = [entry]
            else:
                entries.append(entry)


def _score_tree(cc: CompiledCategory, run: _UnitRun) -> None:
    """Every node's score for the unit, children first. ``None`` marks a node that can't be scored
    (an input below it is missing); ``ABSENT`` one that doesn't exist for this unit."""
    unit, code, scores, issues = run.unit, run.code, run.scores, run.issues
    entries_of = run.by_leaf.get
    for index, leaf_code, unit_code, scorer in cc.leaf_plan:
        if unit_code is not None and unit_code != code:
            continue  # another unit's refined target
        score, _explanation, _lines, leaf_issues = scorer(unit, entries_of(leaf_code, NO_ENTRIES), False)
        if leaf_issues:
            issues.extend(leaf_issues)
        scores[index] = score
    for cn, children in cc.inner_plan:
        # Children are already rounded to cents, so their sum is exact: no rounding here.
        subtotal = ZERO
        points_present = ZERO
        complete = True
        for child_index, child_points in children:
            score = scores[child_index]
            if score is ABSENT:
                continue
            if score is None:
                complete = False
                continue
            subtotal += score
            points_present += child_points
        if cn.refined_units is not None and code not in cn.refined_units and cn.shared_points != cn.points:
            issues.append(Explanation("missing.refined", {"code": cn.code, "name": cn.name, "shared": cn.shared_points,
                                                          "points": cn.points}))
            complete = False
        kind = cn.kind
        if not complete:
            scores[cn.index] = None
        elif kind is SUM:
            scores[cn.index] = subtotal if subtotal else CENT_ZERO
        elif kind is BONUS_POOL:
            # “加分不超过3分”: the children's bonuses add up to the cap at most.
            scores[cn.index] = r2(cn.cap if subtotal > cn.cap else subtotal)
        else:
            # A deduction pool starts full and loses what its children lost against their own points.
            raw = r2(cn.points - (points_present - subtotal))
            if raw >= 0:
                scores[cn.index] = raw
            else:
                scores[cn.index] = CENT_ZERO  # “扣完本项分值为止”
                if cn.overflow:
                    # Zhangzhou: “扣分超过100分的,超出的分数在该单位总得分中扣除”.
                    run.overflows.append((cn, -raw))


class NodeResults(Mapping[str, NodeResult]):
    """A unit's node results by code, in tree order (parents first), built when read.

    Behaves as a read-only dict of :class:`NodeResult`. Scores are known from the computation;
    reading a node builds its result with explanation and ledger lines (the leaf's scorer runs
    again in explain mode — it is pure, so the score is the same). Built results are not kept:
    a service saving 300,000 nodes holds each only while it serialises it, so memory stays flat
    and the garbage collector never has to rescan them. ``items()`` and ``values()`` build a
    whole unit in one pass (they return lists).
    """

    __slots__ = ("_cc", "_run", "_overflow")

    def __init__(self, cc: CompiledCategory, run: _UnitRun) -> None:
        self._cc = cc
        self._run = run
        self._overflow = {cn.index: amount for cn, amount in run.overflows}

    def __getitem__(self, code: str) -> NodeResult:
        cn = self._cc.by_code.get(code)
        if cn is None or self._run.scores[cn.index] is ABSENT:
            raise KeyError(code)
        with engine_context():
            return self._build(cn)

    def __iter__(self) -> Iterator[str]:
        scores = self._run.scores
        return (cn.code for cn in self._cc.preorder if scores[cn.index] is not ABSENT)

    def __len__(self) -> int:
        return sum(1 for score in self._run.scores if score is not ABSENT)

    def __repr__(self) -> str:
        return f"NodeResults({self._run.code}, {len(self)} nodes)"

    def items(self) -> list[tuple[str, NodeResult]]:  # type: ignore[override]
        scores = self._run.scores
        with engine_context():
            return [(cn.code, self._build(cn)) for cn in self._cc.preorder if scores[cn.index] is not ABSENT]

    def values(self) -> list[NodeResult]:  # type: ignore[override]
        return [result for _code, result in self.items()]

    def score(self, code: str) -> Decimal | None:
        """A node's score without building its result."""
        cn = self._cc.by_code[code]
        score = self._run.scores[cn.index]
        if score is ABSENT:
            raise KeyError(code)
        return score

    def _build(self, cn: _CNode) -> NodeResult:
        run = self._run
        score = run.scores[cn.index]
        if cn.kind is LEAF:
            _score, explanation, lines, issues = cn.scorer(run.unit, run.by_leaf.get(cn.code, NO_ENTRIES), True)
            if explanation is None and issues:
                explanation = issues[0]  # a leaf that can't be scored says what it is missing
            return NodeResult(cn.code, cn.name, cn.parent, cn.points, score, explanation, True, cn.unit_code, tuple(lines))
        if score is None:
            return NodeResult(cn.code, cn.name, cn.parent, cn.points, None,
                              Explanation("node.incomplete", {"code": cn.code, "name": cn.name}), False, cn.unit_code)
        scores = run.scores
        parts = [(child, scores[child.index]) for child in cn.children if scores[child.index] is not ABSENT]
        overflow = self._overflow.get(cn.index, ZERO)
        return NodeResult(cn.code, cn.name, cn.parent, cn.points, score, _explain_inner(cn, score, parts, overflow), False,
                          cn.unit_code, overflow=overflow)


def _explain_inner(cn: _CNode, score: Decimal, parts: list[tuple[_CNode, Decimal]], overflow: Decimal) -> Explanation:
    base = {"code": cn.code, "name": cn.name, "score": score}
    if cn.kind is SUM:
        if not parts:
            return Explanation("node.empty", base)
        return Explanation("node.sum", {**base, "parts": [s for _c, s in parts]})
    subtotal = sum((s for _c, s in parts), ZERO)
    if cn.kind is BONUS_POOL:
        return Explanation("pool.bonus", {
            **base, "parts": [Explanation("pool.part", {"value": s, "code": c.code}) for c, s in parts] or [CENT_ZERO],
            "cap": Explanation("note.cap", {"cap": cn.cap, "raw": subtotal}) if subtotal > cn.cap else None})
    deducted = r2(sum((c.points - s for c, s in parts), ZERO))
    if deducted <= cn.points:
        return Explanation("pool.deduction", {
            **base, "points": cn.points,
            "deductions": [Explanation("pool.part", {"value": r2(c.points - s), "code": c.code}) for c, s in parts]
            or [CENT_ZERO]})
    if cn.overflow:
        return Explanation("pool.deduction_overflow", {**base, "points": cn.points, "raw": deducted, "overflow": overflow})
    return Explanation("pool.deduction_floor", {**base, "points": cn.points, "raw": deducted})


# ==============================================================================================
# Components (the category formula)
# ==============================================================================================

ComponentFn = Callable[[_UnitRun, "Decimal | None"], ComponentResult]


def _later(build: Callable[[], Explanation]) -> Explanation:
    """An explanation built on first read, in the engine's decimal context."""

    def run() -> Explanation:
        with engine_context():
            return build()

    return Explanation.deferred(run)


def _compile_component(comp: Component, params: Mapping, category: CategoryScheme) -> ComponentFn:
    kind, key, mode, label = comp.source_kind, comp.source_key, comp.mode, comp.label
    where = label
    missing_explanation = Explanation("comp.missing", {"label": label})

    def value_of(raw: Decimal) -> Decimal:
        if mode == "weight":
            return r2(raw * comp.weight)
        if mode == "budget":
            return r2(raw * comp.budget / HUNDRED)
        return r2(raw)

    def explain(raw: Decimal, value: Decimal, detail: Callable[[], Explanation | None] | None) -> Explanation:
        if mode == "weight":
            head = Explanation("comp.weight", {"label": label, "value": value, "raw": raw, "weight": comp.weight})
        elif mode == "budget":
            head = Explanation("comp.budget", {"label": label, "value": value, "raw": raw, "budget": comp.budget})
        else:
            head = Explanation("comp.points", {"label": label, "value": value})
        more = detail() if detail is not None else None
        return Explanation("comp.detail", {"head": head, "detail": more}) if more is not None else head

    def finish(raw: Decimal | None, detail: Callable[[], Explanation | None] | None) -> ComponentResult:
        if raw is None:
            return ComponentResult(comp.key, label, comp.source, mode, None, None, missing_explanation)
        value = value_of(raw)
        return ComponentResult(comp.key, label, comp.source, mode, raw, value, _later(lambda: explain(raw, value, detail)))

    if kind == "indicators":
        def indicators(run: _UnitRun, tree_total: Decimal | None) -> ComponentResult:
            return finish(tree_total, None)

        return indicators

    if kind == "survey":
        def survey(run: _UnitRun, tree_total: Decimal | None) -> ComponentResult:
            tally = run.unit.surveys.get(key)
            raw, _none, problem = survey_score(tally, source=key, label=label, where=where, explain=False)
            if problem is not None:
                run.issues.append(problem)
            return finish(raw, lambda: survey_score(tally, source=key, label=label, where=where)[1])

        return survey

    if kind == "democratic":
        def democratic(run: _UnitRun, tree_total: Decimal | None) -> ComponentResult:
            tally = run.unit.democratic.get(key)
            raw, _none, problems = democratic_score(tally, source=key, label=label, where=where, params=params,
                                                    explain=False)
            run.issues.extend(problems)
            return finish(raw, lambda: democratic_score(tally, source=key, label=label, where=where, params=params)[1])

        return democratic

    if kind == "direct":
        def direct(run: _UnitRun, tree_total: Decimal | None) -> ComponentResult:
            value = run.unit.direct.get(key)
            if value is None:
                run.issues.append(Explanation("missing.direct", {"where": where, "source": key}))
                return finish(None, None)
            return finish(r2(Decimal(value)), None)

        return direct

    # Deductions: inspections (察访核验), vetoes (一票否决), special evaluations' last five.
    per_item = comp.per_item if comp.per_item is not None else category.veto.per_item
    cap = comp.cap
    none_explanation = Explanation("comp.deduction_none", {"label": label})

    def explain_deduction(unit: UnitInputs, raw: Decimal, taken: Decimal) -> Explanation:
        if kind == "inspections":
            items = [Explanation("term.inspection", {"points": i.points, "label": i.label, "id": i.id})
                     for i in sorted(unit.inspections, key=lambda i: str(i.id))]
        elif kind == "vetoes":
            items = [Explanation("term.veto", {"per_item": per_item, "authority": v.authority}) for v in unit.vetoes]
        else:
            count = unit.special_last_count
            items = [Explanation("term.special_last", {"count": count, "per_item": per_item})]
        return Explanation("comp.deduction", {
            "label": label, "taken": taken, "items": items,
            "cap": Explanation("note.cap_deduction", {"cap": cap}) if cap is not None and raw > cap else None})

    def deduction(run: _UnitRun, tree_total: Decimal | None) -> ComponentResult:
        unit = run.unit
        if kind == "inspections":
            raw = ZERO
            for inspection in unit.inspections:
                raw += inspection.points
        elif kind == "vetoes":
            raw = per_item * len(unit.vetoes)
        else:
            raw = per_item * unit.special_last_count
        raw = r2(raw)
        if not raw:
            return ComponentResult(comp.key, label, comp.source, mode, raw, CENT_ZERO, none_explanation)
        # “察访核验扣分(最高扣5分)”: the cap limits what comes off, the raw sum stays on record.
        taken = raw if cap is None or raw <= cap else r2(cap)
        return ComponentResult(comp.key, label, comp.source, mode, raw, -taken,
                               _later(lambda: explain_deduction(unit, raw, taken)))

    return deduction


def _explain_total(total: Decimal, components: Sequence[ComponentResult], overflows) -> Explanation:
    def params() -> dict:
        terms = []
        for c in components:
            if c.mode == "deduction":
                if c.value == 0:
                    continue
                terms.append(Explanation("total.minus", {"value": -c.value, "label": c.label}))
            elif not terms:
                terms.append(Explanation("total.first", {"value": c.value, "label": c.label}))
            elif c.value < 0:
                terms.append(Explanation("total.minus", {"value": -c.value, "label": c.label}))
            else:
                terms.append(Explanation("total.plus", {"value": c.value, "label": c.label}))
        for node, amount in overflows:
            terms.append(Explanation("total.overflow", {"value": amount, "code": node.code, "name": node.name}))
        return {"total": total, "terms": terms}

    return Explanation("total", params)
