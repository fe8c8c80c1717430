"""Publication of result revisions (结果发布): review, approval, the frozen published revision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, ResultRevision, TenantOwned, Unit


class FrozenRevisionError(Exception):
    """A published result revision (已公布的结果版本) was about to change."""


class Publication(TenantOwned):
    """The publication (结果发布) of one result revision: submitted by the office for review
    (送审), approved by a leader (审定), published (公布). Publishing freezes the revision; a
    correction is a new publication of a newer revision with its reason (更正), and the
    corrected one stays readable.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审定")
        APPROVED = "approved", _("已审定")
        PUBLISHED = "published", _("已公布")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="publications")
    revision = models.OneToOneField(ResultRevision, on_delete=models.PROTECT, related_name="publication")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    reason = models.TextField(_("更正理由"), blank=True)
    correction_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "-submitted_at"]
        constraints = [
            # at most one publication under way (submitted or approved) per campaign
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(status__in=["submitted", "approved"]),
                name="one_open_publication_per_campaign",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_publication_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} r{self.revision_id}: {self.status}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class RectificationReport(TenantOwned):
    """A unit's rectification report (整改报告) on the feedback (反馈意见) of a published result.

    The office writes the feedback at publication; the unit files its report; the office accepts
    it or returns it for more work, and tracks where every unit stands.
    """

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("待提交")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已通过")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="rectifications")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    feedback = models.TextField(_("反馈意见"), blank=True)
    report = models.TextField(_("整改报告"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.AWAITING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publication", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit"], name="rectification_one_per_unit")
        ]
