"""The permission matrix, tried cell by cell through HTTP (docs/roles.md).

For every action of ``evaluation.roles.PERMISSIONS`` and every role, the action's probe
(tests/permission_probes.py) is sent as a member of that role:

* a role the table refuses gets 403, refused by the role table for exactly that action (the
  API's error detail or the logged PermissionDenied names it, so a CSRF failure or a guard
  checking some other action cannot pass for it), and the state the probe would write is
  unchanged;
* a role the table allows gets through (2xx, or a redirect that is not to the login page) and a
  write probe's state has changed.

The world is built once per module inside a transaction that is rolled back at the end; each
cell runs in its own savepoint (pytest-django's ``db``), so an allowed write never leaks into the
next cell. Scope (a liaison reaching for another unit's object) is tried separately below.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.crypto import get_random_string

from evaluation.checks import iter_routes, view_class
from evaluation.roles import PERMISSIONS, Role, role_can
from evaluation.tenancy import TENANT_KWARG
from tests.permission_probes import API, PROBES, SCOPE_PROBES, Probe, World, build_world, probes_by_action

CELLS = [(probe, role) for probe in PROBES for role in Role]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


def _send(probe: Probe, membership, world: World):
    """The request as a browser or API client would send it: a session, the CSRF cookie and
    token (the client enforces CSRF), form posts as forms, API bodies as JSON."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    token = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    url = reverse(probe.route, kwargs={TENANT_KWARG: world.slug, **probe.kwargs(world)})
    if probe.query is not None:
        url += "?" + urlencode(probe.query(world))
    data = probe.data(world) if probe.data is not None else {}
    send = getattr(client, probe.method)
    if probe.method == "get":
        return send(url)
    if probe.encoding == "json":
        return send(url, json.dumps(data), content_type="application/json", headers={"X-CSRFToken": token})
    if probe.via == API:  # multipart upload to the API: the token travels in the header
        return send(url, data, headers={"X-CSRFToken": token})
    return send(url, {**data, "csrfmiddlewaretoken": token})


def _close(response) -> None:
    # Reading a streaming response to the end lets the test client close it with the request
    # signals detached; response.close() itself would close the module's database connection.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


def _refusals(caplog) -> list[str]:
    """Messages of the PermissionDenied exceptions Django logged while answering 403."""
    return [
        str(record.exc_info[1])
        for record in caplog.records
        if record.name == "django.request" and record.exc_info and record.exc_info[1] is not None
    ]


def _cell_id(cell) -> str:
    probe, role = cell
    return f"{probe.id}-{role.value}"


@pytest.mark.parametrize("probe,role", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_cell(world, db, caplog, probe: Probe, role: Role):
    membership = world.members[role]
    before = probe.watch(world) if probe.watch is not None else None

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = _send(probe, membership, world)
    _close(response)
    after = probe.watch(world) if probe.watch is not None else None
    status = response.status_code
    where = f"{role.value} {probe.method.upper()} {probe.route}"

    if not role_can(role, probe.action):
        assert status == 403, f"{where}: {status}, the role table refuses {probe.action}"
        reason = f"Your role may not {probe.action}"
        if probe.via == API:
            assert response.json().get("detail") == reason, f"{where}: refused for another reason"
        else:
            assert reason in _refusals(caplog), f"{where}: refused, but not by the guard of {probe.action}"
        assert after == before, f"{where}: refused, yet the state changed ({before!r} -> {after!r})"
        return

    body = response.content[:600] if not getattr(response, "streaming", False) else b""
    if probe.method == "get":
        assert status == 200, f"{where}: {status} for a role holding {probe.action}: {body!r}"
    else:
        assert 200 <= status < 400, f"{where}: {status} for a role holding {probe.action}: {body!r}"
        if status in (301, 302, 303):
            assert reverse("login") not in response["Location"], f"{where}: sent to the login page"
    if probe.watch is not None:
        assert after != before, f"{where}: answered {status} but nothing changed ({before!r})"


@pytest.mark.parametrize("probe", SCOPE_PROBES, ids=[f"{p.id}-{p.role}" for p in SCOPE_PROBES])
def test_scope_keeps_a_permitted_role_to_its_own_objects(world, db, probe):
    # the role holds the action: only scope can stop it
    assert role_can(probe.role, probe.action)
    before = probe.watch(world) if probe.watch is not None else None

    response = _send(probe, world.members[probe.role], world)
    _close(response)

    where = f"{probe.role} {probe.method.upper()} {probe.route}"
    if probe.hidden is not None:
        assert response.status_code == 200, f"{where}: {response.status_code}"
        assert probe.hidden(world, response), f"{where}: another unit's object is listed"
    else:
        assert response.status_code in probe.refused, f"{where}: {response.status_code}"
    if probe.watch is not None:
        assert probe.watch(world) == before, f"{where}: the state changed"


# ---------------------------------------------------------------------------------------------
# the registry itself
# ---------------------------------------------------------------------------------------------


def _guards() -> dict[str, dict[str, str | None]]:
    """URL name -> {method: the action its guard checks}, for every tenant route."""
    found = {}
    for route, pattern, name, _kwargs in iter_routes():
        if f"<slug:{TENANT_KWARG}>" not in route or not name:
            continue
        callback = pattern.callback
        cls = view_class(callback)
        if cls is None:
            found[name] = dict.fromkeys(("get", "post", "put", "patch", "delete"), callback.kaoping_tenant_action)
            continue
        actions = getattr(callback, "actions", None)
        if actions:  # a router's viewset: HTTP method -> viewset action
            found[name] = {m: cls.action_permissions.get(a, cls.default_permission) for m, a in actions.items()}
        else:
            found[name] = {
                m: cls.action_permissions.get(m, cls.default_permission) for m in ("get", "post", "put", "patch", "delete")
                if hasattr(cls, m)
            }
    return found


def test_every_action_has_a_probe():
    missing = sorted(set(PERMISSIONS) - set(probes_by_action()))
    assert not missing, f"actions without a probe in tests/permission_probes.py: {missing}"


def test_every_probe_names_an_action_of_the_table():
    for probe in [*PROBES, *SCOPE_PROBES]:
        assert probe.action in PERMISSIONS, f"{probe.id}: unknown action"


def test_every_probe_hits_a_route_guarded_by_its_action():
    guards = _guards()
    for probe in [*PROBES, *SCOPE_PROBES]:
        assert probe.route in guards, f"{probe.id}: no tenant route named {probe.route}"
        guarded_by = guards[probe.route].get(probe.method)
        assert guarded_by == probe.action, f"{probe.id}: the route checks {guarded_by}, not {probe.action}"
        is_api = view_class(_callback(probe.route)) is not None
        assert (probe.via == API) == is_api, f"{probe.id}: says {probe.via} but the route is not"


def _callback(name: str):
    for _route, pattern, route_name, _kwargs in iter_routes():
        if route_name == name:
            return pattern.callback
    raise AssertionError(name)


def test_an_action_with_an_api_route_is_probed_through_the_api():
    api_actions = {
        action
        for name, methods in _guards().items()
        if view_class(_callback(name)) is not None
        for action in methods.values()
        if action
    }
    for action, probes in probes_by_action().items():
        if action in api_actions:
            assert any(p.via == API for p in probes), f"{action} has an API route: probe it there"


def test_the_matrix_is_complete():
    """Every cell of the role table is tried: actions × roles."""
    tried = {(probe.action, role) for probe, role in CELLS}
    assert tried == {(action, role) for action in PERMISSIONS for role in Role}
