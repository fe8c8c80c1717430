"""Read a campaign's inputs into the scoring engine's plain data, set-based.

One query per kind of input for the whole campaign (or the chosen categories), never one per
unit or leaf, so a province-sized campaign loads in a handful of round trips.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from evaluation.engine import LedgerEntry as EngineLedgerEntry
from evaluation.engine import TierPick, UnitInputs, Veto
from evaluation.models import (
    AssessedScore,
    Campaign,
    CampaignUnit,
    DirectScore,
    LeafMeasure,
    LedgerEntry,
    VetoDecision,
)

SPECIAL_LAST_KEY = "special_last"


def _by_unit():
    return defaultdict(dict)


def _plain(value: Decimal | None) -> Decimal | None:
    """18.0000 → 18 and 1.50 → 1.5, so explanations read as people write (never 1E+2).

    The result depends on the number only (1.5 and 1.50 give 1.5), so it is remembered by value:
    a province's 300,000 measures and quantities hold a few thousand distinct numbers.
    """
    if value is None:
        return None
    plain = _PLAIN.get(value)
    if plain is None:
        plain = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        if len(_PLAIN) >= 50_000:
            _PLAIN.clear()
        _PLAIN[value] = plain
    return plain


_PLAIN: dict[Decimal, Decimal] = {}


def engine_inputs_for(
    campaign: Campaign, *, category_codes: list[str] | None = None, unit_ids: list[int] | None = None
) -> list[UnitInputs]:
    """Every evaluated unit's inputs (survey-only units are left out: they have no category),
    or only those of the chosen categories or units."""
    from evaluation.selectors.year import missing_sign_offs
    from inspections.selectors.deductions import inspection_deductions
    from surveys.selectors.tallies import democratic_tallies, survey_tallies

    scoped = category_codes is not None or unit_ids is not None
    enrolments = CampaignUnit.objects.filter(
        campaign=campaign, tenant_id=campaign.tenant_id, survey_only=False
    ).values_list("unit_id", "unit__code", "unit__name", "category__code")
    if category_codes is not None:
        enrolments = enrolments.filter(category__code__in=category_codes)
    if unit_ids is not None:
        enrolments = enrolments.filter(unit_id__in=unit_ids)
    units = {unit_id: (code, name, category) for unit_id, code, name, category in enrolments}
    unit_ids = list(units)
    scope = {"campaign": campaign, "tenant_id": campaign.tenant_id, "unit_id__in": unit_ids}

    measures: dict[int, dict] = _by_unit()
    # a checklist's measure is its missing items (JSON, read only for checklists), any other a number
    for unit_id, code, value in (
        LeafMeasure.objects.filter(**scope).exclude(node__method="checklist").values_list("unit_id", "node__code", "value")
    ):
        measures[unit_id][code] = _plain(value)
    for unit_id, code, items in LeafMeasure.objects.filter(node__method="checklist", **scope).values_list(
        "unit_id", "node__code", "items"
    ):
        measures[unit_id][code] = list(items)

    assessed: dict[int, dict] = _by_unit()
    for unit_id, code, score, tier, adjustment in (
        AssessedScore.objects.filter(is_final=True, **scope)
        .order_by("updated_at")
        .values_list("unit_id", "node__code", "score", "tier", "tier_adjustment")
    ):
        assessed[unit_id][code] = TierPick(tier, adjustment or "0") if tier else score

    ledger: dict[int, list] = defaultdict(list)
    for row in (
        LedgerEntry.objects.filter(**scope)
        .exclude(status=LedgerEntry.Status.VOIDED)
        .order_by("id")
        .values_list("id", "unit_id", "node__code", "kind", "rule_key", "quantity", "event_key", "exempt", "joint_role")
    ):
        entry_id, unit_id, code, kind, rule_key, quantity, event_key, exempt, joint_role = row
        ledger[unit_id].append(
            EngineLedgerEntry(
                id=entry_id,
                unit_code=units[unit_id][0],
                leaf_code=code,
                kind=kind,
                rule_key=rule_key,
                quantity=_plain(quantity),
                event_key=event_key or None,
                exempt=exempt or None,
                joint_role=joint_role or None,
            )
        )

    direct: dict[int, dict] = _by_unit()
    special_last: dict[int, int] = {}
    for unit_id, key, value in DirectScore.objects.filter(**scope).values_list("unit_id", "key", "value"):
        if key == SPECIAL_LAST_KEY:
            special_last[unit_id] = int(value)
        else:
            direct[unit_id][key] = value

    vetoes: dict[int, list] = defaultdict(list)
    for unit_id, authority, reason in (
        VetoDecision.objects.filter(decision=VetoDecision.Decision.VETOED, **scope)
        .order_by("department__code")
        .values_list("unit_id", "department__name", "reason")
    ):
        vetoes[unit_id].append(Veto(authority=authority, reason=reason))

    pending = missing_sign_offs(campaign, unit_ids=unit_ids if scoped else None)
    if not scoped:
        surveys = survey_tallies(campaign)
        democratic = democratic_tallies(campaign)
        inspections = inspection_deductions(campaign)
    else:  # only the chosen units: a unit's tallies are its own
        surveys = survey_tallies(campaign, unit_ids=unit_ids)
        democratic = democratic_tallies(campaign, unit_ids=unit_ids)
        inspections = inspection_deductions(campaign, unit_ids=unit_ids)

    inputs = []
    for unit_id, (code, name, category_code) in sorted(units.items(), key=lambda item: item[1][0]):
        inputs.append(
            UnitInputs(
                unit_code=code,
                unit_name=name,
                category_code=category_code,
                measures=measures.get(unit_id, {}),
                assessed=assessed.get(unit_id, {}),
                ledger=ledger.get(unit_id, ()),
                surveys=surveys.get(code, {}),
                democratic=democratic.get(code, {}),
                direct=direct.get(unit_id, {}),
                inspections=inspections.get(code, ()),
                vetoes=vetoes.get(unit_id, ()),
                special_last_count=special_last.get(unit_id, 0),
                pending_sign_offs=pending.get(unit_id, ()),
            )
        )
    return inputs

