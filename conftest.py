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
