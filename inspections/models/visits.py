"""Spot-check visits (明察暗访), their findings and photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, Membership, TenantOwned, Unit
from inspections.models.catalogue import CatalogueItem, VisitAssignment


class Visit(TenantOwned):
    """A supervisor's spot-check visit (监督员明察暗访情况表): unit, time, place, findings, photos.

    ``key`` is generated on the phone; the server upserts by (tenant, key) so a send retried
    after a lost answer records the visit once. ``conflicts`` lists what changed on the server
    between recording and sending (a unit left the campaign, a catalogue item changed); the
    visit is kept and the conflicts are shown, never dropped.
    """

    class Mode(models.TextChoices):
        COVERT = "covert", _("暗访")
        ANNOUNCED = "announced", _("明察")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        REVIEWED = "reviewed", _("已审核")

    key = models.UUIDField(_("幂等键"))
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspection_visits")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    supervisor = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("监督员"))
    assignment = models.ForeignKey(VisitAssignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    mode = models.CharField(_("方式"), max_length=20, choices=Mode.choices)
    visited_at = models.DateTimeField(_("察访时间"))
    place = models.CharField(_("地点"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    conflicts = models.JSONField(_("冲突"), default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="inspection_visit_key_unique")]
        indexes = [models.Index(fields=["campaign", "unit", "status"])]

    def __str__(self) -> str:
        return f"visit {self.pk} {self.unit_id} {self.visited_at:%Y-%m-%d}"

    @property
    def quarter(self) -> int:
        return (self.visited_at.month - 1) // 3 + 1


class Finding(TenantOwned):
    """A finding (察访发现问题) of a visit: a catalogue item, how often, and a note.

    ``points_each`` is the catalogue's price when the server received the visit, so a later
    catalogue edit cannot change a confirmed deduction behind the office's back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("不予认定")

    class Appeal(models.TextChoices):
        NONE = "", _("无")
        PENDING = "pending", _("申诉中")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("申诉驳回")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="findings")
    count = models.PositiveIntegerField(_("次数"), default=1)
    note = models.TextField(_("说明"), blank=True)
    points_each = models.DecimalField(_("每次扣分"), max_digits=8, decimal_places=2)
    status = models.CharField(_("审核"), max_length=20, choices=Status.choices, default=Status.PENDING)
    review_reason = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    appeal = models.CharField(_("申诉"), max_length=20, choices=Appeal.choices, blank=True, default="")
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decision = models.TextField(_("申诉处理意见"), blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(count__gte=1), name="inspection_finding_count_positive")]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.count}"

    @property
    def points(self):
        return self.points_each * self.count

    @property
    def counts(self) -> bool:
        """True when the finding takes points off: confirmed and not overturned on appeal."""
        return self.status == self.Status.CONFIRMED and self.appeal != self.Appeal.UPHELD


def photo_path(instance: VisitPhoto, filename: str) -> str:
    # The name comes from the idempotency key, never from the phone's file name.
    return f"inspections/{instance.tenant_id}/{instance.visit_id}/{instance.key}.{instance.extension}"


class VisitPhoto(TenantOwned):
    """A photo (现场照片) taken during a visit, stored privately and served through a checked view."""

    key = models.UUIDField(_("幂等键"))
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="inspection_photo_key_unique")]
