"""Fixtures for spot checks and complaints: two tenants, a campaign with a catalogue."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation.roles import Role
from inspections.models import CatalogueItem
from inspections.services.visits import FindingInput, VisitInput, finding_review, visit_submit
from tests import factories


@pytest.fixture
def world(db):
    tenant = factories.make_tenant("insp-a", "甲市效能办")
    other = factories.make_tenant("insp-b", "乙县效能办")
    campaign = factories.make_campaign(tenant)
    category = factories.make_category(campaign)
    units = {code: factories.make_unit(tenant, code, name) for code, name in [("U1", "财政局"), ("U2", "环保局"), ("U3", "交通局")]}
    for unit in units.values():
        factories.enrol(campaign, unit, category)
    office = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("office"))
    supervisor = factories.make_member(tenant, Role.SUPERVISOR, user=factories.make_user("sup"))
    liaison = factories.make_member(tenant, Role.LIAISON, unit=units["U2"], user=factories.make_user("liaison2"))
    outsider = factories.make_member(other, Role.OFFICE_ADMIN, user=factories.make_user("outsider"))
    items = {
        code: CatalogueItem.objects.create(tenant=tenant, campaign=campaign, code=code, finding=finding, points=Decimal(points))
        for code, finding, points in [
            ("A1", "工作人员迟到早退", "1"),
            ("A2", "窗口无人值守", "2"),
            ("A3", "服务态度生硬", "3"),
        ]
    }
    return {
        "tenant": tenant, "other": other, "campaign": campaign, "category": category, "units": units,
        "office": office, "supervisor": supervisor, "liaison": liaison, "outsider": outsider, "items": items,
    }


@pytest.fixture
def log_visit(world):
    """Submit a visit through the service; findings as (item code, count)."""

    def log(unit_code: str, *findings: tuple[str, int], confirm: bool = False, when: dt.datetime | None = None):
        data = VisitInput(
            key=uuid.uuid4(),
            unit_id=world["units"][unit_code].pk,
            mode="covert",
            visited_at=when or timezone.now() - dt.timedelta(hours=1),
            findings=[FindingInput(item_id=world["items"][code].pk, count=count) for code, count in findings],
        )
        visit, _ = visit_submit(supervisor=world["supervisor"], campaign=world["campaign"], data=data)
        if confirm:
            for finding in visit.findings.all():
                finding_review(finding=finding, reviewer=world["office"].user, decision="confirmed")
        return visit

    return log
