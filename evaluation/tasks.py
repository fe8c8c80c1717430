"""Celery tasks: ids in, one service call. Retries and limits are explicit."""

from celery import shared_task

from evaluation.services.compute import compute_job_execute
from evaluation.tasks_year import deadline_reminders

__all__ = ["compute_job_run", "deadline_reminders"]


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10, time_limit=1800, soft_time_limit=1740)
def compute_job_run(self, job_id: int) -> int:
    return compute_job_execute(job_id=job_id).pk
