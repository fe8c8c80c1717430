"""The one adapter between stored results (evaluation.UnitResult JSON) and every output.

Bulletins (PDF, Excel), score cards, dashboards, standings and the API all read rows through
:func:`revision_rows`, so they show the same numbers: exact Decimals parsed from the stored
strings, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from evaluation.engine.decimals import r2
from evaluation.models import ResultRevision, UnitResult

#: grade zones, best first (Shenzhen style: green excellent, blue good, amber fair, red poor)
ZONES = ("excellent", "good", "fair", "poor")
EXTERNAL_SOURCES = ("survey", "democratic")


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def text(explanation, lang: str = "zh") -> str:
    """An explanation stored as {"zh", "en"} (or plain text) in the wanted language."""
    if not explanation:
        return ""
    if isinstance(explanation, str):
        return explanation
    return explanation.get(lang) or explanation.get("zh") or ""


@dataclass(frozen=True)
class ComponentRow:
    key: str
    label: str
    source: str
    raw: Decimal | None
    value: Decimal | None
    explanation: str

    @property
    def kind(self) -> str:
        """internal (the indicators), external (surveys, democratic evaluation) or other."""
        source = self.source.split(":", 1)[0]
        if source == "indicators":
            return "internal"
        if source in EXTERNAL_SOURCES:
            return "external"
        return "other"


@dataclass(frozen=True)
class LedgerLineRow:
    entry_id: str
    label: str
    quantity: Decimal | None
    amount: Decimal | None
    status: str
    exempt: str
    event_key: str


@dataclass(frozen=True)
class NodeRow:
    code: str
    name: str
    depth: int
    is_leaf: bool
    points: Decimal | None
    score: Decimal | None
    explanation: str
    lines: tuple[LedgerLineRow, ...] = ()

    @property
    def lost(self) -> Decimal:
        """Points a leaf falls short of its maximum (0 for a full or bonus leaf)."""
        if self.points is None or self.score is None or self.score >= self.points:
            return Decimal("0.00")
        return self.points - self.score


@dataclass
class UnitRow:
    result_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    category_id: int
    category_code: str
    category_name: str
    complete: bool
    missing: list[str]
    total: Decimal | None
    rank: int | None
    grade: str
    eligible_top: bool
    vetoed: bool
    last_place: bool
    overflow: Decimal
    components: list[ComponentRow]
    total_text: str
    rank_text: str
    grade_text: str
    zone: str = ""
    nodes: list[NodeRow] = field(default_factory=list)

    def component(self, key: str) -> ComponentRow | None:
        return next((c for c in self.components if c.key == key), None)

    @property
    def internal(self) -> Decimal | None:
        """The indicators' score (0–100 before weighting): the internal result."""
        parts = [c.raw for c in self.components if c.kind == "internal" and c.raw is not None]
        return parts[0] if parts else None

    @property
    def external(self) -> Decimal | None:
        """The survey or democratic evaluation score (0–100): the external result; the mean
        when a formula has several, rounded half-up to cents like every stored score."""
        parts = [c.raw for c in self.components if c.kind == "external" and c.raw is not None]
        if not parts:
            return None
        return r2(sum(parts, Decimal(0)) / len(parts))

    @property
    def leaves(self) -> list[NodeRow]:
        return [n for n in self.nodes if n.is_leaf]


@dataclass
class CategoryBlock:
    """One category of a revision: its grades best first, its components, its ranked rows."""

    code: str
    name: str
    grades: list[str]
    components: list[tuple[str, str]]
    rows: list[UnitRow]

    @property
    def excellent(self) -> list[UnitRow]:
        return [r for r in self.rows if r.zone == "excellent"]

    @property
    def warned(self) -> list[UnitRow]:
        return [r for r in self.rows if r.zone == "poor"]

    @property
    def last_place(self) -> list[UnitRow]:
        return [r for r in self.rows if r.last_place]

    @property
    def incomplete(self) -> list[UnitRow]:
        return [r for r in self.rows if not r.complete]

    def zone_of(self, grade: str) -> str:
        return zone_for(grade, self.grades)


def zone_for(grade: str, grades: list[str]) -> str:
    """The colour zone of a grade among its category's grades (best first): the best is
    excellent, the worst (of three or more) poor, the second good, any others fair."""
    if not grade or grade not in grades:
        return ""
    index, count = grades.index(grade), len(grades)
    if index == 0:
        return "excellent"
    if count >= 3 and index == count - 1:
        return "poor"
    return "good" if index == 1 else "fair"


def scheme_grades(scheme: dict, category_code: str) -> list[str]:
    """The grades a category's grading can give, best first, from the revision's scheme."""
    for category in (scheme or {}).get("categories", []):
        if category.get("code") != category_code:
            continue
        grading = category.get("grading") or {}
        kind = grading.get("kind")
        if kind == "bands":
            return [band["grade"] for band in grading.get("bands", [])]
        if kind == "shares":
            return [tier["grade"] for tier in grading.get("tiers", [])]
        if kind == "top_n":
            grades = [grading.get("top_grade"), grading.get("default_grade"), grading.get("fail_grade")]
            return [g for g in grades if g]
    return []


