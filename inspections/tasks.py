"""Celery tasks: thin, safe to run twice (the services claim each reminder and deduction once)."""

from __future__ import annotations

from celery import shared_task

from inspections.services.complaints import complaint_deadlines_run


@shared_task(name="inspections.complaint_deadlines", acks_late=True, max_retries=3, default_retry_delay=300)
def complaint_deadlines() -> dict:
    """Daily: deduct open complaints past their deadline, remind units of those due soon."""
    return complaint_deadlines_run()
