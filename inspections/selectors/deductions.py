"""Confirmed spot-check findings as the scoring engine's inspection deductions (察访核验扣分)."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from evaluation.engine.types import InspectionDeduction
from evaluation.models import Campaign
from inspections.models import Finding


def counting_findings(campaign: Campaign):
    """Findings that take points off: confirmed, and not overturned on appeal."""
    return (
        Finding.objects.filter(tenant_id=campaign.tenant_id, visit__campaign=campaign, status=Finding.Status.CONFIRMED)
        .filter(~Q(appeal=Finding.Appeal.UPHELD))
    )


def inspection_deductions(campaign: Campaign, *, unit_ids=None) -> dict[str, list[InspectionDeduction]]:
    """Unit code → one deduction per counting finding (count × points each), in visit order.

    One query for the whole campaign (or ``unit_ids`` only, if given). The cap (e.g. “最高扣5分”) is the formula's business,
    applied by the engine, so every finding is listed here at its full value.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    findings = counting_findings(campaign)
    if unit_ids is not None:
        findings = findings.filter(visit__unit_id__in=list(unit_ids))
    rows = (
        findings
        .order_by("visit__unit__code", "visit__visited_at", "visit_id", "id")
        .values_list(
            "id", "visit_id", "visit__unit__code", "visit__visited_at", "item__code", "item__finding",
            "count", "points_each",
        )
    )
    result: dict[str, list[InspectionDeduction]] = defaultdict(list)
    for finding_id, visit_id, unit_code, visited_at, item_code, finding, count, points_each in rows:
        day = visited_at.astimezone(zone).date().isoformat()
        times = f" ×{count}" if count > 1 else ""
        result[unit_code].append(
            InspectionDeduction(
                id=f"finding-{finding_id}",
                points=points_each * count,
                label=f"{item_code} {finding}{times}({day} 察访 #{visit_id})",
            )
        )
    return dict(result)
