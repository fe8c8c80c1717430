"""The engine's plain data (考评计分引擎的数据结构): scheme in, unit inputs in, results out.

Nothing here knows about Django. Services read database rows into the frozen scheme and input
dataclasses, call :func:`evaluation.engine.compute_campaign`, and save the result dataclasses.

All scores are :class:`decimal.Decimal`; results are quantized to cents (0.01, half-up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Union

from .explain import Explanation

__all__ = [
    # scheme
    "Rule", "Pool", "Node", "Component", "VetoRule", "GradeBand", "BandGrading", "TopNGrading",
    "ShareTier", "ShareGrading", "Grading", "CategoryScheme", "CampaignScheme",
    # inputs
    "TierPick", "LedgerEntry", "SurveyTally", "GroupTally", "DemocraticTally", "InspectionDeduction",
    "Veto", "PreviousYear", "UnitInputs",
    # results
    "LedgerLine", "NodeResult", "ComponentResult", "UnitResult", "CategoryResult", "CampaignResult",
    # errors
    "SchemeError", "InputError",
]

ZERO = Decimal(0)


def _tuple(obj: Any, name: str) -> None:
    """Frozen dataclasses take lists for convenience but keep tuples, so a scheme can't drift."""
    value = getattr(obj, name)
    if not isinstance(value, tuple):
        object.__setattr__(obj, name, tuple(value))


# --------------------------------------------------------------------------------------------
# The scheme (考评方案)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A leaf's scoring method (计分方法) and its parameters; see :mod:`evaluation.engine.methods`."""

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pool:
    """A subtree that is scored as a pool.

    ``kind="deduction"`` (扣分制): starts full at the node's points and loses its children's
    deductions. What goes beyond the node's points stops at zero (``overflow=False``:
    “扣完本项分值为止”) or is taken off the unit's total (``overflow=True``, Zhangzhou:
    “扣分超过100分的,超出的分数在该单位总得分中扣除”). Its children are deduction leaves
    (per occurrence, by grade, checklist, shortfall steps); each contributes what it lost
    against its own points, and a child may have points 0 (a pure deduction item, scored
    negative). Inside the pool leaves do not stop at zero themselves — in either kind of pool —
    because the pool, not the leaf, is “本项”: its floor or overflow applies to the total lost.

    ``kind="bonus"`` (奖励制): the children's bonuses add up to at most ``cap`` (“加分不超过3分”);
    the node's points equal the cap and are not counted in its parent's points.
    """

    kind: str
    overflow: bool = False
    cap: Decimal | None = None


@dataclass(frozen=True)
class Node:
    """An indicator (考评指标) at any level.

    ``points`` (分值) of an inner node is the sum of its children's (bonus pools excepted);
    ``None`` lets the engine work it out. ``weight`` (权重) is informational. ``rule`` is set on
    leaves only. ``unit_code`` marks a unit's own leaf (its refined annual target, 指标细化):
    it exists for that unit only.
    """

    code: str
    name: str
    points: Decimal | None = None
    weight: Decimal | None = None
    children: Sequence[Node] = ()
    rule: Rule | None = None
    pool: Pool | None = None
    unit_code: str | None = None

    def __post_init__(self) -> None:
        _tuple(self, "children")

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.pool is None


@dataclass(frozen=True)
class Component:
    """One term of a category's formula (结果汇总公式).

    ``source``: ``"indicators"`` (the tree total, bonus pools included), ``"survey:<key>"``,
    ``"democratic:<key>"``, ``"direct:<key>"``, ``"inspections"``, ``"vetoes"``, ``"special_last"``.

    ``mode``: ``"weight"`` (raw × weight), ``"budget"`` (raw / 100 × budget, a 0–100 score mapped
    onto a point budget), ``"points"`` (raw as it is, e.g. democratic evaluation by group
    budgets), ``"deduction"`` (subtracts min(raw, cap); raw is the inspection points, or count ×
    per_item for vetoes and special evaluations).
    """

    key: str
    label: str
    source: str
    mode: str
    weight: Decimal | None = None
    budget: Decimal | None = None
    cap: Decimal | None = None
    per_item: Decimal | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source_kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def source_key(self) -> str | None:
        parts = self.source.split(":", 1)
        return parts[1] if len(parts) == 2 else None


