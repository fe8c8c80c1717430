"""Cached outputs whose key names everything they depend on (a revision, who asks, the language):
read from this process's copy first, then from the shared cache (Redis), and kept in both.

Safe because whatever holds a value under such a key holds the same value; the local copy spares
reading and unpickling a large body from Redis on every request (about 1 ms for the 650 KB
dashboard data of 2,000 units). Used by the dashboard (reporting) and the results API.
"""

from __future__ import annotations

from django.core.cache import cache, caches


def cache_get(key: str, *, seconds: int):
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            local.set(key, value, seconds)
    return value


def cache_set(key: str, value, *, seconds: int) -> None:
    cache.set(key, value, seconds)
    caches["local"].set(key, value, seconds)
