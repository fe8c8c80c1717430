"""Demo spot checks: worked example A's inspections column (U1 1; U2 2 + 3 + 1; U5 2; others none).

Recorded through the same services as the app: the demo supervisor submits each visit, the
office confirms its findings. Idempotent: visit keys are derived from the tenant, so a second
run finds the visits already recorded and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from evaluation.models import Campaign, CampaignUnit, Membership
from evaluation.roles import Role
from inspections.models import CatalogueItem, Finding
from inspections.services.visits import FindingInput, VisitInput, finding_review, visit_submit

CATALOGUE = [
    ("CF-01", "窗口工作人员离岗、迟到早退", "1", "每人次"),
    ("CF-02", "办事指南、收费标准未公示或不全", "2", ""),
    ("CF-03", "服务态度生硬、推诿扯皮", "3", "经核实的每起"),
]
# unit code -> findings (catalogue code, count) of one visit each
VISITS = {
    "U1": [[("CF-01", 1)]],
    "U2": [[("CF-02", 1), ("CF-03", 1)], [("CF-01", 1)]],
    "U5": [[("CF-02", 1)]],
}
NAMESPACE = uuid.UUID("6b0f4c55-3f43-4c1e-9a7e-1f5a1d1c0a11")


def _visit_time(index: int) -> dt.datetime:
    wanted = dt.datetime(2026, 4, 14 + index, 10, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return min(wanted, timezone.now() - dt.timedelta(hours=1))


@transaction.atomic
def load(tenant) -> None:
    campaign = Campaign.objects.filter(tenant=tenant, year=2026).order_by("id").first()
    supervisor = Membership.objects.filter(tenant=tenant, role=Role.SUPERVISOR, user__username="supervisor").first()
    office = Membership.objects.filter(tenant=tenant, role=Role.OFFICE_ADMIN, user__username="office").first()
    if campaign is None or supervisor is None or office is None:
        return
    items = {}
    for order, (code, finding, points, notes) in enumerate(CATALOGUE, start=1):
        items[code], _ = CatalogueItem.objects.get_or_create(
            tenant=tenant, campaign=campaign, code=code,
            defaults={"finding": finding, "points": Decimal(points), "notes": notes, "order": order},
        )
    enrolled = dict(
        CampaignUnit.objects.filter(campaign=campaign, unit__code__in=VISITS).values_list("unit__code", "unit_id")
    )
    index = 0
    for unit_code, visits in VISITS.items():
        if unit_code not in enrolled:
            continue
        for number, findings in enumerate(visits):
            index += 1
            data = VisitInput(
                key=uuid.uuid5(NAMESPACE, f"{tenant.slug}/{campaign.pk}/{unit_code}/{number}"),
                unit_id=enrolled[unit_code],
                mode="covert" if number == 0 else "announced",
                visited_at=_visit_time(index),
                place="政务服务中心",
                findings=[FindingInput(item_id=items[code].pk, count=count) for code, count in findings],
            )
            visit, _ = visit_submit(supervisor=supervisor, campaign=campaign, data=data)
            for finding in visit.findings.filter(status=Finding.Status.PENDING):
                finding_review(finding=finding, reviewer=office.user, decision=Finding.Status.CONFIRMED)
