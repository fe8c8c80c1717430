"""Reads for the year's work: deadlines, open nodes, sheets, ledger options, scoring sheets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from evaluation.models import (
    AssessedScore,
    Campaign,
    CampaignPhase,
    CampaignUnit,
    Department,
    Evidence,
    LedgerEntry,
    SelfAssessment,
    SelfAssessmentSheet,
    TargetSheet,
    Unit,
    VetoDecision,
)

ZERO = Decimal("0.00")


def phase_deadline(campaign: Campaign, phase: str) -> dt.date | None:
    return (
        CampaignPhase.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id, phase=phase)
        .values_list("deadline", flat=True)
        .first()
    )


def deadline_passed(campaign: Campaign, phase: str, today: dt.date | None = None) -> dt.date | None:
    """The deadline if it has passed, else None."""
    deadline = phase_deadline(campaign, phase)
    today = today or timezone.localdate()
    return deadline if deadline is not None and today > deadline else None


def enrolment_of(campaign: Campaign, unit: Unit) -> CampaignUnit | None:
    return (
        CampaignUnit.objects.filter(campaign=campaign, unit=unit, tenant_id=campaign.tenant_id)
        .select_related("category")
        .first()
    )


# --- targets ---


@dataclass
class OpenNode:
    node: object
    shared: Decimal
    items: list = field(default_factory=list)

    @property
    def room(self) -> Decimal:
        """The points the unit's own targets must make up under this node."""
        return (self.node.points or ZERO) - self.shared

    @property
    def drafted(self) -> Decimal:
        return sum((item.points for item in self.items), ZERO)


def open_nodes(category_id: int, sheet: TargetSheet | None = None) -> list[OpenNode]:
    """The shared nodes the scheme opens for unit targets, with their shared points and the
    sheet's items under each."""
    from indicators.models import IndicatorNode

    nodes = list(
        IndicatorNode.objects.filter(category_id=category_id, open_for_targets=True).order_by("order", "code")
    )
    shared = dict(
        IndicatorNode.objects.filter(parent__in=nodes, unit__isnull=True)
        .values("parent_id")
        .annotate(total=Sum("points"))
        .values_list("parent_id", "total")
    )
    result = {node.pk: OpenNode(node, shared.get(node.pk) or ZERO) for node in nodes}
    if sheet is not None:
        for item in sheet.items.all():
            if item.parent_id in result:
                result[item.parent_id].items.append(item)
    return list(result.values())


def target_sheets(campaign: Campaign, units) -> dict[int, TargetSheet]:
    return {
        sheet.unit_id: sheet
        for sheet in TargetSheet.objects.filter(campaign=campaign, unit__in=units).prefetch_related("rounds")
    }


# --- ledger ---


@dataclass(frozen=True)
class RuleOption:
    """One way to file an entry: a leaf and one of its priced items (e.g. "逾期 −2 per case")."""

    value: str  # "<node id>:<rule key>"
    node: object
    rule_key: str
    label: str
    unit_value: Decimal
    kind: str


def ledger_rule_options(campaign: Campaign, membership) -> list[RuleOption]:
    """Every leaf-and-item the member may file; a data provider only its own leaves' items."""
    from evaluation.engine.methods import METHODS
    from evaluation.roles import Role
    from indicators.models import IndicatorNode

    ledger_methods = [name for name, method in METHODS.items() if method.input == "ledger"]
    nodes = IndicatorNode.objects.filter(
        tenant_id=campaign.tenant_id, category__campaign=campaign, method__in=ledger_methods
    ).select_related("category", "unit")
    if membership.role == Role.DATA_PROVIDER:
        nodes = nodes.filter(provider_id=membership.department_id)
    options = []
    for node in nodes.order_by("category__order", "order", "code"):
        method = METHODS[node.method]
        for list_name, value_name in (("kinds", "deduction"), ("grades", "deduction"), ("kinds", "bonus"),
                                      ("levels", "points")):
            for item in (node.params or {}).get(list_name, []) or []:
                if value_name not in item or "key" not in item:
                    continue
                options.append(
                    RuleOption(
                        value=f"{node.pk}:{item['key']}",
                        node=node,
                        rule_key=item["key"],
                        label=str(item.get("label") or item["key"]),
                        unit_value=Decimal(str(item[value_name])),
                        kind=method.ledger_kind,
                    )
                )
    return options


def ledger_list(queryset, *, unit_id=None, status=None):
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("unit", "node", "department", "filed_by")
        .prefetch_related("appeals", Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("-occurred_on", "-id")
    )


# --- self-assessment and scoring sheets ---


def unit_leaves(campaign: Campaign, unit: Unit, *, assessed_only: bool = False):
    """The leaves that apply to a unit: its category's shared leaves and its own targets."""
    from evaluation.engine.methods import METHODS
    from indicators.models import IndicatorNode

    enrolment = enrolment_of(campaign, unit)
    if enrolment is None or enrolment.category_id is None:
        return IndicatorNode.objects.none()
    leaves = IndicatorNode.objects.filter(category_id=enrolment.category_id).exclude(method="").filter(
        Q(unit__isnull=True) | Q(unit=unit)
    )
    if assessed_only:
        leaves = leaves.filter(method__in=[n for n, m in METHODS.items() if m.input == "assessed"])
    return leaves.select_related("parent").order_by("code")


