"""Issue #9: production cookie and header settings, read from a real start-up of the settings."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VAR = str(Path(tempfile.gettempdir()) / "kaoping-settings-probe")
PROBE = (
    "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
    "from django.conf import settings as s;"
    "print(json.dumps({k: getattr(s, k, None) for k in ("
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
    "'CSRF_COOKIE_SAMESITE', 'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'DEBUG')}))"
)


def _settings(**env) -> dict:
    base = {"PATH": "/usr/bin:/bin", "KAOPING_VAR_DIR": VAR}
    result = subprocess.run([sys.executable, "-c", PROBE], env=base | env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_same_site():
    values = _settings(KAOPING_PRODUCTION="true", SECRET_KEY="x" * 50)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["DEBUG"] is False


def test_production_without_secret_key_does_not_start():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={"PATH": "/usr/bin:/bin", "KAOPING_PRODUCTION": "true", "KAOPING_VAR_DIR": VAR},
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_session_cookie_set_at_login_carries_the_flags(client, settings, two_tenants):
    settings.SESSION_COOKIE_SECURE = True  # as production sets it (see the test above)
    user = two_tenants["alice"].user
    user.set_password("pw-for-cookie-test")
    user.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": "pw-for-cookie-test"})
    morsel = response.cookies[settings.SESSION_COOKIE_NAME]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"