@dataclass(frozen=True)
class VetoRule:
    """What a veto (一票否决) does in this category.

    ``"ineligible"``: the unit keeps its score and rank but cannot take the top grade;
    ``"deduction"``: a ``vetoes`` deduction component takes ``per_item`` off per veto;
    ``"none"``: vetoes are recorded only.
    """

    mode: str = "none"
    per_item: Decimal | None = None


@dataclass(frozen=True)
class GradeBand:
    """An absolute band (等次): ``min`` is a lower bound (89.99 is below 90); ``None`` catches the rest."""

    grade: str
    min: Decimal | None


@dataclass(frozen=True)
class BandGrading:
    """Absolute bands, best first (Nanping: 优 ≥ 90, 良 ≥ 76, 一般 ≥ 60, 差)."""

    kind: ClassVar[str] = "bands"
    bands: Sequence[GradeBand]

    def __post_init__(self) -> None:
        _tuple(self, "bands")


@dataclass(frozen=True)
class TopNGrading:
    """Rank-based (Zhangzhou): the top ``n`` eligible units are ``top_grade``; a total below
    ``fail_below`` (“700分(不含700分)以下”) is ``fail_grade``, which wins; the rest ``default_grade``."""

    kind: ClassVar[str] = "top_n"
    n: int
    top_grade: str
    default_grade: str
    fail_below: Decimal | None = None
    fail_grade: str | None = None


@dataclass(frozen=True)
class ShareTier:
    grade: str
    share: Decimal


@dataclass(frozen=True)
class ShareGrading:
    """Share-based (Jiangsu: 最佳 / 先进 / 良好 / 达标 / 诫勉 by proportion of the category)."""

    kind: ClassVar[str] = "shares"
    tiers: Sequence[ShareTier]

    def __post_init__(self) -> None:
        _tuple(self, "tiers")


Grading = Union[BandGrading, TopNGrading, ShareGrading]  # noqa: UP007 (runtime alias)


@dataclass(frozen=True)
class CategoryScheme:
    """One category (类别 / 系列) of a campaign: its tree, formula, grading and veto rule.

    ``tie_break`` lists component keys compared (descending) when totals are equal; empty means
    equal totals share a rank (1, 2, 2, 4). ``joint_split`` is the (lead, co) share of a joint
    bonus (“主办单位按80%计分,联办单位按20%计分”). ``points``, when given, is checked against
    the roots' points (bonus pools excepted).
    """

    code: str
    name: str
    tree: Sequence[Node]
    components: Sequence[Component]
    grading: Grading
    veto: VetoRule = VetoRule()
    tie_break: Sequence[str] = ()
    name_last_place: bool = True
    joint_split: tuple[Decimal, Decimal] = (Decimal("0.8"), Decimal("0.2"))
    points: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("tree", "components", "tie_break", "joint_split"):
            _tuple(self, name)


@dataclass(frozen=True)
class CampaignScheme:
    """A year's scheme (年度考评方案): its categories."""

    categories: Sequence[CategoryScheme]

    def __post_init__(self) -> None:
        _tuple(self, "categories")

    def category(self, code: str) -> CategoryScheme:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierPick:
    """An assessor's pick for a tiered leaf (三三分档): tier code, then ``"+"``, ``"0"`` or ``"-"``."""

    tier: str
    adjustment: str = "0"


@dataclass(frozen=True)
class LedgerEntry:
    """A ledger entry (台帐) as the engine sees it: confirmed, not voided.

    ``rule_key`` names what prices it (a deduction kind, a person's grade, a checklist item, a
    bonus kind or level). Entries of one unit and leaf sharing ``event_key`` count once, at the
    largest value (“同一事项就高扣分一次”). ``exempt`` is ``"self_reported"`` or
    ``"self_corrected"`` (免予扣分). ``joint_role`` is ``"lead"`` or ``"co"`` for joint bonuses.
    """

    id: int | str
    unit_code: str
    leaf_code: str
    kind: str
    rule_key: str
    quantity: Decimal = Decimal(1)
    event_key: str | None = None
    exempt: str | None = None
    joint_role: str | None = None


