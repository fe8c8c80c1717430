"""Hand computation jobs whose worker is gone back to the workers (beat, every five minutes).

The broker already delivers again the task of a worker that died (``acks_late``, Redis
``visibility_timeout``). What it cannot see is a job whose message is gone: its worker hit the
hard time limit (the task then counts as handled), the enqueue after commit failed because
Redis was down, or Redis lost its data. Such a job sits "queued" or "running" for good and, by
the one-unfinished-job-per-campaign rule, every later computation request joins it. A job older
than ``KAOPING_JOB_STALE_SECONDS`` (longer than the hard time limit) cannot still be held by a
live worker, so sending its task again is safe: ``compute_job_execute`` takes it over, and any
duplicate delivery finds it finished or freshly taken and leaves it alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from evaluation.models import ComputeJob


def stalled_jobs(model, *, now: datetime | None = None) -> list[int]:
    """Ids of ``model``'s jobs (a job row with created/running states) that no worker holds."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.KAOPING_JOB_STALE_SECONDS)
    return list(
        model.objects.filter(
            Q(status=model.Status.RUNNING, started_at__lt=cutoff) | Q(status=model.Status.CREATED, created_at__lt=cutoff)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def held_by_live_worker(job, *, redelivered: bool, now: datetime | None = None) -> bool:
    """Whether a running job is still another worker's: not redelivered by the broker (its worker
    would be gone) and started less than ``KAOPING_JOB_STALE_SECONDS`` ago."""
    if job.status != job.Status.RUNNING or job.started_at is None or redelivered:
        return False
    return job.started_at > (now or timezone.now()) - timedelta(seconds=settings.KAOPING_JOB_STALE_SECONDS)


def compute_jobs_requeue_stalled(*, now: datetime | None = None) -> list[int]:
    """Enqueue the task of every stalled computation job again; returns their ids."""
    from evaluation.tasks import compute_job_run

    ids = stalled_jobs(ComputeJob, now=now)
    for job_id in ids:
        compute_job_run.delay(job_id)
    return ids
