"""Celery tasks: thin, safe to run twice (filing takes each staged ballot once)."""

from __future__ import annotations

from celery import shared_task

from surveys.services.filing import ballots_file


@shared_task(name="surveys.staged_ballots_file", acks_late=True, time_limit=300, soft_time_limit=240)
def staged_ballots_file() -> int:
    """Every few seconds (the beat): file the e-poll ballots received since, of every tenant,
    leaving any a reader is filing to it."""
    return ballots_file(skip_locked=True)
