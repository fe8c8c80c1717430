"""The shared cache's counter behind rate limits and login lockouts (evaluation/caching.py)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from evaluation.caching import count_hit, uncount_hit


def _count_and_forget(key: str) -> None:
    assert [count_hit(key, seconds=60) for _ in range(3)] == [1, 2, 3]
    assert cache.get(key) == 3  # a plain integer, as the cache stores ints: get() reads it
    uncount_hit(key)  # an attempt taken back
    assert count_hit(key, seconds=60) == 3
    cache.delete(key)
    uncount_hit(key)  # forgotten meanwhile: nothing is made of it (a counter without expiry would be)
    assert cache.get(key) is None
    assert count_hit(key, seconds=60) == 1


def test_the_counter_counts_on_the_shared_redis_cache():
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        pytest.skip("the shared cache is Redis when REDIS_URL is set")
    key = f"test:count:{uuid.uuid4().hex}"
    _count_and_forget(key)
    stored = backend.make_and_validate_key(key)
    ttl = backend._cache.get_client(stored).ttl(stored)  # noqa: SLF001
    assert 0 < ttl <= 60  # forgotten a minute after the first hit, not renewed by later ones
    uncount_hit(key)
    assert 0 < backend._cache.get_client(stored).ttl(stored) <= 60  # noqa: SLF001 - taking back keeps the expiry
    count_hit(key, seconds=3600)
    assert backend._cache.get_client(stored).ttl(stored) <= 60  # noqa: SLF001
    cache.delete(key)


def test_the_counter_counts_on_other_backends(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "count"}}
    _count_and_forget(f"test:count:{uuid.uuid4().hex}")
