"""Celery tasks of the year's work: thin, ids (or nothing) in, one service call."""

from celery import shared_task

from evaluation.services.notifications import deadline_reminders_send


@shared_task(acks_late=True, max_retries=2, default_retry_delay=300, time_limit=600, soft_time_limit=540)
def deadline_reminders(today: str | None = None) -> int:
    """Remind liaisons of coming deadlines; idempotent (each reminder has a key), so safe to rerun."""
    import datetime as dt

    return deadline_reminders_send(today=dt.date.fromisoformat(today) if today else None)
