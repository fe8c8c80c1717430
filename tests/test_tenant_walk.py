"""Walk every registered URL pattern and API route with outsiders and under-privileged roles.

Routes are discovered from the URL resolver, not listed by hand: a new route is walked the day
it is added (and fails until its URL kwargs have a sample in some ``<app>/tests/walk_samples.py``).
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from evaluation.checks import FRAMEWORK_PREFIXES, is_public, iter_patterns, iter_routes, view_class
from evaluation.roles import PERMISSIONS, Role, role_can
from evaluation.tenancy import TENANT_KWARG
from tests import factories


def tenant_routes():
    """(route, pattern) pairs whose pattern knows how to build its own URL (see build_url)."""
    routes = []
    for route, pattern, name, kwarg_names in iter_routes():
        if route.startswith(FRAMEWORK_PREFIXES) or f"<slug:{TENANT_KWARG}>" not in route:
            continue
        assert name, f"tenant route {route!r} has no name: the walk reverses routes by name"
        pattern.walk_name, pattern.walk_kwargs = name, kwarg_names
        routes.append((route, pattern))
    return routes


def _collect_samples(ctx) -> dict:
    found = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.tests.walk_samples")
        except ModuleNotFoundError:
            continue
        found.update(module.samples(ctx))
    return found


def _basename(pattern) -> str | None:
    name = pattern.name or ""
    for suffix in ("-list", "-detail"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name.rsplit("-", 1)[0] if "-" in name else None


def build_url(route: str, pattern, tenant_slug: str, samples: dict) -> str:
    kwargs = {}
    for name in pattern.walk_kwargs:
        if name == TENANT_KWARG:
            kwargs[name] = tenant_slug
        elif name == "pk" and f"api:{_basename(pattern)}" in samples:
            kwargs[name] = samples[f"api:{_basename(pattern)}"]
        elif name in samples:
            kwargs[name] = samples[name]
        elif name == "format":
            kwargs[name] = "json"
        else:
            raise AssertionError(f"route {route!r}: no walk sample for <{name}>; add one to a walk_samples.py")
    return reverse(pattern.walk_name, kwargs=kwargs)


def required_action(pattern, method: str) -> str | None:
    callback = pattern.callback
    cls = view_class(callback)
    if cls is None:
        return callback.kaoping_tenant_action
    actions = getattr(callback, "actions", None) or {}
    name = actions.get(method) or method
    return cls.action_permissions.get(name, cls.default_permission)


@pytest.fixture
def world(db):
    tenant = factories.make_tenant("walk-a", "甲")
    other = factories.make_tenant("walk-b", "乙")
    unit = factories.make_unit(tenant, "MAIN")
    ctx = {"tenant": tenant, "unit": unit, "other_unit": factories.make_unit(tenant, "OTHER")}
    ctx["samples"] = _collect_samples(ctx)
    ctx["outsider"] = factories.make_member(other, Role.OFFICE_ADMIN)
    ctx["members"] = {
        role: factories.make_member(tenant, role, unit=ctx["other_unit"] if role == Role.LIAISON else None)
        for role in Role
    }
    return ctx


def test_every_route_is_walked(world):
    """The walk is not empty, and the resolver sees tenant routes of every kind."""
    routes = tenant_routes()
    assert any(r.startswith("api/") for r, _ in routes)
    assert any(not r.startswith("api/") for r, _ in routes)


@pytest.mark.smoke
def test_outsider_gets_404_on_every_tenant_route(world, client):
    client.force_login(world["outsider"].user)
    for route, pattern in tenant_routes():
        url = build_url(route, pattern, world["tenant"].slug, world["samples"])
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (
                f"{method.upper()} {url} gave {response.status_code} to a member of another tenant"
            )
            assert world["tenant"].name.encode() not in response.content or response.status_code == 404


def test_anonymous_never_gets_tenant_data(world, client):
    for route, pattern in tenant_routes():
        url = build_url(route, pattern, world["tenant"].slug, world["samples"])
        response = client.get(url)
        assert response.status_code in (302, 401, 403, 404, 405), f"GET {url}: {response.status_code}"
        if response.status_code == 302:
            assert reverse("login") in response["Location"]


def test_each_role_is_refused_what_the_role_table_refuses(world, client):
    checked = 0
    for route, pattern in tenant_routes():
        url = build_url(route, pattern, world["tenant"].slug, world["samples"])
        for role, membership in world["members"].items():
            action = required_action(pattern, "get")
            client.force_login(membership.user)
            response = client.get(url)
            if response.status_code == 405:
                continue
            if action is None or not role_can(role, action):
                assert response.status_code in (403, 404), f"{role} GET {url}: {response.status_code}"
                checked += 1
            elif role != Role.LIAISON:
                # the sample objects are real: a permitted, unscoped role must reach them
                assert response.status_code != 404, f"{role} GET {url}: 404 with a real sample"
    assert checked > 0


def test_every_action_in_routes_is_in_the_role_table(world):
    for route, pattern in tenant_routes():
        for method in ("get", "post", "put", "patch", "delete"):
            action = required_action(pattern, method)
            assert action is None or action in PERMISSIONS, f"{route}: unknown action {action}"


def test_unguarded_tenant_route_stops_startup(settings):
    """The start-up check catches a tenant route that forgot the guard."""
    from django.urls import clear_url_caches, include, path

    from evaluation.checks import check_tenant_routes

    def leaky(request, tenant_slug):  # pragma: no cover - never served
        raise AssertionError

    module = type("urls", (), {})()
    module.urlpatterns = [path("t/<slug:tenant_slug>/leak/", leaky), path("", include("config.urls"))]
    settings.ROOT_URLCONF = module
    clear_url_caches()
    try:
        errors = check_tenant_routes(None)
    finally:
        clear_url_caches()
    assert [e.id for e in errors] == ["kaoping.E001"]


def test_public_routes_are_marked():
    for route, pattern in iter_patterns():
        if route.startswith(FRAMEWORK_PREFIXES) or f"<slug:{TENANT_KWARG}>" in route:
            continue
        assert is_public(pattern.callback), route
