"""Test data that keeps the tenant consistent across related objects."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from evaluation.models import Campaign, CampaignUnit, Category, Department, Membership, Tenant, Unit
from evaluation.roles import Role

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"  # noqa: S105


def make_tenant(slug: str | None = None, name: str | None = None) -> Tenant:
    n = next(_seq)
    return Tenant.objects.create(slug=slug or f"tenant-{n}", name=name or f"效能办 {n}")


def make_unit(tenant: Tenant, code: str | None = None, name: str | None = None) -> Unit:
    n = next(_seq)
    return Unit.objects.create(tenant=tenant, code=code or f"U{n}", name=name or f"单位{n}")


def make_department(tenant: Tenant, kind=Department.Kind.PROVIDER) -> Department:
    n = next(_seq)
    return Department.objects.create(tenant=tenant, code=f"D{n}", name=f"部门{n}", kind=kind)


def make_user(username: str | None = None):
    user = get_user_model()(username=username or f"user{next(_seq)}")
    user.set_password(PASSWORD)
    user.save()
    return user


def make_member(tenant: Tenant, role: str = Role.OFFICE_ADMIN, *, user=None, unit=None, department=None):
    if role == Role.LIAISON and unit is None:
        unit = make_unit(tenant)
    if role in (Role.DATA_PROVIDER, Role.VETO_AUTHORITY) and department is None:
        kind = Department.Kind.VETO if role == Role.VETO_AUTHORITY else Department.Kind.PROVIDER
        department = make_department(tenant, kind)
    return Membership.objects.create(
        tenant=tenant, user=user or make_user(), role=role, unit=unit, department=department
    )


def make_campaign(tenant: Tenant, year: int = 2026, name: str = "年度考评") -> Campaign:
    return Campaign.objects.create(tenant=tenant, year=year, name=name)


def make_category(campaign: Campaign, code: str = "C1", name: str = "第一类") -> Category:
    return Category.objects.create(tenant=campaign.tenant, campaign=campaign, code=code, name=name)


def enrol(campaign: Campaign, unit: Unit, category: Category | None) -> CampaignUnit:
    return CampaignUnit.objects.create(
        tenant=campaign.tenant, campaign=campaign, unit=unit, category=category, survey_only=category is None
    )
