"""Cached outputs whose key names everything they depend on (a revision, who asks, the language):
read from this process's copy first, then from the shared cache (Redis), and kept in both. And
:func:`revalidated`, their answer by ETag (304 to a client that holds it), and :func:`count_hit`
(with :func:`uncount_hit`), the counter behind rate limits and login lockouts.

Safe because whatever holds a value under such a key holds the same value; the local copy spares
reading and unpickling a large body from Redis on every request (about 1 ms for the 650 KB
dashboard data of 2,000 units). Used by the dashboard (reporting) and the results API.

The shared cache is only a shortcut here: when it cannot be reached (Redis restarting), the
output is made afresh and the page still served, not failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


def revalidated(request, etag: str, make: Callable[[], HttpResponse], *, vary: tuple[str, ...]) -> HttpResponse:
    """An answer named by ``etag``: 304 to a client that holds it (If-None-Match), else
    ``make()``; with the ETag, ``Cache-Control: private, no-cache`` (the client asks again each
    time, and only the asker may keep it) and ``Vary`` on what else the answer depends on."""
    response = HttpResponseNotModified() if etag in request.headers.get("If-None-Match", "") else make()
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, vary)
    return response


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


def count_hit(key: str, *, seconds: int) -> int:
    """Count one hit on the counter ``key`` in the shared cache and return the count so far; the
    counter is forgotten ``seconds`` after its first hit. Atomic across processes.

    On Redis this is one round trip (``SET key 0 NX EX seconds`` and ``INCR key`` in one
    pipeline): the e-poll counts every ballot (issue #10), and Django's ``add()`` then ``incr()``
    are three. The value is a plain integer, as Django's Redis cache stores ints, so
    ``cache.get(key)`` reads it. Other backends: ``add()`` then ``incr()``."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        stored = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(stored, write=True).pipeline(transaction=False)  # noqa: SLF001
        pipeline.set(stored, 0, ex=seconds, nx=True)
        pipeline.incr(stored)
        return pipeline.execute()[1]
    if backend.add(key, 1, seconds):
        return 1
    try:
        return backend.incr(key)
    except ValueError:  # expired between add() and incr()
        backend.add(key, 1, seconds)
        return 1


# DECR only a counter that exists: a DECR of an expired one would create it without expiry
_UNCOUNT = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


def uncount_hit(key: str) -> None:
    """Take back one hit counted by :func:`count_hit` (the attempt it counted never reached the
    database). A counter that has expired meanwhile is left alone."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        stored = backend.make_and_validate_key(key)
        backend._cache.get_client(stored, write=True).eval(_UNCOUNT, 1, stored)  # noqa: SLF001
        return
    try:
        backend.decr(key)
    except ValueError:  # expired
        pass
