"""Suite-wide pytest set-up: shared fixtures live in tests/fixtures.py."""

import pytest

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs seconds per login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_in_process_unless_a_worker_is_wanted(request):
    """Tests run tasks in-process (as the embedded mode does), except those that ask for the real
    worker on Redis (marker ``celery_worker``), which must go through the broker."""
    from config.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True, scope="session")
def _cache_keys_of_this_run():
    """Cache keys of this run only: ids restart with every test database, so a value cached under
    an id (an e-poll rate-limit counter, a rendered page) must not reach the next run sharing the
    same Redis database."""
    import copy
    import uuid

    from django.conf import settings
    from django.test.utils import override_settings

    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    for conf in caches.values():
        conf["KEY_PREFIX"] = prefix
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """At the end of the run, end what is still connected to the PostgreSQL test database, so that
    it can be dropped: a live server's request thread still holding its connection (a browser
    test's kept-alive connection), or a worker's session PostgreSQL has not yet seen close.
    Torn down before the database (it depends on it) and after the live server and the worker
    (set up later)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import time

    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")  # noqa: S608
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # a terminated session takes a moment to go
            cursor.execute(f"SELECT count(*) {others}")  # noqa: S608
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)
