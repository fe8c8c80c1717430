"""The complaints register (投诉件登记) and how its outcomes deduct through the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, LedgerEntry, TenantOwned, Unit


class Outcome(models.TextChoices):
    """Outcomes that deduct (Zhangzhou: 超期 2, 两次退回 5, 与事实不符 10 per case)."""

    OVERDUE = "overdue", _("超期办理")
    RETURNED_TWICE = "returned_twice", _("两次退回重办")
    CONTRARY_TO_FACT = "contrary_to_fact", _("办理结果与事实不符")


class ComplaintRule(TenantOwned):
    """Which leaf and deduction kind (rule key) an outcome is filed under (投诉件扣分规则)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="complaint_rules")
    outcome = models.CharField(_("情形"), max_length=30, choices=Outcome.choices)
    node = models.ForeignKey("indicators.IndicatorNode", on_delete=models.CASCADE, related_name="+", verbose_name=_("指标"))
    rule_key = models.CharField(_("扣分事项"), max_length=60)

    class Meta:
        ordering = ["campaign", "outcome"]
        constraints = [models.UniqueConstraint(fields=["campaign", "outcome"], name="complaint_rule_unique")]


class Complaint(TenantOwned):
    """A complaint (投诉件) from a firm or citizen, assigned to a unit with a deadline."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("办理中")
        REPLIED = "replied", _("已答复待审")
        CLOSED = "closed", _("已办结")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="complaints")
    number = models.CharField(_("编号"), max_length=60)
    received_on = models.DateField(_("收件日期"))
    complainant = models.CharField(_("投诉人"), max_length=200, blank=True)
    summary = models.TextField(_("投诉事项"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位"))
    deadline = models.DateField(_("办理期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    reply = models.TextField(_("办理结果"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    last_return_reason = models.TextField(_("退回理由"), blank=True)
    reminded_on = models.DateField(_("已提醒"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-received_on", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="complaint_number_unique")]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number} {self.unit_id}"


class ComplaintDeduction(TenantOwned):
    """An outcome of a complaint that was filed in the ledger — once per complaint and outcome."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="deductions")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["complaint", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "outcome"], name="complaint_deduction_once")
        ]
