"""The quarterly spot-check bulletin (监督员明察暗访情况通报): what the office publishes."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from evaluation.models import Campaign
from inspections.models import Finding, Visit


@dataclass
class BulletinLine:
    visited_on: dt.date
    mode: str
    finding: str
    count: int
    points: Decimal
    note: str
    visit_id: int


@dataclass
class BulletinUnit:
    code: str
    name: str
    visits: int = 0
    lines: list[BulletinLine] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((line.points for line in self.lines), Decimal(0))


@dataclass
class Bulletin:
    campaign: Campaign
    quarter: int
    start: dt.date
    end: dt.date
    units: list[BulletinUnit]

    @property
    def visit_count(self) -> int:
        return sum(u.visits for u in self.units)

    @property
    def finding_count(self) -> int:
        return sum(len(u.lines) for u in self.units)

    @property
    def points(self) -> Decimal:
        return sum((u.points for u in self.units), Decimal(0))

    @property
    def units_with_findings(self) -> list[BulletinUnit]:
        return [u for u in self.units if u.lines]


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone) if quarter == 4 else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=zone)
    return start, end


def quarterly_bulletin(campaign: Campaign, quarter: int) -> Bulletin:
    """Visits of the quarter per unit, with the findings that stand (confirmed, appeal not upheld)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = quarter_bounds(campaign.year, quarter)
    units: OrderedDict[int, BulletinUnit] = OrderedDict()
    visits = (
        Visit.objects.filter(tenant_id=campaign.tenant_id, campaign=campaign, visited_at__gte=start, visited_at__lt=end)
        .order_by("unit__code")
        .values_list("unit_id", "unit__code", "unit__name")
    )
    for unit_id, code, name in visits:
        units.setdefault(unit_id, BulletinUnit(code=code, name=name)).visits += 1
    findings = (
        Finding.objects.filter(
            tenant_id=campaign.tenant_id, visit__campaign=campaign, status=Finding.Status.CONFIRMED,
            visit__visited_at__gte=start, visit__visited_at__lt=end,
        )
        .filter(~Q(appeal=Finding.Appeal.UPHELD))
        .select_related("visit", "item")
        .order_by("visit__visited_at", "id")
    )
    for finding in findings:
        visit = finding.visit
        units[visit.unit_id].lines.append(
            BulletinLine(
                visited_on=visit.visited_at.astimezone(zone).date(),
                mode=visit.get_mode_display(),
                finding=finding.item.finding,
                count=finding.count,
                points=finding.points,
                note=finding.note,
                visit_id=visit.pk,
            )
        )
    return Bulletin(
        campaign=campaign, quarter=quarter, start=start.date(), end=(end - dt.timedelta(days=1)).date(),
        units=list(units.values()),
    )
