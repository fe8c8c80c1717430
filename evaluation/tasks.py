"""Celery tasks: ids in, one service call. Retries and limits are explicit.

A worker that dies mid-task leaves the message unacknowledged (``acks_late``); the broker delivers
it again, marked ``redelivered``, and the service takes the abandoned job over (docs/computation.md,
"When a worker dies").
"""

from celery import shared_task
from django.conf import settings

from evaluation.services.compute import compute_job_execute
from evaluation.services.compute_recovery import compute_jobs_requeue_stalled
from evaluation.tasks_year import deadline_reminders

__all__ = ["compute_job_run", "compute_jobs_requeue_stalled_run", "deadline_reminders"]


def redelivered(task) -> bool:
    """Whether the broker hands this task out again because the worker that had it is gone."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


def job_task(run):
    """A job's task (computation, bulletin): acknowledged when it ends, handed out again when its
    worker is lost, within the configured time limits."""
    return shared_task(
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        time_limit=settings.CELERY_TASK_TIME_LIMIT,
        soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    )(run)


@job_task
def compute_job_run(self, job_id: int) -> int:
    return compute_job_execute(job_id=job_id, redelivered=redelivered(self)).pk


@shared_task(name="evaluation.compute_jobs_requeue_stalled", acks_late=True, time_limit=300, soft_time_limit=240)
def compute_jobs_requeue_stalled_run() -> list[int]:
    return compute_jobs_requeue_stalled()
