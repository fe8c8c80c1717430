"""Rectification reports (整改报告): the unit files, the office accepts or returns."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.models import RectificationReport


class RectificationError(Exception):
    pass


@transaction.atomic
def rectification_file(*, actor, report: RectificationReport, text: str) -> RectificationReport:
    report = RectificationReport.objects.select_for_update().get(pk=report.pk)
    if report.status not in (RectificationReport.Status.AWAITING, RectificationReport.Status.RETURNED):
        raise RectificationError(_("整改报告已提交,等待审核。"))
    text = text.strip()
    if not text:
        raise RectificationError(_("请填写整改报告。"))
    report.report = text
    report.status = RectificationReport.Status.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    report.save(update_fields=["report", "status", "submitted_by", "submitted_at"])
    return report


@transaction.atomic
def rectification_review(*, actor, report: RectificationReport, accept: bool, comment: str = "") -> RectificationReport:
    report = RectificationReport.objects.select_for_update().get(pk=report.pk)
    if report.status != RectificationReport.Status.SUBMITTED:
        raise RectificationError(_("只能审核已提交的整改报告。"))
    if not accept and not comment.strip():
        raise RectificationError(_("退回须写明意见。"))
    report.status = RectificationReport.Status.ACCEPTED if accept else RectificationReport.Status.RETURNED
    report.review_comment = comment.strip()
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_comment", "reviewed_at"])
    return report
