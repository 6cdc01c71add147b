"""The one settings module.

Every difference between development, test and production is an environment variable, read
through the strict helpers below: a junk value stops start-up with ImproperlyConfigured instead of
silently meaning something else. `.env.example` lists every variable this module reads.
"""

import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the process environment win over the .env file.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a recognised spelling is an error, never False."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole-number variable of at least `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_url(name: str, default: str, *, schemes: set[str]) -> str:
    """A URL variable whose scheme must be one of `schemes`."""
    value = env.str(name, default=default).strip()
    scheme = urlparse(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {allowed}, not {value!r}")
    return value


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DEBUG is off")
# Rotating the key: the new one in SECRET_KEY, the old ones here until the sessions and links
# signed with them have expired (README "Operating it").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host when DEBUG is off")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlparse(_origin).scheme not in {"http", "https"} or not urlparse(_origin).netloc:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must look like https://host, not {_origin!r}"
        )

TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone, not {TIME_ZONE!r}")
USE_TZ = True
LANGUAGE_CODE = "en-us"
# English only: nothing is translated, so the translation machinery only cost time. With it on,
# every {% url %}, date and number on a page looked up the active language (7% of the caseload's
# CPU). Dates and numbers keep the en-us formats either way.
USE_I18N = False

# --- Applications -------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Before auditlog: its `auditlogflush` command is shadowed by one that refuses.
    "ips",
    "auditlog",
    "clients",
    "employers",
    "fidelity",
    "outcomes",
    "supervision",
    "imports",
    # The wiring: seed_demo and the home page (it imports every app; none imports it).
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise: the policy goes on every response, static files included.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which answers static files itself: they keep its long caching, and every
    # other response (pages, API, downloads, errors, redirects) is never stored.
    "ips.middleware.NoStoreMiddleware",
    # /healthz and /readyz answer here: no session, login, two-factor, CSRF or host check.
    "ips.health.HealthProbeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session-limit and two-factor gates: they add a message and answer htmx requests
    # with HX-Redirect, so `request._messages` and `request.htmx` must exist by then.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ips.middleware.SessionLimitsMiddleware",
    "ips.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Every read of a client record is recorded once the response is ready (`ips.reads`).
    "ips.reads.ReadAuditMiddleware",
    # Axes must be last: it turns a lockout raised by the authentication backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ips.User"

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
                "ips.context_processors.navigation",
                "ips.context_processors.offline",
            ],
        },
    },
]

# --- Data stores --------------------------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://127.0.0.1:5432/ips")}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:/// URL")
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The fallback of `make run`: the covering indexes' INCLUDE columns (PostgreSQL's) are
    # simply left out there, which is all this warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Least privilege: the web and worker connect with DATABASE_URL as a role that owns nothing
# (it cannot TRUNCATE, ALTER or disable triggers, and may only INSERT and SELECT the audit trail);
# migrations run as the schema owner: `manage.py migrate --database owner` with
# MIGRATE_DATABASE_URL. After every migration the owner grants the role what it needs
# (`ips.db_roles`). Unset (development, tests), one role does everything.
MIGRATE_DATABASE_URL = env.str("MIGRATE_DATABASE_URL", default="")
if MIGRATE_DATABASE_URL:
    DATABASES["owner"] = env.db_url_config(MIGRATE_DATABASE_URL)
    if DATABASES["owner"]["ENGINE"] != DATABASES["default"]["ENGINE"] or (
        DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]
    ):
        raise ImproperlyConfigured("MIGRATE_DATABASE_URL must name the database DATABASE_URL does")
    # The same database under another role: tests use the default connection's test database.
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}

# Prepared statements. Every page view runs the same few statements again, and PostgreSQL would
# plan each one anew every time (planning the caseload query costs more than running it). With
# server-side parameters psycopg prepares a statement once a connection has run it twice. Turn
# this off behind a proxy that cannot keep prepared statements (PgBouncer in transaction mode
# before 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 2,
    }

REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes={"redis", "rediss"})
# The cache lives in Redis unless CACHE_URL says locmemcache:// (the fallback of `make run`).
CACHE_URL = env.str("CACHE_URL", default="").strip() or REDIS_URL
if CACHE_URL.startswith("locmemcache://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif urlparse(CACHE_URL).scheme in {"redis", "rediss"}:
    # Redis down is a slower site, not a broken one: ips.cache.DegradingRedisCache answers as an
    # empty cache while Redis cannot be reached (and logs it once a minute); a hung Redis costs a
    # call at most these timeouts.
    _redis_cache = {
        "BACKEND": "ips.cache.DegradingRedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {
        "default": _redis_cache,
        # Sessions' copies in the cache live a minute at most (MAX_TIMEOUT): a session ended
        # while Redis was unreachable cannot come back from a stale copy for longer than that.
        "sessions": {**_redis_cache, "MAX_TIMEOUT": 60},
    }
else:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://… or locmemcache://, not {CACHE_URL!r}")

# Cache-backed sessions with the database behind them, deliberately. A page view reads its session
# from Redis (no query), and ips.middleware writes it at most every 30 seconds, so cache-only
# sessions would save nothing measurable per request; they would log everyone out whenever Redis
# loses its keys (a flush, an eviction under memory pressure, a restart without persistence),
# and Redis here is also the Celery broker. With Redis unreachable, sessions are read from and
# written to the database alone, so logging in and working go on.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions" if "sessions" in CACHES else "default"

# --- Celery -------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down or hung costs a request a few seconds at most, once (ips.queue then
# leaves it alone for half a minute): connections time out, and a send is retried once. Work
# not sent waits in the database for the sweep (below).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
# Only the SQLite fallback of `make run` turns this on: tasks then run in the web process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# Outcome roll-ups (outcomes.tasks): a closed month on the 1st, a closed quarter on the 1st of
# the quarter's next month, and the open month and quarter nightly. `expires` drops a run that
# waited past the next one's time (the next run recomputes the same rows anyway).
CELERY_BEAT_SCHEDULE.update(
    {
        "outcomes-rollup-closed-month": {
            "task": "outcomes.tasks.outcome_rollup_closed_task",
            "schedule": crontab(minute=30, hour=2, day_of_month=1),
            "kwargs": {"kind": "month"},
            "options": {"expires": 20 * 3600},
        },
        "outcomes-rollup-closed-quarter": {
            "task": "outcomes.tasks.outcome_rollup_closed_task",
            "schedule": crontab(minute=45, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
            "kwargs": {"kind": "quarter"},
            "options": {"expires": 20 * 3600},
        },
        "outcomes-rollup-open-periods": {
            "task": "outcomes.tasks.outcome_rollup_open_task",
            "schedule": crontab(minute=15, hour=1),
            "options": {"expires": 20 * 3600},
        },
    }
)

# The base's own tasks (ips.tasks): the worker's heartbeat every minute, read by /readyz from the
# database; and the sweep every two minutes, which sends again the stored PDFs whose message was
# lost (the broker was down when they were asked for) and queues again those whose worker was
# killed mid-run; and nightly, the removal of idempotency keys past their window. Each expires
# before the next one is due.
CELERY_BEAT_SCHEDULE.update(
    {
        "ips-worker-heartbeat": {
            "task": "ips.tasks.worker_heartbeat_task",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "ips-pdf-sweep": {
            "task": "ips.tasks.pdf_sweep_task",
            "schedule": 120.0,
            "options": {"expires": 110},
        },
        "ips-idempotency-purge": {
            "task": "ips.tasks.idempotency_purge_task",
            "schedule": crontab(minute=40, hour=2),
            "options": {"expires": 20 * 3600},
        },
    }
)

# Notices (ips.notices, ips.tasks): the event sources (a report ready, a review assigned) every
# quarter of an hour; the e-mails that failed or whose message was lost, sent again every ten
# minutes; and the weekly digests on Monday morning, before the week's supervision meeting. A
# digest run again for the same date sends nothing twice.
CELERY_BEAT_SCHEDULE.update(
    {
        "ips-notices-collect": {
            "task": "ips.tasks.notices_collect_task",
            "schedule": crontab(minute="*/15"),
            "options": {"expires": 14 * 60},
        },
        "ips-deliveries-sweep": {
            "task": "ips.tasks.deliveries_sweep_task",
            "schedule": 600.0,
            "options": {"expires": 590},
        },
        "ips-weekly-digests": {
            "task": "ips.tasks.digests_send_task",
            "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
            "options": {"expires": 20 * 3600},
        },
    }
)

# Spreadsheet imports (imports.tasks): the sweep every two minutes sends again the runs whose
# worker died mid-import; they continue from the last batch written.
CELERY_BEAT_SCHEDULE.update(
    {
        "imports-sweep": {
            "task": "imports.tasks.import_sweep_task",
            "schedule": 120.0,
            "options": {"expires": 110},
        },
    }
)

# --- Spreadsheet imports ------------------------------------------------------------------------

# The largest file accepted (bytes) and the most rows in one file: a bigger one is refused with a
# message, before anything is read or written.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 2**20, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
# Rows written per transaction; the run's progress is recorded with each batch.
IMPORT_BATCH_ROWS = env_int("IMPORT_BATCH_ROWS", 1000, minimum=1)
# A confirmed file of at most this many rows is written in the request; a larger one by the
# worker, with a progress bar on the page.
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", 500, minimum=0)
# A file of at most this many rows is checked (previewed) in the request; a larger one by the
# worker, with the same progress bar, so an upload never waits on a long check.
IMPORT_INLINE_PREVIEW_ROWS = env_int("IMPORT_INLINE_PREVIEW_ROWS", 2000, minimum=0)

# --- Health probes ------------------------------------------------------------------------------

# /readyz fails its worker check when the heartbeat (every minute) is older than this.
WORKER_HEARTBEAT_MAX_AGE_MINUTES = env_int("WORKER_HEARTBEAT_MAX_AGE_MINUTES", 5, minimum=2)
# Load balancers probe over plain HTTP: never redirect the probes to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Authentication -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Refuses every login from an address over LOGIN_ADDRESS_FAILURE_LIMIT (ips.throttle).
    "ips.throttle.AddressLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the session's user loaded by plain SQL.
    "ips.authentication.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # aaaaaaaaaaaa, 123456789012, abcdefghijkl, qwertyuiopas, 1qaz2wsx3edc, abcabcabcabc…
    {"NAME": "ips.passwords.RepeatedOrSequentialValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins (ips.throttle says why two limits, and how they behave with Redis down):
# - AXES_FAILURE_LIMIT wrong passwords for one account from one address lock that account from
#   that address for LOCKOUT_MINUTES (django-axes). Not the account everywhere: someone guessing
#   from elsewhere must not lock its owner out. Counted in the database, never the cache: the
#   lockout holds while Redis is down, and survives its flush.
# - LOGIN_ADDRESS_FAILURE_LIMIT failed logins from one address, whatever the accounts (password
#   spraying), refuse every login from it for the rest of a LOCKOUT_MINUTES window. Higher:
#   staff share office networks. Counted in the cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ips.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ips.throttle.client_ip"
AXES_VERBOSE = False
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
# The client's address is the TCP peer's unless this many reverse proxies stand in front (each
# appending to X-Forwarded-For): then the entry the outermost one appended. 0 trusts no
# X-Forwarded-For at all; behind a proxy, 0 would count every client as the proxy's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Idle logout and absolute session limit (ips.middleware.SessionLimitsMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = "IPS case management"

# E-mail: notices to staff of changes made to their account by an admin (ips.notify). The
# default prints them to the log; production sets an SMTP URL (smtp+tls://user:pass@host:587).
_email_url = env.str("EMAIL_URL", default="").strip() or "consolemail://"
try:
    _email = environ.Env.email_url_config(_email_url)
except ImproperlyConfigured:
    raise ImproperlyConfigured(
        "EMAIL_URL must be an e-mail URL such as smtp+tls://user:password@host:587 or "
        f"consolemail://, not {_email_url!r}"
    ) from None
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="") or "ips-case-management@localhost"
# The address people open the product at: the links in e-mails (digests, notices) start with it.
# Empty: https:// and the first allowed host in production, the development server otherwise.
SITE_URL = env.str("SITE_URL", default="").rstrip("/") or (
    f"https://{ALLOWED_HOSTS[0]}" if not DEBUG and ALLOWED_HOSTS else "http://127.0.0.1:8000"
)
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must be an address such as https://ips.example.org")

# --- Security when DEBUG is off -----------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp), in force in development and tests too (only DEBUG's
# technical 404 and 500 pages go without it). Scripts and styles come from our own static files
# only: no inline <script>, event handler attribute, <style> or style="" anywhere
# (tests/config/test_security_headers.py scans the templates), and htmx is told not to inject its
# indicator <style> (base.html's htmx-config). `data:` images are Bootstrap's icons embedded in
# its CSS (the select arrow, check marks, the navbar toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Static and media files ---------------------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from when DEBUG is off.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="").strip() or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# With the manifest, pages name only the hashed copies (`{% static %}`), so the plain-named copies
# are not kept: half the files to compress and ship. Source maps are fetched by browser developer
# tools only; compressing them (Brotli at its slowest setting) was most of collectstatic's time.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- Forms, API ---------------------------------------------------------------------------------


def env_rate(name: str, default: str) -> str:
    """A request rate such as 300/minute (per second, minute, hour or day)."""
    value = env.str(name, default=default).strip() or default
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 300/minute (per second, minute, hour or day), "
            f"not {value!r}"
        )
    return value


# API requests per logged-in caller, and per address for callers not logged in (who are refused
# anyway, by the permission check that runs before the throttle).
API_THROTTLE_RATES = {
    "user": env_rate("API_THROTTLE_USER", "300/minute"),
    "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The largest request body read (Django's default, stated): a form post over it is 400, an API
# body 413 (the API's parsers, `ips/api/parsers.py`, hold JSON and form bodies to it too, and
# refuse JSON nested more than 20 levels with 400). Every text field has a length limit, so a
# legitimate body is a small fraction of it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # `Authorization: Token <key>`, keys stored as digests and expiring (`ips.models.ApiToken`).
        "ips.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "ips.api.parsers.JSONParser",
        "ips.api.parsers.FormParser",
        "ips.api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DATE_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "ips.api.exception_handler",
    # Over its rate a caller is answered 429 with Retry-After (ips.throttle, by client_ip).
    "DEFAULT_THROTTLE_CLASSES": [
        "ips.throttle.UserRateThrottle",
        "ips.throttle.AnonRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# How long an API token lives (its longest life, too): the pages, `drf_create_token` and the
# migration of the keys issued before they were stored hashed all start from it.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# How long an `Idempotency-Key` on a create is remembered (ips.idempotency).
IDEMPOTENCY_KEY_HOURS = 24

SPECTACULAR_SETTINGS = {
    "TITLE": "IPS case management API",
    "DESCRIPTION": "Programs, clients and outcomes of IPS supported-employment programs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The enums' own hook, then the error answers every operation gives (`ips/api/schema.py`).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ips.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FidelityReviewKindEnum": "fidelity.models.Review.Kind",
        "SupportKindEnum": "clients.models.Support.Kind",
        "ImportKindEnum": "imports.models.Kind",
    },
}

# --- Logging: ids only, never client data -------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every step of every PDF at INFO; its warnings still come through.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The Django admin is for platform operators (superusers) only; agencies use the app's own pages.
ADMIN_URL = env.str("ADMIN_URL", default="django-admin/")
