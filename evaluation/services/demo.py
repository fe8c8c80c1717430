"""The demo tenant: one efficiency office with a person per role and worked example A's units.

Idempotent: running it again finds what exists and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from evaluation.models import Department, Membership, Tenant, Unit
from evaluation.roles import Role

DEMO_TENANT_SLUG = "demo"
DEMO_PASSWORD = "kaoping-demo"  # noqa: S105  (printed on purpose: it is the demo's login)

DEMO_UNITS = [
    ("U1", "财政局", "政府工作部门"),
    ("U2", "环保局", "政府工作部门"),
    ("U3", "交通局", "政府工作部门"),
    ("U4", "档案馆", "其他市直单位"),
    ("U5", "气象局", "垂直管理单位"),
    ("U6", "市场监管局", "政府工作部门"),
]
DEMO_DEPARTMENTS = [
    ("jw", "市纪委监察局", Department.Kind.PROVIDER),
    ("aj", "安全生产监督管理局", Department.Kind.VETO),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    detail: str


DEMO_PEOPLE = [
    ("office", Role.OFFICE_ADMIN, None, None, "效能办 王主任"),
    ("assessor", Role.ASSESSOR, None, None, "考评组 李组员"),
    ("liaison", Role.LIAISON, "U1", None, "财政局 陈联络员"),
    ("provider", Role.DATA_PROVIDER, None, "jw", "市纪委 赵干部"),
    ("supervisor", Role.SUPERVISOR, None, None, "监督员 孙监督员"),
    ("veto", Role.VETO_AUTHORITY, None, "aj", "安监局 周科长"),
    ("leader", Role.LEADER, None, None, "领导 吴副市长"),
]


@transaction.atomic
def demo_load() -> tuple[Tenant, list[DemoLogin]]:
    tenant, _ = Tenant.objects.get_or_create(
        slug=DEMO_TENANT_SLUG,
        defaults={"name": "南平市机关效能建设领导小组办公室(演示)", "office_name": "南平市效能办"},
    )
    units = {}
    for code, name, kind in DEMO_UNITS:
        units[code], _ = Unit.objects.get_or_create(
            tenant=tenant, code=code, defaults={"name": name, "kind": kind}
        )
    departments = {}
    for code, name, kind in DEMO_DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(
            tenant=tenant, code=code, defaults={"name": name, "kind": kind}
        )
    user_model = get_user_model()
    logins = []
    for username, role, unit_code, department_code, full_name in DEMO_PEOPLE:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=full_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            tenant=tenant,
            user=user,
            defaults={
                "role": role,
                "unit": units.get(unit_code),
                "department": departments.get(department_code),
            },
        )
        logins.append(DemoLogin(username=username, role=str(role.label), detail=full_name))
    from evaluation.demo_hooks import run_demo_hooks

    run_demo_hooks(tenant)
    return tenant, logins
