"""Leaf measures (实际完成值): the value a measure-based rule reads, or a checklist's missing items."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from evaluation.models import Campaign, LeafMeasure, Unit
from evaluation.services.audit import audit_record, audit_snapshot


class MeasureError(ValueError):
    """A measure that does not fit its leaf; the message names the field and why."""


MEASURED_METHODS = {"proportional", "shortfall_steps", "threshold", "quantity_steps", "rank_points", "checklist"}


@transaction.atomic
def leaf_measure_set(
    *, campaign: Campaign, unit: Unit, node, actor, value: Decimal | str | None = None, items: list[str] | None = None
) -> LeafMeasure:
    """Record the unit's measure for a leaf (replacing the previous one), then recompute the unit."""
    if not (campaign.tenant_id == unit.tenant_id == node.tenant_id) or node.category.campaign_id != campaign.pk:
        raise MeasureError(f"node: {node.code} is not an indicator of this campaign")
    if node.method not in MEASURED_METHODS:
        raise MeasureError(f"node: {node.code} is scored by {node.method}, which takes no measure")
    if node.method == "checklist":
        known = {item["key"] for item in node.params.get("items", [])}
        unknown = sorted(set(items or []) - known)
        if unknown:
            raise MeasureError(f"items: {', '.join(unknown)} are not items of {node.code}")
        fields = {"value": None, "items": sorted(set(items or []))}
    else:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, TypeError) as exc:
            raise MeasureError(f"value: {value!r} is not a number") from exc
        if not number.is_finite() or number < 0:
            raise MeasureError("value: must be a number of 0 or more")
        fields = {"value": number, "items": []}
    previous = LeafMeasure.objects.select_for_update().filter(campaign=campaign, unit=unit, node=node).first()
    before = audit_snapshot(previous, fields=["value", "items"]) if previous is not None else None
    measure, _ = LeafMeasure.objects.update_or_create(
        tenant_id=campaign.tenant_id, campaign=campaign, unit=unit, node=node,
        defaults={**fields, "entered_by": actor},
    )
    audit_record(tenant=campaign.tenant_id, actor=actor, action="measure.set", obj=measure, campaign=campaign, unit=unit,
                 before=before, after=audit_snapshot(measure, fields=["value", "items"]),
                 label=f"{unit.code} · {node.code} {node.name}")
    from evaluation.services.compute import compute_job_start

    transaction.on_commit(lambda: compute_job_start(campaign=campaign, actor=actor, scope="unit", unit=unit))
    return measure
