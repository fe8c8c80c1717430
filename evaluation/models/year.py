"""The year's work between configuration and results (domain sections 2, 5, 6 and 9).

Refined targets with their review rounds (指标细化, "几上几下"), self-assessment (自评) with its
evidence (佐证材料), ledger appeals (申诉), per-campaign settings and in-app notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models.campaigns import Campaign
from evaluation.models.inputs import LedgerEntry
from evaluation.models.tenancy import TenantOwned, Unit


class CampaignSettings(TenantOwned):
    """A campaign's settings for the year's work (年度工作设置): the appeal window (申诉期限)
    and how many days ahead deadline reminders go out."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="year_settings")
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限(天)"), default=7)
    reminder_days = models.PositiveSmallIntegerField(_("截止前提醒(天)"), default=3)

    class Meta:
        verbose_name_plural = "campaign settings"


class TargetSheet(TenantOwned):
    """A unit's refined annual targets (指标细化) for one campaign: drafted by its liaison,
    reviewed item by item by the office, frozen on approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="target_sheets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="target_sheet_unique")]

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class TargetItem(TenantOwned):
    """One refined target (细化指标): a unit's own leaf under a shared node the scheme opens for
    targets. On approval it becomes an indicator leaf of the unit (``node``)."""

    class Decision(models.TextChoices):
        PENDING = "", _("待审核")
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回")

    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("indicators.IndicatorNode", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("目标名称"), max_length=200)
    description = models.TextField(_("目标内容与完成标准"), blank=True)
    points = models.DecimalField(_("分值"), max_digits=10, decimal_places=2)
    order = models.PositiveIntegerField(default=0)
    decision = models.CharField(_("审核意见"), max_length=20, choices=Decision.choices, blank=True, default="")
    comment = models.TextField(_("退回意见"), blank=True)
    node = models.OneToOneField(
        "indicators.IndicatorNode", on_delete=models.SET_NULL, null=True, blank=True, related_name="target_item"
    )

    class Meta:
        ordering = ["sheet", "parent__order", "parent__code", "order", "id"]


class TargetRound(TenantOwned):
    """One round of submission and review (一上一下): what was submitted, and the office's
    decision and comment on each item, kept for good."""

    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # [{"item": id, "parent": code, "name", "description", "points", "decision", "comment"}]
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["sheet", "number"]
        constraints = [models.UniqueConstraint(fields=["sheet", "number"], name="target_round_unique")]


class SelfAssessmentSheet(TenantOwned):
    """A unit's self-assessment (自评) for a campaign: drafts until submitted once; the office
    may reopen it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="self_sheets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("退回重填理由"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="self_sheet_unique")]


class SelfAssessment(TenantOwned):
    """A unit's self-score and narrative (自评得分与说明) for one leaf."""

    sheet = models.ForeignKey(SelfAssessmentSheet, on_delete=models.CASCADE, related_name="entries")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("indicators.IndicatorNode", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("自评分"), max_digits=10, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("自评说明"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "node"], name="self_assessment_unique")]


class Appeal(TenantOwned):
    """A unit's appeal (申诉) against a ledger entry, decided by the office."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立(已撤销)")
        REJECTED = "rejected", _("维持原登记")

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="appeals")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "filed_at"]


class Evidence(TenantOwned):
    """An evidence file (佐证材料) attached to a self-assessment, a ledger entry or an appeal.

    Stored under a random name in the default storage; served only by a permission-checked view.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    file = models.FileField(max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"


class Notification(TenantOwned):
    """An in-app notification (消息提醒) to one person; also sent by e-mail.

    ``key`` makes reminders idempotent: the same reminder is never created twice for a person.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "key"], condition=~models.Q(key=""), name="notification_key_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]
