"""Casework settings: everything that differs between machines comes from the environment."""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.templatetags.static import static

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    SECRET_KEY=(str, "dev-only-insecure-key-change-me"),
    DATABASE_URL=(str, "postgres://casework:casework@127.0.0.1:54329/casework"),
    CELERY_BROKER_URL=(str, "redis://127.0.0.1:63799/0"),
    TIME_ZONE=(str, "Asia/Kolkata"),
    CASEWORK_TEST_DB_NAME=(str, ""),
    CELERY_TASK_ALWAYS_EAGER=(bool, False),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = [f"http://{h}" for h in ALLOWED_HOSTS] + [
    f"http://{h}:8000" for h in ALLOWED_HOSTS
]

INSTALLED_APPS = [
    # The console theme; before django.contrib.admin so its templates win.
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "pgtrigger",
    "django_fsm",
    "axes",
    "core",
    "events",
    "sweeps",
    "policies",
    "partners",
    "cases",
    "payouts",
    "conversations",
    "flows",
    "backtests",
    "console",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Console pages read times in the user's own zone (console.middleware).
    "console.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out sign-in into core.auth.lockout_response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth.AccessBackend",  # Django's ModelBackend, its permission reads in one query
]
# Brute-force protection: a username failing this often from one address is locked out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_VERBOSE = False
# Behind a proxy (production), the client address comes from X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

ROOT_URLCONF = "config.urls"

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
                "console.navigation.templates",
            ],
            # Django's admin_list with the filter panel written in Python (core.admin.filter_panel).
            "libraries": {"admin_list": "core.templatetags.console_admin_list"},
        },
    },
]

# The one name two tag libraries share is admin_list, on purpose (the TEMPLATES setting above);
# tests/core/test_filter_panel.py checks that it stays the only one.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
# A pooled connection is checked before a request reuses it, so a restarted server leaves
# no stale connection behind (the request gets a fresh one).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A statement running longer than this is cancelled (the API answers 503 with Retry-After);
# 0 turns it off (benchmarks, bulk loads and migrations on big tables).
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30000)
if DB_STATEMENT_TIMEOUT_MS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
if env("CASEWORK_TEST_DB_NAME"):
    # Lets several test runs share one server without fighting over one test database.
    DATABASES["default"]["TEST"] = {"NAME": env("CASEWORK_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
# The console speaks English (reply templates carry their own languages). Django's default
# list of ~100 languages made the theme's language switch look each one up on every page
# (get_language_info_list: 4.8 ms of a 57 ms case page), though it shows none of them.
LANGUAGES = [("en", "English")]
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True
# Console display formats (config/formats/en): every moment is written with its zone.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves collected files in production; in development and tests runserver/finders
# serve them and the missing STATIC_ROOT is expected.
warnings.filterwarnings("ignore", message="No directory at")
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
MEDIA_URL = "media/"
# Evidence files on reversal requests: never served from MEDIA_URL, only through the console
# page of a request its reader may see. Size per file and the content types taken.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
EVIDENCE_CONTENT_TYPES = env.list(
    "EVIDENCE_CONTENT_TYPES",
    default=["image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"],
)

LOGIN_URL = "admin:login"

# Outgoing mail (events.mail sends it from the outbox): EMAIL_URL as smtp://user:pass@host:587
# or submission://... (STARTTLS); by default it is printed to the worker's log.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Casework <casework@localhost>")
MAIL_MESSAGE_ID_DOMAIN = env("MAIL_MESSAGE_ID_DOMAIN", default="casework.local")

# Conversations (docs/conversations.md). The support address customers write to; replies
# come back to it with a signed case token (support+c123-<signature>@...).
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="support@casework.local")
# The SMTP gateway refuses a message larger than this (the sender's server bounces it).
MAIL_MAX_MESSAGE_BYTES = env.int("MAIL_MAX_MESSAGE_BYTES", default=40 * 1024 * 1024)
# Attachments kept from mail in (and allowed on mail out): size per file and content types.
MAIL_ATTACHMENT_MAX_BYTES = env.int("MAIL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
MAIL_ATTACHMENT_TYPES = env.list(
    "MAIL_ATTACHMENT_TYPES",
    default=[
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "application/pdf",
        "text/plain",
        "text/csv",
    ],
)
# One sender may write this many messages in the window; more are refused (a mail loop).
INBOUND_MAIL_PER_SENDER = env.int("INBOUND_MAIL_PER_SENDER", default=20)
INBOUND_MAIL_WINDOW_SECONDS = env.int("INBOUND_MAIL_WINDOW_SECONDS", default=600)
# A case opened by mail: its kind, and the city (by name) when the sender is unknown.
INBOUND_MAIL_CASE_KIND = env("INBOUND_MAIL_CASE_KIND", default="service_enquiry")
INBOUND_MAIL_CITY = env("INBOUND_MAIL_CITY", default="")
# Mail in from a provider's inbound webhook (django-anymail: Mailgun, Postmark, SendGrid,
# Amazon SES...), mounted at /anymail/<provider>/inbound/ only when a secret is set: the
# basic-auth user:password the provider calls with, and Mailgun's signing key.
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    }.items()
    if value
}
# Where customers reach this site (the links in survey mail are absolute).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The satisfaction survey sent when a case is resolved: on or off, how long its links
# work, and the days within which one customer is not asked twice.
CSAT_ENABLED = env.bool("CSAT_ENABLED", default=True)
CSAT_LINK_DAYS = env.int("CSAT_LINK_DAYS", default=14)
CSAT_QUIET_DAYS = env.int("CSAT_QUIET_DAYS", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON numbers keep their text, so money fields hold them to the plain decimal rule.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.ListFilterBackend",
        "core.api.filters.ListSearchFilter",
        "core.api.filters.ListOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rate limits (core.api.throttles): per signed-in user, per anonymous address, and the token
    # endpoint per address; rates in API_THROTTLE_RATES below.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttles.UserThrottle",
        "core.api.throttles.AnonThrottle",
    ],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}