@dataclass(frozen=True)
class SurveyTally:
    """A unit's public survey (公众评议) result.

    ``counts`` maps an option's points to its number of ballots; “don't know” (不了解) ballots
    are only counted in ``dont_know`` and left out of the mean. A survey app that weights by
    stratum passes its own ``score`` (and ``n``) instead, which then wins.
    """

    counts: Mapping[Decimal, int] = field(default_factory=dict)
    dont_know: int = 0
    score: Decimal | None = None
    n: int | None = None


@dataclass(frozen=True)
class GroupTally:
    """One evaluator group's votes (民主测评): ``satisfied`` 满意, ``average`` 一般,
    ``dissatisfied`` 不满意, ``unknown`` 不了解."""

    group: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class DemocraticTally:
    groups: Sequence[GroupTally]

    def __post_init__(self) -> None:
        _tuple(self, "groups")


@dataclass(frozen=True)
class InspectionDeduction:
    """A confirmed spot-check finding (察访核验 / 明察暗访) and its deduction."""

    id: int | str
    points: Decimal
    label: str = ""


@dataclass(frozen=True)
class Veto:
    """A veto (一票否决) by an authority (discipline, work safety, family planning…)."""

    authority: str
    reason: str = ""


@dataclass(frozen=True)
class PreviousYear:
    """A unit's published result of an earlier year, for streaks (连续三年优秀, 连续两年诫勉)."""

    year: int
    grade: str | None
    rank: int | None = None
    total: Decimal | None = None
    last_place: bool = False


@dataclass(frozen=True)
class UnitInputs:
    """Everything known about one unit (被考评单位) at computation time.

    ``measures``: leaf code → measured value (Decimal) or, for a checklist, the missing item keys.
    ``assessed``: leaf code → assessor's score (Decimal) or :class:`TierPick`.
    ``direct``: component key → a score entered directly (e.g. Shenzhen leader evaluation).
    ``special_last_count``: special evaluations (专项考评) in which the unit is among the last five.
    ``previous``: earlier years, most recent first.
    ``pending_sign_offs``: veto authorities that have not signed the unit off yet; the top grade
    needs every authority's sign-off (“评优须经各一票否决部门签署同意”), so such a unit keeps
    its score and rank but cannot take the top grade.
    """

    unit_code: str
    unit_name: str
    category_code: str
    measures: Mapping[str, Decimal | Sequence[str]] = field(default_factory=dict)
    assessed: Mapping[str, Decimal | TierPick] = field(default_factory=dict)
    ledger: Sequence[LedgerEntry] = ()
    surveys: Mapping[str, SurveyTally] = field(default_factory=dict)
    democratic: Mapping[str, DemocraticTally] = field(default_factory=dict)
    direct: Mapping[str, Decimal] = field(default_factory=dict)
    inspections: Sequence[InspectionDeduction] = ()
    vetoes: Sequence[Veto] = ()
    special_last_count: int = 0
    previous: Sequence[PreviousYear] = ()
    pending_sign_offs: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("ledger", "inspections", "vetoes", "previous", "pending_sign_offs"):
            _tuple(self, name)


# --------------------------------------------------------------------------------------------
# Results (mutable: the engine fills them in stages; services only read them)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class LedgerLine:
    """How one ledger entry (or one checklist item) was counted in a leaf.

    ``status``: ``"counted"``, ``"exempt"`` (免予扣分, amount shows what it would have cost) or
    ``"superseded"`` (same event counted once at its highest). ``entry_id`` is ``None`` for a
    checklist item taken from the assessor's measure.
    """

    entry_id: int | str | None
    rule_key: str
    label: str
    quantity: Decimal
    unit_value: Decimal
    amount: Decimal
    status: str
    share: Decimal | None = None
    event_key: str | None = None
    exempt: str | None = None
    joint_role: str | None = None