def self_sheet(campaign: Campaign, unit: Unit) -> SelfAssessmentSheet | None:
    return SelfAssessmentSheet.objects.filter(campaign=campaign, unit=unit).first()


def self_entries(campaign: Campaign, unit: Unit) -> dict[int, SelfAssessment]:
    return {
        entry.node_id: entry
        for entry in SelfAssessment.objects.filter(campaign=campaign, unit=unit).prefetch_related("evidence")
    }


@dataclass
class SheetRow:
    unit: Unit
    node: object
    self_entry: SelfAssessment | None
    mine: AssessedScore | None
    others: list
    ledger: list

    @property
    def key(self) -> str:
        return f"{self.unit.pk}-{self.node.pk}"

    @property
    def final(self) -> AssessedScore | None:
        finals = [s for s in [self.mine, *self.others] if s is not None and s.is_final]
        return max(finals, key=lambda s: s.updated_at) if finals else None

    @property
    def differs(self) -> bool:
        """The verified score differs from the self-score (the sheet highlights it)."""
        mine = self.mine
        if mine is None or self.self_entry is None or self.self_entry.score is None:
            return False
        return mine.score is not None and mine.score != self.self_entry.score

    @property
    def needs_reconciling(self) -> bool:
        scores = [s for s in [self.mine, *self.others] if s is not None]
        return len(scores) > 1 and not any(s.is_final for s in scores)


def scoring_rows(campaign: Campaign, pairs: list[tuple[Unit, object]], assessor) -> list[SheetRow]:
    """Rows (unit, leaf) of a scoring sheet, each with the self-assessment, the ledger entries of
    that leaf and the assessors' scores, in a fixed number of queries."""
    unit_ids = {unit.pk for unit, _node in pairs}
    node_ids = {node.pk for _unit, node in pairs}
    selves = {
        (s.unit_id, s.node_id): s
        for s in SelfAssessment.objects.filter(campaign=campaign, unit_id__in=unit_ids, node_id__in=node_ids)
        .prefetch_related("evidence")
    }
    scores = defaultdict(list)
    for score in AssessedScore.objects.filter(
        campaign=campaign, unit_id__in=unit_ids, node_id__in=node_ids
    ).select_related("assessor"):
        scores[(score.unit_id, score.node_id)].append(score)
    ledger = defaultdict(list)
    for entry in LedgerEntry.objects.filter(campaign=campaign, unit_id__in=unit_ids, node_id__in=node_ids):
        ledger[(entry.unit_id, entry.node_id)].append(entry)
    rows = []
    for unit, node in pairs:
        key = (unit.pk, node.pk)
        mine = next((s for s in scores[key] if s.assessor_id == assessor.pk), None)
        rows.append(SheetRow(unit, node, selves.get(key), mine,
                             [s for s in scores[key] if s.assessor_id != assessor.pk], ledger[key]))
    return rows


def reconciliation_rows(campaign: Campaign):
    """(unit, node, scores) where two or more assessors scored one item and none is final."""
    groups = defaultdict(list)
    for score in AssessedScore.objects.filter(campaign=campaign).select_related("unit", "node", "assessor"):
        groups[(score.unit_id, score.node_id)].append(score)
    return [
        {"unit": scores[0].unit, "node": scores[0].node, "scores": scores}
        for scores in groups.values()
        if len(scores) > 1 and not any(s.is_final for s in scores)
    ]


# --- vetoes ---


def veto_departments(campaign: Campaign):
    return Department.objects.filter(tenant_id=campaign.tenant_id, kind=Department.Kind.VETO).order_by("code")


def veto_matrix(campaign: Campaign, units) -> dict[tuple[int, int], VetoDecision]:
    return {
        (d.unit_id, d.department_id): d
        for d in VetoDecision.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id, unit__in=units)
    }


def missing_sign_offs(campaign: Campaign, *, unit_ids: list[int] | None = None) -> dict[int, list[str]]:
    """unit id -> names of veto authorities that have not signed it off yet (domain section 9:
    excellence needs every authority's sign-off). For the computation's eligibility check;
    ``unit_ids`` limits it to those units."""
    departments = list(veto_departments(campaign))
    decisions = VetoDecision.objects.filter(campaign=campaign, decision=VetoDecision.Decision.SIGNED_OFF)
    enrolments = CampaignUnit.objects.filter(campaign=campaign, survey_only=False)
    if unit_ids is not None:
        decisions = decisions.filter(unit_id__in=unit_ids)
        enrolments = enrolments.filter(unit_id__in=unit_ids)
    signed = defaultdict(set)
    for unit_id, department_id in decisions.values_list("unit_id", "department_id"):
        signed[unit_id].add(department_id)
    out = {}
    for unit_id in enrolments.values_list("unit_id", flat=True):
        missing = [d.name for d in departments if d.pk not in signed[unit_id]]
        if missing:
            out[unit_id] = missing
    return out
