"""Bulletin jobs (通报生成任务): PDF and Excel bulletins and score cards, kept with the revision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import ResultRevision, TenantOwned


def bulletin_path(job: BulletinJob, filename: str) -> str:
    return f"bulletins/{job.tenant_id}/{job.revision.campaign_id}/r{job.revision.number}/{filename}"


class BulletinJob(TenantOwned):
    """A bulletin job (通报生成任务): created → running → done / failed, progress on the row.

    The file it makes stays with the revision. One unfinished job per revision and kind, so two
    clicks never render the same file twice at once.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("通报(PDF)")
        XLSX = "xlsx", _("通报(Excel)")
        SCORECARDS = "scorecards", _("全部成绩单(PDF)")

    class Status(models.TextChoices):
        CREATED = "created", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    revision = models.ForeignKey(ResultRevision, on_delete=models.CASCADE, related_name="bulletin_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    file = models.FileField(upload_to=bulletin_path, max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "kind"],
                condition=models.Q(status__in=["created", "running"]),
                name="one_unfinished_bulletin_job_per_kind",
            )
        ]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return self.progress * 100 // self.total if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
