"""Cached outputs whose key names everything they depend on (a revision, who asks, the language):
read from this process's copy first, then from the shared cache (Redis), and kept in both.

Safe because whatever holds a value under such a key holds the same value; the local copy spares
reading and unpickling a large body from Redis on every request (about 1 ms for the 650 KB
dashboard data of 2,000 units). Used by the dashboard (reporting) and the results API.

The shared cache is only a shortcut here: when it cannot be reached (Redis restarting), the
output is made afresh and the page still served, not failed.
"""

from __future__ import annotations

import logging

from django.core.cache import cache, caches

logger = logging.getLogger(__name__)


def cache_get(key: str, *, seconds: int):
    local = caches["local"]
    value = local.get(key)
    if value is None:
        try:
            value = cache.get(key)
        except Exception:  # noqa: BLE001 - whatever the cache backend raises, the output is made afresh
            logger.warning("shared cache unreachable: %s made afresh", key, exc_info=True)
            return None
        if value is not None:
            local.set(key, value, seconds)
    return value


def cache_set(key: str, value, *, seconds: int) -> None:
    caches["local"].set(key, value, seconds)
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001 - as in cache_get: kept in this process only
        logger.warning("shared cache unreachable: %s kept in this process only", key, exc_info=True)