API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER", default="600/minute"),
    "anon": env("API_THROTTLE_ANON", default="60/minute"),
    "sign_in": env("API_THROTTLE_SIGN_IN", default="10/minute"),
}
# The throttles' counters (and anything else cached) live in Redis, shared by every web
# process; db 1 of the broker's server unless CACHE_URL says otherwise.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=env("CELERY_BROKER_URL").rsplit("/", 1)[0] + "/1"),
    }
}

# The OpenAPI schema and docs pages (core.api.docs): open to anyone when true, else to
# signed-in staff only. Open by default only in development (DEBUG).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "Back office for home-services marketplaces: cases, bookings, partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set used under several field names.
    "ENUM_NAME_OVERRIDES": {
        "TeamEnum": "cases.catalog.Team",
        "MessageChannelEnum": "conversations.models.ChannelName",
        "ChannelEnum": "cases.models.Channel",
        "AudienceEnum": "conversations.models.Audience",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
        "events.schema.add_webhooks",
    ],
    # 3.1: the event catalogue is documented as webhooks (events.schema).
    "OAS_VERSION": "3.1.0",
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Redis redelivers a task not acknowledged within this time (acks are late): longer than any
# task runs (a sweep ends within its 50 s budget; a payout run is leased separately).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_TIMEZONE = TIME_ZONE
# Every clock is a short sweep over an indexed due column, run by beat on a static schedule
# (no per-row ETA tasks). A sweep that is still running when the next starts shares the work
# (SKIP LOCKED); each ends within its time budget.
CLOCK_SWEEP_SECONDS = env.float("CLOCK_SWEEP_SECONDS", default=60.0)
# A payout run's computation holds a lease it renews as each batch of partners commits; a
# lease that passes (the worker died) is picked up by the lease sweep.
PAYOUT_LEASE_SECONDS = env.float("PAYOUT_LEASE_SECONDS", default=120.0)
PAYOUT_PARTNER_BATCH = env.int("PAYOUT_PARTNER_BATCH", default=5000)
# A "when it happened" input (a call's time, the day an amount was debited) further ahead of
# now than this is refused (400): clocks drift a little, the future has not happened yet.
FUTURE_TIME_TOLERANCE_SECONDS = env.int("FUTURE_TIME_TOLERANCE_SECONDS", default=300)
CLOCK_HEALTH_STALE_SECONDS = env.float("CLOCK_HEALTH_STALE_SECONDS", default=300.0)
CELERY_BEAT_SCHEDULE = {
    name: {
        "task": task,
        "schedule": timedelta(seconds=CLOCK_SWEEP_SECONDS),
        # A sweep missed while the workers were down is not worth running late twice.
        "options": {"expires": CLOCK_SWEEP_SECONDS},
    }
    for name, task in (
        # One scheme: beat `sweep-<name>` -> task `<app>.tasks.sweep_<name>_task` -> service
        # `sweep_<name>`, its runs recorded as `<name>` (tests/core/test_sweep_names.py).
        ("sweep-unpark", "cases.tasks.sweep_unpark_task"),
        ("sweep-sla", "cases.tasks.sweep_sla_task"),
        ("sweep-tasks", "cases.tasks.sweep_tasks_task"),
        ("sweep-case-clocks", "flows.tasks.sweep_case_clocks_task"),
        ("sweep-spd", "flows.tasks.sweep_spd_task"),
        ("sweep-refund-tat", "flows.tasks.sweep_refund_tat_task"),
        ("sweep-payout-leases", "payouts.tasks.sweep_payout_leases_task"),
        ("sweep-backtests", "backtests.tasks.sweep_backtests_task"),
    )
}
# A backtest's task renews a lease as it goes (the recovery sweep restarts one whose lease
# passed); finished backtests are kept this many days.
BACKTEST_LEASE_SECONDS = env.float("BACKTEST_LEASE_SECONDS", default=120.0)
BACKTEST_KEEP_DAYS = env.int("BACKTEST_KEEP_DAYS", default=90)
# A backtest of at least this many decisions is replayed by two processes (two halves of
# the ids, one per core).
BACKTEST_SPLIT_FROM = env.int("BACKTEST_SPLIT_FROM", default=20_000)
# Webhooks (events/): the dispatcher's beat (it is also kicked after each commit that writes
# deliveries), the pruning of old attempts, and loopback receivers (development and tests
# only: never in production, where private and local addresses are refused).
WEBHOOK_DISPATCH_SECONDS = env.float("WEBHOOK_DISPATCH_SECONDS", default=5.0)
WEBHOOK_ATTEMPT_RETENTION_DAYS = env.int("WEBHOOK_ATTEMPT_RETENTION_DAYS", default=30)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
WEBHOOK_LEASE_SECONDS = env.float("WEBHOOK_LEASE_SECONDS", default=30.0)
WEBHOOK_SEND_THREADS = env.int("WEBHOOK_SEND_THREADS", default=8)
CELERY_BEAT_SCHEDULE["dispatch-webhooks"] = {
    "task": "events.tasks.dispatch_webhooks",
    "schedule": timedelta(seconds=WEBHOOK_DISPATCH_SECONDS),
    "options": {"expires": WEBHOOK_DISPATCH_SECONDS},
}
CELERY_BEAT_SCHEDULE["send-queued-mail"] = {
    "task": "events.tasks.send_queued_mail",
    "schedule": timedelta(seconds=WEBHOOK_DISPATCH_SECONDS),
    "options": {"expires": WEBHOOK_DISPATCH_SECONDS},
}
CELERY_BEAT_SCHEDULE["prune-delivery-attempts"] = {
    "task": "events.tasks.prune_delivery_attempts",
    "schedule": timedelta(hours=6),
}

