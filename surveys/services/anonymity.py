"""Keep secret ballots out of the logs (测评保密).

While a ballot is cast, the SQL that consumes the token and the SQL that inserts the ballot run
one after the other; Django's ``django.db.backends`` logger (on with DEBUG and a DEBUG log level)
would write both, side by side. :func:`unlogged` marks the current context so the filter that
``SurveysConfig.ready`` installs on that logger drops those records. A context variable keeps
the mark per thread and per task, so other requests' SQL is still logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SECRET: ContextVar[bool] = ContextVar("surveys_secret_ballot", default=False)


@contextmanager
def unlogged() -> Iterator[None]:
    token = _SECRET.set(True)
    try:
        yield
    finally:
        _SECRET.reset(token)


class SecretBallotFilter(logging.Filter):
    """Drops log records emitted while a secret ballot is being cast."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _SECRET.get()


def install_filters() -> None:
    logger = logging.getLogger("django.db.backends")
    if not any(isinstance(f, SecretBallotFilter) for f in logger.filters):
        logger.addFilter(SecretBallotFilter())
