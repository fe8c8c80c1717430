"""Celery tasks: ids in, one service call. Retries and limits are explicit."""

from celery import shared_task

from reporting.services.bulletins import bulletin_job_execute


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10, time_limit=1800, soft_time_limit=1740)
def bulletin_job_run(self, job_id: int) -> int:
    return bulletin_job_execute(job_id=job_id).pk
