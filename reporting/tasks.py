"""Celery tasks: ids in, one service call. Retries and limits are explicit.

A worker that dies mid-task leaves the message unacknowledged (``acks_late``); the broker delivers
it again, marked ``redelivered``, and the service takes the abandoned job over.
"""

from celery import shared_task

from evaluation.tasks import job_task, redelivered
from reporting.services.bulletins import bulletin_job_execute, bulletin_jobs_requeue_stalled


@job_task
def bulletin_job_run(self, job_id: int) -> int:
    return bulletin_job_execute(job_id=job_id, redelivered=redelivered(self)).pk


@shared_task(name="reporting.bulletin_jobs_requeue_stalled", acks_late=True, time_limit=300, soft_time_limit=240)
def bulletin_jobs_requeue_stalled_run() -> list[int]:
    return bulletin_jobs_requeue_stalled()
