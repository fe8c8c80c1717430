import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def client_for(client):
    """Log a membership's user in and return the client."""

    def login(membership):
        client.force_login(membership.user)
        return client

    return login


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(membership):
        api = APIClient()
        api.force_authenticate(membership.user)
        return api

    return make


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process on the Redis broker, using the test database.

    Tests that use it need ``transactional_db`` so the worker sees committed rows.
    """
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (make test starts a throwaway Redis)")
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    log = open(ARTIFACTS.joinpath("celery-worker.log") if ARTIFACTS.exists() else os.devnull, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("Celery worker exited at start-up; see test-artifacts/celery-worker.log")
        if app.control.ping(timeout=0.5):
            break
    else:
        proc.kill()
        raise RuntimeError("Celery worker did not answer a ping within 60 s")
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def two_tenants(db):
    """Alice and Bob in tenant A, Charlie in tenant B (healthchecks' hc/test.py habit)."""
    from evaluation.roles import Role

    tenant_a = factories.make_tenant("tenant-a", "甲市效能办")
    tenant_b = factories.make_tenant("tenant-b", "乙县效能办")
    alice = factories.make_member(tenant_a, Role.OFFICE_ADMIN, user=factories.make_user("alice"))
    bob = factories.make_member(tenant_a, Role.ASSESSOR, user=factories.make_user("bob"))
    charlie = factories.make_member(tenant_b, Role.OFFICE_ADMIN, user=factories.make_user("charlie"))
    return {"a": tenant_a, "b": tenant_b, "alice": alice, "bob": bob, "charlie": charlie}
