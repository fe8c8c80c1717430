"""Tenants, their units and departments, and people's memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.roles import Role, role_can

slug_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]{1,48}$", _("小写字母、数字和连字符"))


class Tenant(models.Model):
    """An evaluating authority (考评机关): an efficiency office (效能办) of a province, city,
    county or township, or a bureau evaluating its own sections (股室)."""

    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(_("名称"), max_length=200)
    office_name = models.CharField(_("发文机关"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantOwned(models.Model):
    """Base of every tenant-owned row: the tenant key is never null, so every query can scope."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=True)

    class Meta:
        abstract = True


class Department(TenantOwned):
    """A department that provides data (数据提供部门) or holds a veto (一票否决部门)."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("数据提供部门")
        VETO = "veto", _("一票否决部门")

    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.PROVIDER)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="department_code_unique")]

    def __str__(self) -> str:
        return self.name


class Unit(TenantOwned):
    """An evaluated unit (被考评单位): a department, bureau or section."""

    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("单位性质"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Membership(TenantOwned):
    """A person's role in one tenant. A person may belong to several tenants with different roles.

    A unit liaison (单位联络员) is bound to one unit; a data provider (数据提供部门) or veto
    authority (一票否决部门) to one department.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tenant", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
            models.CheckConstraint(
                condition=~models.Q(role=Role.LIAISON) | models.Q(unit__isnull=False),
                name="membership_liaison_has_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.DATA_PROVIDER, Role.VETO_AUTHORITY])
                | models.Q(department__isnull=False),
                name="membership_provider_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id}: {self.role}"

    def can(self, action: str) -> bool:
        return self.is_active and role_can(self.role, action)

    @property
    def is_liaison(self) -> bool:
        return self.role == Role.LIAISON