# --- production hardening (all from the environment; `manage.py check --deploy` is clean
# with SECURE=1, DEBUG=0 and a real SECRET_KEY) ------------------------------------------------
# SECURE=1 when the site is served over HTTPS (behind a proxy that sets X-Forwarded-Proto).
SECURE = env.bool("SECURE", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if SECURE:
    CSRF_TRUSTED_ORIGINS += [f"https://{h}" for h in ALLOWED_HOSTS]
# Content-Security-Policy (django-csp): scripts and styles from this site only (the console
# has no inline script, its theme's Alpine.js needs eval; styles allow inline attributes,
# which Django's admin writes). The API docs pages (Swagger UI, ReDoc) bootstrap with
# inline script and are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The theme's Alpine.js evaluates its x-data expressions (no inline script).
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Where a sign-in without a "next" lands: the console's home page.
LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"

# The console's theme (django-unfold): its own menu per role and each role's home page.
UNFOLD = {
    "SITE_TITLE": "Casework",
    "SITE_HEADER": "Casework console",
    "SITE_SUBHEADER": "Back office",
    "SITE_SYMBOL": "support_agent",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "console.home.dashboard_callback",
    "STYLES": [lambda request: static("console/console.css")],
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("console/favicon.svg"),
        }
    ],
    "ACCOUNT": {"navigation": "console.navigation.account_links"},
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "console.navigation.sidebar",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # aiosmtpd logs every SMTP command at INFO: the gateway's own lines say what matters.
    "loggers": {"mail.log": {"level": env("SMTP_LOG_LEVEL", default="WARNING")}},
}

# Customer search: a phone number typed in local form ("0127...") is read in the country of
# each region served; this country reads it too when no region does (ISO 3166 code).
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="IN")
