"""Bulletin jobs (通报生成任务): record, enqueue after commit, render with progress on the row.

Safe to run twice: a finished job is returned untouched; a job left running by a killed worker
is rendered again when the task is redelivered, and a file it left half written is replaced whole.
The job turns "done" only in the transaction that records its complete file.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation.models import ResultRevision
from reporting.models import BulletinJob
from reporting.models.bulletins import bulletin_path
from reporting.services import rendering

logger = logging.getLogger(__name__)

RENDERERS = {
    BulletinJob.Kind.PDF: (rendering.render_bulletin_pdf, "pdf"),
    BulletinJob.Kind.XLSX: (rendering.render_bulletin_xlsx, "xlsx"),
    BulletinJob.Kind.SCORECARDS: (lambda revision, progress: rendering.render_scorecards_pdf(revision, progress=progress), "pdf"),
}
FILE_STEMS = {
    BulletinJob.Kind.PDF: "bulletin",
    BulletinJob.Kind.XLSX: "bulletin",
    BulletinJob.Kind.SCORECARDS: "scorecards",
}


def bulletin_job_start(*, revision: ResultRevision, kind: str, actor=None) -> BulletinJob:
    """Record a job (or return the unfinished one of this kind) and enqueue it after commit."""
    from reporting.tasks import bulletin_job_run

    job, created = bulletin_job_create(revision=revision, kind=kind, actor=actor)
    if created:
        # robust: a broker that is down must not turn the committed request into an error; the
        # job stays queued and the beat sweep (bulletin_jobs_requeue_stalled) sends it later
        transaction.on_commit(lambda: bulletin_job_run.delay(job.pk), robust=True)
    return job


@transaction.atomic
def bulletin_job_create(*, revision: ResultRevision, kind: str, actor=None) -> tuple[BulletinJob, bool]:
    if kind not in BulletinJob.Kind.values:
        raise ValueError(f"unknown bulletin kind {kind!r}")
    try:
        with transaction.atomic():
            return (
                BulletinJob.objects.create(
                    tenant_id=revision.tenant_id, revision=revision, kind=kind, requested_by=actor
                ),
                True,
            )
    except IntegrityError:  # one unfinished job per revision and kind: the second click joins it
        job = BulletinJob.objects.filter(
            revision=revision, kind=kind, status__in=[BulletinJob.Status.CREATED, BulletinJob.Status.RUNNING]
        ).first()
        if job is None:  # it finished between our insert and this read
            return bulletin_job_create(revision=revision, kind=kind, actor=actor)
        return job, False


def _progress_writer(job_id: int):
    def write(done: int, total: int) -> None:
        BulletinJob.objects.filter(pk=job_id).update(progress=done, total=total)

    return write


def bulletin_job_execute(*, job_id: int, redelivered: bool = False) -> BulletinJob:
    """Render one job. A job already running is taken over only when its worker is gone (the task
    is ``redelivered``, or it has run past ``KAOPING_JOB_STALE_SECONDS``), as computation does."""
    from evaluation.services.compute_recovery import held_by_live_worker

    with transaction.atomic():
        job = BulletinJob.objects.select_for_update(of=("self",)).select_related("revision__campaign__tenant").get(pk=job_id)
        if job.is_finished:
            return job
        if held_by_live_worker(job, redelivered=redelivered):
            return job
        job.status = BulletinJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    render, extension = RENDERERS[job.kind]
    revision = job.revision
    try:
        content = render(revision, _progress_writer(job.pk))
    except Exception as exc:  # recorded for the office to read; a rerun would fail alike
        logger.exception("bulletin job %s failed", job_id)
        BulletinJob.objects.filter(pk=job.pk).update(
            status=BulletinJob.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        job = BulletinJob.objects.select_for_update(of=("self",)).select_related("revision__campaign").get(pk=job_id)
        if job.is_finished:  # a delivery that took the job over finished it first
            return job
        name = f"{FILE_STEMS[job.kind]}-{revision.campaign.year}-r{revision.number}-{job.pk}.{extension}"
        # A killed attempt of this job may have left this very file half written; the storage would
        # keep it and pick another name, so it goes first and the complete file takes its place.
        job.file.storage.delete(bulletin_path(job, name))
        job.file.save(name, ContentFile(content), save=False)
        job.status = BulletinJob.Status.DONE
        job.finished_at = timezone.now()
        job.progress = job.total = max(job.total, 1)
        job.save(update_fields=["file", "status", "finished_at", "progress", "total"])
    return job


def bulletin_jobs_requeue_stalled(*, now: datetime | None = None) -> list[int]:
    """Enqueue again every bulletin job no worker holds (beat; see evaluation.services.compute_recovery)."""
    from evaluation.services.compute_recovery import stalled_jobs
    from reporting.tasks import bulletin_job_run

    ids = stalled_jobs(BulletinJob, now=now)
    for job_id in ids:
        bulletin_job_run.delay(job_id)
    return ids
