"""Django settings, read from the environment with safe defaults.

With no environment at all the platform runs on an SQLite file under ``var/`` and a
database-backed task queue: nothing else needs to be installed or running.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HOTLINE_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)


def embedded_secret_key() -> str:
    """A key made on first start and kept in the var folder (production sets SECRET_KEY)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or embedded_secret_key()
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "hotline.orgs",
    "hotline.deadlines",
    "hotline.orders",
    "hotline.intake",
    "hotline.knowledge",
    "hotline.console",
    "hotline.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hotline.api.json_errors",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"
ASGI_APPLICATION = "hotline.asgi.application"

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
                "hotline.console.navigation.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}"),
        # Keep connections between requests (checked before reuse): a new PostgreSQL
        # connection per request costs more than the request itself.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker and the sweeper write; IMMEDIATE
    # transactions take the write lock up front, so concurrent writers queue instead of
    # failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/accounts/login/"
CSRF_FAILURE_VIEW = "hotline.console.views.access.csrf_failure"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# A shift is eight hours; a session outlives it, and the intake form autosaves anyway.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 12 * 3600))

# Background work goes through Django's task API. The embedded default stores tasks in
# the database (no broker); production may switch the backend without code changes.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"hotline": {"handlers": ["console"], "level": "INFO"}},
}

# --- hotline configuration -------------------------------------------------------------

# The city this installation serves (an area code of the demo data or of the city's own).
HOTLINE_CITY_NAME = os.environ.get("HOTLINE_CITY_NAME", "濮阳市")
HOTLINE_CITY_CODE = os.environ.get("HOTLINE_CITY_CODE", "410900")

# Working hours used by limits counted in working hours (local time, Asia/Shanghai).
HOTLINE_WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]

# Graded escalation (提醒 → 催办 → 督办). A reminder goes out when this share of the allowed
# time has passed; urging starts when the deadline is missed; supervision this many working
# days after the miss.
HOTLINE_REMIND_AT_FRACTION = float(os.environ.get("HOTLINE_REMIND_AT_FRACTION", "0.75"))
HOTLINE_SUPERVISE_AFTER_WORKING_DAYS = int(
    os.environ.get("HOTLINE_SUPERVISE_AFTER_WORKING_DAYS", "2")
)

# Callback: after this many unreachable attempts the callback ends as "unreachable".
HOTLINE_CALLBACK_MAX_ATTEMPTS = int(os.environ.get("HOTLINE_CALLBACK_MAX_ATTEMPTS", "3"))

# How often the sweeper looks for deadlines whose moment has come (seconds).
HOTLINE_SWEEP_INTERVAL = int(os.environ.get("HOTLINE_SWEEP_INTERVAL", "30"))

# Attachments: the largest file accepted (bytes).
HOTLINE_ATTACHMENT_MAX_BYTES = int(os.environ.get("HOTLINE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Indicators shown (codes from hotline/orders/indicators.py); empty shows them all.
HOTLINE_INDICATORS = [code for code in os.environ.get("HOTLINE_INDICATORS", "").split(",") if code]

# Console: how often an open workbench checks whether its queue changed (seconds), and how
# long one live-update stream stays open before the browser reconnects.
HOTLINE_LIVE_POLL_SECONDS = float(os.environ.get("HOTLINE_LIVE_POLL_SECONDS", "3"))
HOTLINE_LIVE_STREAM_SECONDS = float(os.environ.get("HOTLINE_LIVE_STREAM_SECONDS", "60"))

# Map of the console: the boundaries ship with the platform; a tile server is optional
# (e.g. a city's own "http://tiles.example.gov.cn/{z}/{x}/{y}.png"), empty draws none.
HOTLINE_MAP_TILES_URL = os.environ.get("HOTLINE_MAP_TILES_URL", "")
HOTLINE_MAP_TILES_ATTRIBUTION = os.environ.get("HOTLINE_MAP_TILES_ATTRIBUTION", "")

# Exports: lists longer than this are built in the background with a progress bar.
HOTLINE_EXPORT_MAX_ROWS = int(os.environ.get("HOTLINE_EXPORT_MAX_ROWS", "200000"))
# Knowledge search: how often a process looks whether items changed (a change is searchable
# after at most this long), and how its index is rebuilt after a change: "background" (the
# old index and the changes answer meanwhile), "inline" (in the search that notices it) or
# "off" (the changes only, until restart).
HOTLINE_KNOWLEDGE_CHECK_SECONDS = float(os.environ.get("HOTLINE_KNOWLEDGE_CHECK_SECONDS", "1"))
HOTLINE_KNOWLEDGE_REBUILD = os.environ.get("HOTLINE_KNOWLEDGE_REBUILD", "background")
# "memory": an index in each web process; "postgres": PostgreSQL's full-text index, shared
# by every process (for large bases or many processes; see docs/knowledge.md).
HOTLINE_KNOWLEDGE_BACKEND = os.environ.get("HOTLINE_KNOWLEDGE_BACKEND", "memory")

# The log-in page lists the demo accounts (``hotline serve`` with the demo city sets it).
HOTLINE_DEMO_LOGINS = env_bool("HOTLINE_DEMO_LOGINS", False)

# Open311 GeoReport v2 (/open311/v2/). The jurisdiction_id this server answers to (an empty
# or absent one is accepted too), who clients contact, and when the service list last
# changed in a way clients should notice.
HOTLINE_OPEN311_JURISDICTION = os.environ.get("HOTLINE_OPEN311_JURISDICTION", "12345.gov.cn")
HOTLINE_OPEN311_CONTACT = os.environ.get(
    "HOTLINE_OPEN311_CONTACT", "12345政务服务便民热线管理办公室"
)
HOTLINE_OPEN311_CHANGESET = os.environ.get("HOTLINE_OPEN311_CHANGESET", "2026-11-27T00:00:00+08:00")
# The most requests one GET returns (the default page size), and how many calls a minute
# one address may make without a key (0: no limit); a key has its own limit.
HOTLINE_OPEN311_MAX_RESULTS = int(os.environ.get("HOTLINE_OPEN311_MAX_RESULTS", "1000"))
HOTLINE_OPEN311_RATE_PER_ADDRESS = int(os.environ.get("HOTLINE_OPEN311_RATE_PER_ADDRESS", "600"))
# Orders of these channels are public (Open311 lists, the citizen's follow page shows its
# own in any case): "*" for every channel. Confidential orders and reports of wrongdoing
# (举报) are never public.
HOTLINE_PUBLIC_CHANNELS = [
    channel.strip()
    for channel in os.environ.get("HOTLINE_PUBLIC_CHANNELS", "open311,web,app,wechat").split(",")
    if channel.strip()
]
# The citizen web pages (/citizen/): how many requests one address may submit an hour and
# one phone number a day, and how many look-ups of an order one address may make an hour.
HOTLINE_CITIZEN_REPORTS_PER_ADDRESS = int(
    os.environ.get("HOTLINE_CITIZEN_REPORTS_PER_ADDRESS", "10")
)
HOTLINE_CITIZEN_REPORTS_PER_PHONE = int(os.environ.get("HOTLINE_CITIZEN_REPORTS_PER_PHONE", "5"))
HOTLINE_CITIZEN_LOOKUPS_PER_ADDRESS = int(
    os.environ.get("HOTLINE_CITIZEN_LOOKUPS_PER_ADDRESS", "30")
)
