"""Log-in with throttling: too many failures for one username or one address lock it for a while."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache

from evaluation.caching import count_hit


@dataclass(frozen=True)
class LoginOutcome:
    user: object | None
    locked: bool


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


def login_attempt(*, request, username: str, password: str, address: str) -> LoginOutcome:
    keys = _keys(username, address)
    limit = settings.LOGIN_MAX_ATTEMPTS
    if any((cache.get(key) or 0) >= limit for key in keys):
        return LoginOutcome(user=None, locked=True)
    user = authenticate(request, username=username, password=password)
    if user is None:
        for key in keys:  # the lockout's time starts at the first failure
            count_hit(key, seconds=settings.LOGIN_LOCKOUT_SECONDS)
        return LoginOutcome(user=None, locked=False)
    cache.delete_many(keys)
    return LoginOutcome(user=user, locked=False)
