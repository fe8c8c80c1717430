"""Start-up check: every tenant route is guarded by the tenancy mechanism.

A view served under ``<tenant_slug>`` must be a :func:`tenant_view` or a TenantScopedMixin API
view; any other route must be marked :func:`public_view` or belong to a known framework prefix.
A forgotten guard therefore stops ``manage.py check`` (and the test run) instead of leaking data.
"""

from __future__ import annotations

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from evaluation.tenancy import TENANT_KWARG

FRAMEWORK_PREFIXES = ("admin/", "i18n/", "static/", "__debug__/")


def _kwarg_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def iter_routes(resolver=None, prefix="", namespace="", kwargs=()):
    """Yield (route string, URLPattern, namespaced name, URL kwarg names) for every pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        names = (*kwargs, *_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_routes(entry, route, inner, names)
        elif isinstance(entry, URLPattern):
            yield route, entry, f"{namespace}{entry.name}" if entry.name else None, names


def iter_patterns():
    """Yield (route string, URLPattern) for every registered pattern."""
    for route, pattern, _name, _kwargs in iter_routes():
        yield route, pattern


def view_class(callback):
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def is_tenant_guarded(callback) -> bool:
    from evaluation.api.base import TenantScopedMixin

    cls = view_class(callback)
    if cls is not None:
        return issubclass(cls, TenantScopedMixin)
    return hasattr(callback, "kaoping_tenant_action")


def is_public(callback) -> bool:
    cls = view_class(callback)
    return bool(getattr(callback, "kaoping_public", False) or getattr(cls, "kaoping_public", False))


@checks.register()
def check_tenant_routes(app_configs, **kwargs):
    errors = []
    for route, pattern in iter_patterns():
        if route.startswith(FRAMEWORK_PREFIXES):
            continue
        callback = pattern.callback
        if f"<slug:{TENANT_KWARG}>" in route:
            if not is_tenant_guarded(callback):
                errors.append(
                    checks.Error(
                        f"tenant route {route!r} is not guarded by tenant_view or TenantScopedMixin",
                        id="kaoping.E001",
                    )
                )
        elif not is_public(callback):
            errors.append(
                checks.Error(
                    f"route {route!r} is neither a tenant route nor marked public_view",
                    id="kaoping.E002",
                )
            )
    return errors