def _nodes(nodes: dict, lang: str) -> list[NodeRow]:
    """The unit's tree in display order (parents before children, scheme order kept)."""
    children: dict[str | None, list[str]] = {}
    for code, node in nodes.items():
        children.setdefault(node.get("parent"), []).append(code)
    rows: list[NodeRow] = []

    def walk(parent, depth):
        for code in children.get(parent, []):
            node = nodes[code]
            lines = tuple(
                LedgerLineRow(
                    entry_id=str(line.get("entry_id") or ""),
                    label=line.get("label") or line.get("rule_key") or "",
                    quantity=_dec(line.get("quantity")),
                    amount=_dec(line.get("amount")),
                    status=line.get("status") or "",
                    exempt=line.get("exempt") or "",
                    event_key=line.get("event_key") or "",
                )
                for line in (node.get("lines") or node.get("ledger") or [])
            )
            rows.append(
                NodeRow(
                    code=code,
                    name=node.get("name", ""),
                    depth=depth,
                    is_leaf=node.get("is_leaf", code not in children),
                    points=_dec(node.get("points")),
                    score=_dec(node.get("score")),
                    explanation=text(node.get("explanation"), lang),
                    lines=lines,
                )
            )
            walk(code, depth + 1)

    walk(None, 0)
    return rows


def _row(result: UnitResult, lang: str, with_nodes: bool) -> UnitRow:
    explanation = result.explanation or {}
    return UnitRow(
        result_id=result.pk,
        unit_id=result.unit_id,
        unit_code=result.unit.code,
        unit_name=result.unit.name,
        category_id=result.category_id,
        category_code=result.category.code,
        category_name=result.category.name,
        complete=result.complete,
        missing=[text(m, lang) for m in (result.missing or [])],
        total=result.total,
        rank=result.rank,
        grade=result.grade,
        eligible_top=result.eligible_top,
        vetoed=result.vetoed,
        last_place=result.last_place,
        overflow=result.overflow,
        components=[
            ComponentRow(
                key=c.get("key", ""),
                label=c.get("label", ""),
                source=c.get("source") or c.get("key", ""),
                raw=_dec(c.get("raw")),
                value=_dec(c.get("value")),
                explanation=text(c.get("explanation"), lang),
            )
            for c in (result.components or [])
        ],
        total_text=text(explanation.get("total"), lang),
        rank_text=text(explanation.get("rank"), lang),
        grade_text=text(explanation.get("grade"), lang),
        nodes=_nodes(result.nodes or {}, lang) if with_nodes else [],
    )


def revision_rows(
    revision: ResultRevision, *, lang: str = "zh", unit_ids=None, category_ids=None, with_nodes: bool = False
) -> list[UnitRow]:
    """Every unit's row of a revision, by category, rank, then code (unranked last). One query."""
    queryset = UnitResult.objects.filter(revision=revision, tenant_id=revision.tenant_id).select_related(
        "unit", "category"
    )
    if not with_nodes:
        queryset = queryset.defer("nodes")
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    if category_ids is not None:
        queryset = queryset.filter(category_id__in=category_ids)
    results = sorted(
        queryset,
        key=lambda r: (r.category.order, r.category.code, r.rank is None, r.rank or 0, r.unit.code),
    )
    grades: dict[str, list[str]] = {}
    rows = []
    for result in results:
        row = _row(result, lang, with_nodes)
        if row.category_code not in grades:
            grades[row.category_code] = scheme_grades(revision.scheme, row.category_code)
        row.zone = zone_for(row.grade, grades[row.category_code])
        rows.append(row)
    return rows


def category_blocks(revision: ResultRevision, rows: list[UnitRow]) -> list[CategoryBlock]:
    """Rows grouped by category, in the order revision_rows gives them."""
    blocks: list[CategoryBlock] = []
    for row in rows:
        if not blocks or blocks[-1].code != row.category_code:
            blocks.append(
                CategoryBlock(
                    code=row.category_code,
                    name=row.category_name,
                    grades=scheme_grades(revision.scheme, row.category_code),
                    components=[],
                    rows=[],
                )
            )
        block = blocks[-1]
        block.rows.append(row)
        for component in row.components:
            if (component.key, component.label) not in block.components:
                block.components.append((component.key, component.label))
    for block in blocks:
        if not block.grades:  # no scheme stored: order the grades seen by their best total
            best: dict[str, Decimal] = {}
            for row in block.rows:
                if row.grade and row.total is not None:
                    best[row.grade] = max(best.get(row.grade, row.total), row.total)
            block.grades = sorted(best, key=lambda g: -best[g])
            for row in block.rows:
                row.zone = zone_for(row.grade, block.grades)
    return blocks
