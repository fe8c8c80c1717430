"""Accounts, tenant picking, settings parsing, the page shell and the demo."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from evaluation.models import Membership, Tenant
from evaluation.roles import Role
from tests import factories


@pytest.mark.smoke
def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录考评系统" in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_english_is_switchable(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert 'lang="en"' in response.content.decode()


@pytest.mark.smoke
def test_login_goes_straight_to_the_only_tenant(client, two_tenants):
    response = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/tenant-a/"
    assert "甲市效能办" in response.content.decode()


def test_a_person_in_two_tenants_picks_one(client, two_tenants):
    factories.make_member(two_tenants["b"], Role.LEADER, user=two_tenants["alice"].user)
    client.force_login(two_tenants["alice"].user)
    page = client.get(reverse("home")).content.decode()
    assert "甲市效能办" in page and "乙县效能办" in page


def test_login_is_throttled_after_repeated_failures(client, two_tenants, settings):
    settings.LOGIN_MAX_ATTEMPTS = 3
    for _ in range(3):
        assert client.post(reverse("login"), {"username": "alice", "password": "wrong"}).status_code == 200
    locked = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_change(client, two_tenants):
    client.force_login(two_tenants["alice"].user)
    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "new-Secret-9876", "new_password2": "new-Secret-9876"},
    )
    assert response.status_code == 302
    two_tenants["alice"].user.refresh_from_db()
    assert two_tenants["alice"].user.check_password("new-Secret-9876")


def test_navigation_shows_each_role_only_what_it_may_use(client, two_tenants):
    from evaluation.navigation import _all_items

    for role in Role:
        member = factories.make_member(two_tenants["a"], role)
        client.force_login(member.user)
        page = client.get("/t/tenant-a/").content.decode()
        for item in _all_items():
            shown = f">{item.label}<" in page
            assert shown == member.can(item.action), (role, item.label)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
        ("REDIS_URL", "http://nowhere", "REDIS_URL"),
        ("DEBUG", "maybe", "DEBUG"),
        ("LOGIN_MAX_ATTEMPTS", "five", "LOGIN_MAX_ATTEMPTS"),
        ("EMAIL_BACKEND", "pigeon", "EMAIL_BACKEND"),
    ],
)
def test_a_wrong_setting_stops_startup_naming_the_variable(monkeypatch, name, value, message):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"],
        env=env, capture_output=True, text=True, cwd=str(factories.__file__).rsplit("/tests/", 1)[0],
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from config import env

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env.env_str("SECRET_KEY", None)


def test_secret_from_file(monkeypatch, tmp_path):
    from config import env

    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env.env_str("SECRET_KEY") == "s3cret"


@pytest.mark.smoke
def test_demo_is_idempotent_and_has_a_person_per_role(db, capsys):
    call_command("demo")
    first = capsys.readouterr().out
    counts = (Tenant.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (Tenant.objects.count(), Membership.objects.count()) == counts
    tenant = Tenant.objects.get(slug="demo")
    roles = set(Membership.objects.filter(tenant=tenant).values_list("role", flat=True))
    assert roles == set(Role.values)
    for username in ("office", "assessor", "liaison", "provider", "supervisor", "veto", "leader"):
        assert username in first


def test_membership_rules_hold_in_the_database(db):
    from django.db import IntegrityError, transaction

    tenant = factories.make_tenant()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(tenant=tenant, user=factories.make_user(), role=Role.LIAISON)


def test_openapi_schema_and_local_swagger(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/t/{tenant_slug}/campaigns/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


@pytest.mark.celery_worker
def test_a_real_worker_answers_on_the_redis_broker(celery_worker_process):
    from config.celery import app

    replies = app.control.ping(timeout=2)
    assert replies, "no worker answered"


def test_every_task_the_beat_sends_can_be_sent_as_the_beat_sends_it(db):
    """Each scheduled task sent as celery beat sends it (``task.apply_async`` with the schedule's
    options; here run in-process): Celery refuses at sending a task whose soft time limit exceeds
    its time limit, so such a task would never run and the beat would only log it."""
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = app.tasks[entry["task"]]
        result = task.apply_async(entry.get("args", ()), entry.get("kwargs", {}), **entry.get("options", {}))
        assert result.successful(), name


def test_docs_roles_is_rendered_from_the_role_table():
    from pathlib import Path

    from evaluation.management.commands.render_roles import render_roles_markdown

    docs = Path(__file__).resolve().parent.parent / "docs" / "roles.md"
    assert docs.read_text(encoding="utf-8") == render_roles_markdown(), "run manage.py render_roles"


def test_chinese_is_the_default_whatever_the_browser_sends(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
