"""A small campaign for the year's work: two units of one category, every role, a tree with a
node open for targets, a manual leaf, a tiered leaf and a ledger leaf provided by a department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from evaluation.models import Department
from evaluation.roles import Role
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class YearWorld:
    tenant: object
    campaign: object
    category: object
    u1: object
    u2: object
    office: object
    assessor: object
    assessor2: object
    leader: object
    liaison1: object
    liaison2: object
    provider: object
    other_provider: object
    veto: object
    supervisor: object
    open_node: object
    manual: object
    tiered: object
    complaints: object
    other_tenant_office: object

    def url(self, name, **kwargs):
        from django.urls import reverse

        if name not in ("index", "notifications", "notifications_read", "notification_open", "evidence_download"):
            kwargs.setdefault("campaign_id", self.campaign.pk)
        return reverse(f"year:{name}", kwargs={"tenant_slug": self.tenant.slug, **kwargs})


@pytest.fixture
def year(db):
    from indicators.models import IndicatorNode

    tenant = factories.make_tenant("year-a", "甲市效能办")
    other = factories.make_tenant("year-b", "乙县效能办")
    campaign = factories.make_campaign(tenant)
    category = factories.make_category(campaign)
    u1 = factories.make_unit(tenant, "U1", "财政局")
    u2 = factories.make_unit(tenant, "U2", "环保局")
    factories.enrol(campaign, u1, category)
    factories.enrol(campaign, u2, category)
    provider_dept = factories.make_department(tenant, Department.Kind.PROVIDER)
    other_dept = factories.make_department(tenant, Department.Kind.PROVIDER)
    veto_dept = factories.make_department(tenant, Department.Kind.VETO)

    def member(role, name, **kw):
        user = factories.make_user(name)
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
        return factories.make_member(tenant, role, user=user, **kw)

    root = IndicatorNode.objects.create(tenant=tenant, category=category, code="1", name="履职")
    open_node = IndicatorNode.objects.create(tenant=tenant, category=category, parent=root, code="1.1",
                                             name="年度职能目标", points=Decimal(30), open_for_targets=True, order=1)
    manual = IndicatorNode.objects.create(tenant=tenant, category=category, parent=root, code="1.2",
                                          name="重点工作", points=Decimal(20), method="manual", order=2)
    tiered = IndicatorNode.objects.create(
        tenant=tenant, category=category, parent=root, code="1.3", name="综合评议", points=Decimal(10),
        method="tiered", order=3,
        params={"tiers": [{"code": "A", "low_pct": "90", "high_pct": "100"},
                          {"code": "B", "low_pct": "80", "high_pct": "90"}]},
    )
    complaints = IndicatorNode.objects.create(
        tenant=tenant, category=category, parent=root, code="3.1.1", name="投诉办理", points=Decimal(15),
        method="deduct_per_occurrence", provider=provider_dept, order=4,
        params={"kinds": [{"key": "overdue", "label": "逾期", "deduction": "2"}], "floor": True},
    )
    return YearWorld(
        tenant=tenant, campaign=campaign, category=category, u1=u1, u2=u2,
        office=member(Role.OFFICE_ADMIN, "office"),
        assessor=member(Role.ASSESSOR, "assessor"),
        assessor2=member(Role.ASSESSOR, "assessor2"),
        leader=member(Role.LEADER, "leader"),
        liaison1=member(Role.LIAISON, "liaison1", unit=u1),
        liaison2=member(Role.LIAISON, "liaison2", unit=u2),
        provider=member(Role.DATA_PROVIDER, "provider", department=provider_dept),
        other_provider=member(Role.DATA_PROVIDER, "provider2", department=other_dept),
        veto=member(Role.VETO_AUTHORITY, "veto", department=veto_dept),
        supervisor=member(Role.SUPERVISOR, "supervisor"),
        open_node=open_node, manual=manual, tiered=tiered, complaints=complaints,
        other_tenant_office=factories.make_member(other, Role.OFFICE_ADMIN, user=factories.make_user("outsider")),
    )


@pytest.fixture
def login(client):
    def as_(membership):
        client.force_login(membership.user)
        return client

    return as_


def set_deadline(campaign, phase, days_from_today: int):
    from django.utils import timezone

    from evaluation.models import CampaignPhase

    CampaignPhase.objects.update_or_create(
        campaign=campaign, phase=phase,
        defaults={"tenant": campaign.tenant, "deadline": timezone.localdate() + dt.timedelta(days=days_from_today)},
    )
