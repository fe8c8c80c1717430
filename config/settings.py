"""Kaoping settings. Everything deployment-specific comes from the environment (config/env.py).

Defaults give the embedded mode: SQLite file under var/, Celery tasks run in-process, console
e-mail.  Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS (docker-compose.yml).
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_redis,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KAOPING_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("KAOPING_PRODUCTION", False)
# The embedded default key is only for a local run; production refuses to start without one.
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else "kaoping-embedded-insecure-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "evaluation",
    "indicators",
    "surveys",
    "inspections",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "evaluation.middleware.TenantMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "evaluation.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "kaoping.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (evaluation/services/auth.py): attempts per username and per address.
LOGIN_MAX_ATTEMPTS = env_int("LOGIN_MAX_ATTEMPTS", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 300)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Third-party browser code comes from npm at set-up (make node), never from a CDN or the repo.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/axe-core", BASE_DIR / "node_modules" / "axe-core"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: evidence is downloaded through permission checks
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

EMAIL_BACKEND = env_choice(
    "EMAIL_BACKEND",
    "console",
    {
        "console": "django.core.mail.backends.console.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    },
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kaoping@localhost")

REDIS_URL = env_redis("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host named: kombu warns of none
CELERY_RESULT_BACKEND = None
# Embedded mode: no broker, tasks run in-process when enqueued.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, not when it starts: a worker that dies (kill -9, OOM, power)
# leaves its task to be delivered again, and the job rows make a second run safe
# (docs/computation.md, "When a worker dies").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(60, CELERY_TASK_TIME_LIMIT // 10)
# Redis has no acknowledgement bound to a connection: the task of a worker that vanished goes back
# to the queue this many seconds after it was handed out. It must outlast the longest task, or a
# task still running would be handed to a second worker.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT)
if CELERY_TASK_TIME_LIMIT < 1 or CELERY_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_BROKER_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT (and both positive), "
        f"not {CELERY_BROKER_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT}"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
# A job (computation, bulletin) still "running" this long after it started has lost its worker:
# the hard time limit would have ended it by then. The beat sweep below hands such jobs, and jobs
# never picked up from the queue in that time, back to the workers.
KAOPING_JOB_STALE_SECONDS = env_int("KAOPING_JOB_STALE_SECONDS", CELERY_TASK_TIME_LIMIT + 300)
if KAOPING_JOB_STALE_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"KAOPING_JOB_STALE_SECONDS must be longer than CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})"
    )
CELERY_TIMEZONE = TIME_ZONE
# how often the beat files received e-poll ballots (surveys/services/filing.py); readers of the
# answers file them first anyway, so this only keeps the staged table short
KAOPING_BALLOT_FILING_SECONDS = env_int("KAOPING_BALLOT_FILING_SECONDS", 10)
CELERY_BEAT_SCHEDULE: dict = {
    "evaluation-requeue-stalled-compute-jobs": {
        "task": "evaluation.compute_jobs_requeue_stalled",
        "schedule": crontab(minute="*/5"),
    },
    "reporting-requeue-stalled-bulletin-jobs": {
        "task": "reporting.bulletin_jobs_requeue_stalled",
        "schedule": crontab(minute="*/5"),
    },
    "evaluation-deadline-reminders": {
        "task": "evaluation.tasks_year.deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "surveys-file-staged-ballots": {  # received e-poll ballots into responses and answers
        "task": "surveys.staged_ballots_file",
        "schedule": KAOPING_BALLOT_FILING_SECONDS,
        "options": {"expires": KAOPING_BALLOT_FILING_SECONDS},  # a missed run is taken by the next
    },
    "inspections-complaint-deadlines": {
        "task": "inspections.complaint_deadlines",
        "schedule": crontab(hour=7, minute=0),
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Each process's own copy of large cached outputs whose key names everything they depend on
    # (dashboard and results pages, docs/reporting.md): read before the shared cache.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kaoping-local",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kaoping API",
    "DESCRIPTION": "考评 — annual performance-evaluation campaigns. Every route is scoped to one tenant.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