@dataclass(slots=True)
class NodeResult:
    """A node's score for one unit. ``score`` is ``None`` when an input below it is missing.

    ``points`` is the node's maximum (for a bonus pool, its cap). ``overflow`` is what an
    overflow deduction pool passes on to the total.
    """

    code: str
    name: str
    parent: str | None
    points: Decimal
    score: Decimal | None
    explanation: Explanation | None
    is_leaf: bool
    unit_code: str | None = None
    lines: tuple[LedgerLine, ...] = ()
    overflow: Decimal = ZERO


@dataclass(slots=True)
class ComponentResult:
    """One formula term: ``raw`` (the score before weighting, or the deduction before its cap)
    and ``value`` (its signed contribution to the total, cents; negative for deductions)."""

    key: str
    label: str
    source: str
    mode: str
    raw: Decimal | None
    value: Decimal | None
    explanation: Explanation


@dataclass(slots=True)
class UnitResult:
    """A unit's result in its category.

    ``missing`` lists, in Chinese, why the unit is incomplete (``missing_explanations`` holds
    the same as explanations for other languages). An incomplete unit has no total, rank or
    grade. ``eligible_top`` is False when a veto bars it from the top grade.

    ``nodes`` maps every node code of the unit's tree (tree order, parents first) to its
    :class:`NodeResult`; it is a read-only mapping that builds each result — explanation and
    ledger lines included — when first read. ``last_place`` is 末位; ``same_grade_years`` counts
    this year and the consecutive earlier years with the same grade.
    """

    unit_code: str
    unit_name: str
    category_code: str
    complete: bool
    missing: list[str]
    missing_explanations: list[Explanation]
    nodes: Mapping[str, NodeResult]
    components: list[ComponentResult]
    total: Decimal | None
    overflow: Decimal
    explanation: Explanation
    vetoed: bool
    vetoes: tuple[Veto, ...]
    eligible_top: bool
    rank: int | None = None
    rank_explanation: Explanation | None = None
    grade: str | None = None
    grade_explanation: Explanation | None = None
    last_place: bool = False
    previous: tuple[PreviousYear, ...] = ()
    same_grade_years: int = 0
    pending_sign_offs: tuple[str, ...] = ()

    def component(self, key: str) -> ComponentResult:
        for component in self.components:
            if component.key == key:
                return component
        raise KeyError(key)

    def score(self, code: str) -> Decimal | None:
        """A node's score by code, without building its explanation."""
        fast = getattr(self.nodes, "score", None)
        return fast(code) if fast is not None else self.nodes[code].score


@dataclass(slots=True)
class CategoryResult:
    """A category's results, ranked units first (by rank, then code), incomplete units last."""

    code: str
    name: str
    units: list[UnitResult]

    def unit(self, code: str) -> UnitResult:
        for unit in self.units:
            if unit.unit_code == code:
                return unit
        raise KeyError(code)


@dataclass(slots=True)
class CampaignResult:
    categories: list[CategoryResult]

    def category(self, code: str) -> CategoryResult:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)

    def unit(self, code: str) -> UnitResult:
        for category in self.categories:
            for unit in category.units:
                if unit.unit_code == code:
                    return unit
        raise KeyError(code)

    @property
    def complete(self) -> bool:
        """True when every unit has a total — the condition for publication (发布)."""
        return all(unit.complete for category in self.categories for unit in category.units)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class SchemeError(ValueError):
    """A scheme that cannot be used. Carries every problem found, not just the first.

    ``problems`` are explanations (render with ``.text("en")``); ``messages`` are the Chinese
    texts; ``str()`` joins them.
    """

    def __init__(self, problems: Sequence[Explanation | str]) -> None:
        self.problems = [p if isinstance(p, Explanation) else Explanation("scheme.text", {"text": p}) for p in problems]
        self.messages = [str(p) for p in self.problems]
        super().__init__("\n".join(self.messages))

    def texts(self, lang: str = "zh") -> list[str]:
        return [p.text(lang) for p in self.problems]


class InputError(ValueError):
    """Inputs that don't fit the call itself (an unknown category, a unit given twice).

    Problems with one unit's data don't raise: they make that unit incomplete, with reasons.
    """
