"""The year's inputs that the scoring engine reads, per unit and leaf.

Ledger entries (台帐), leaf measures, assessors' scores, directly entered component scores and
veto decisions. Surveys and inspections keep their own tables in their apps and hand tallies
to the computation through their selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models.campaigns import Campaign
from evaluation.models.tenancy import Department, TenantOwned, Unit


class LedgerEntry(TenantOwned):
    """A ledger entry (台帐): a dated deduction or bonus filed against a unit's leaf indicator.

    Voiding keeps the row and records why; only non-voided entries reach the engine.
    """

    class Kind(models.TextChoices):
        DEDUCTION = "deduction", _("扣分")
        BONUS = "bonus", _("加分")

    class Exempt(models.TextChoices):
        NONE = "", _("否")
        SELF_REPORTED = "self_reported", _("自行查处/主动报告")
        SELF_CORRECTED = "self_corrected", _("自查自纠")

    class JointRole(models.TextChoices):
        NONE = "", _("否")
        LEAD = "lead", _("主办单位")
        CO = "co", _("联办单位")

    class Status(models.TextChoices):
        FILED = "filed", _("已登记")
        APPEALED = "appealed", _("申诉中")
        CONFIRMED = "confirmed", _("已确认")
        VOIDED = "voided", _("已撤销")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ledger_entries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_entries")
    node = models.ForeignKey("indicators.IndicatorNode", on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    rule_key = models.CharField(_("计分事项"), max_length=60)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, default=1)
    points = models.DecimalField(_("分值"), max_digits=10, decimal_places=2, default=0)
    occurred_on = models.DateField(_("日期"))
    source_document = models.CharField(_("来源文号"), max_length=200, blank=True)
    event_key = models.CharField(_("事项标识"), max_length=120, blank=True)
    exempt = models.CharField(_("免扣"), max_length=20, choices=Exempt.choices, blank=True, default="")
    joint_role = models.CharField(_("联办"), max_length=10, choices=JointRole.choices, blank=True, default="")
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.FILED)
    void_reason = models.TextField(_("撤销理由"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "unit", "occurred_on", "id"]
        indexes = [models.Index(fields=["campaign", "unit", "status"])]
        verbose_name_plural = "ledger entries"


class LeafMeasure(TenantOwned):
    """A measured value of a leaf for a unit (e.g. targets done, acceptance rate), or the list
    of missing checklist items."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="measures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("indicators.IndicatorNode", on_delete=models.CASCADE, related_name="measures")
    value = models.DecimalField(_("实际值"), max_digits=14, decimal_places=4, null=True, blank=True)
    items = models.JSONField(_("缺失事项"), default=list, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "node"], name="measure_unique")]


class AssessedScore(TenantOwned):
    """An assessor's verified score (考评组评分) of a manual or tiered leaf for a unit."""

    class Verification(models.TextChoices):
        ON_SITE = "on_site", _("实地核验")
        DOCUMENTS = "documents", _("资料审核")
        COMPREHENSIVE = "comprehensive", _("综合评议")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessed_scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("indicators.IndicatorNode", on_delete=models.CASCADE, related_name="assessed_scores")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=10, decimal_places=2, null=True, blank=True)
    tier = models.CharField(_("档次"), max_length=10, blank=True)
    tier_adjustment = models.CharField(_("档内调整"), max_length=1, blank=True)
    verification = models.CharField(_("核验方式"), max_length=20, choices=Verification.choices, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    is_final = models.BooleanField(_("最终分"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "node", "assessor"], name="assessed_unique")
        ]


class DirectScore(TenantOwned):
    """A component score entered directly for a unit (e.g. leader evaluation 领导评价), or the
    count of special evaluations in which the unit is among the last five (key ``special_last``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="direct_scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "key"], name="direct_unique")]


class VetoDecision(TenantOwned):
    """A veto authority's sign-off or veto (一票否决) of a unit."""

    class Decision(models.TextChoices):
        SIGNED_OFF = "signed_off", _("同意")
        VETOED = "vetoed", _("否决")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="veto_decisions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(_("理由"), blank=True)
    document = models.FileField(upload_to="vetoes/%Y/", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "department"], name="veto_decision_unique")
        ]
