"""Settings for the CCTV portal, read from the environment.

With no environment at all the portal runs for development on embedded
defaults: SQLite, an in-process channel layer, a local-memory cache, eager
Celery and console email. Production sets ``DJANGO_DEBUG=false`` and gives
at least ``DJANGO_SECRET_KEY``, ``CCTV_ENCRYPTION_KEYS``, ``DATABASE_URL``
and ``REDIS_URL`` (see ``.env.example`` for every variable).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from portal import csp as csp_policy

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false")
    SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105  (DEBUG only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env("CCTV_DATA_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "accounts",
    "cameras",
    "signaling",
    "recordings",
    "recordings.footage",
]

MIDDLEWARE = [
    # Outermost: a download or footage segment gives its pooled connection back before the bytes go out.
    "portal.streaming.ReleaseDatabaseWhileStreamingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.csp_middleware.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The viewer's time zone (a cookie portal.js sets) for times that belong to no site.
    "portal.timezones.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ActiveOrganizationMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    # The portal's 404 page for missing or foreign objects, DEBUG on or off (portal/error_pages.py).
    "portal.error_pages.PortalNotFoundMiddleware",
]
CSRF_FAILURE_VIEW = "portal.error_pages.csrf_failure"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "portal.asgi.application"

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
                "accounts.context_processors.organizations",
                "signaling.context_processors.page_config",
            ],
            # {% when %} and |at (portal/time_tags.py): times in the site's or the viewer's zone, on every page.
            "builtins": ["portal.time_tags"],
        },
    },
]

# SQLite (the default, as bin/start runs it) is written by several processes at
# once: Daphne, the Celery worker, beat and the motion worker. So that a writer
# waits for the lock instead of failing with "database is locked":
# - IMMEDIATE transactions take the write lock when they begin. A deferred one
#   (SQLite's default) that read first cannot wait for it later (SQLite refuses
#   at once, to avoid a deadlock) and fails whatever the timeout. It also makes
#   transactions serial, which stands in for SELECT ... FOR UPDATE (a no-op here).
# - timeout: how long a connection waits for another's lock (SQLite's busy timeout).
# - WAL lets readers go on while one writes; synchronous=NORMAL is WAL's usual
#   companion (no corruption on a crash; a power cut may lose the last commits).
CCTV_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": env_int("DATABASE_SQLITE_TIMEOUT", 20),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


# PostgreSQL: a pool of connections per process (psycopg_pool), not a kept
# connection per thread. Under ASGI, Django runs each request's synchronous
# code on a thread of its own (asgiref's ThreadSensitiveContext), so a kept
# connection is never used again: every page, picture and API call opened a
# new one (a PostgreSQL backend process started for it; a 10x10 wall, 106 of
# them) and left the old one to the garbage collector. A
# connection goes back to the pool at the end of each request or task. The
# ceiling is per process and should be at least the threads that use the
# database at once (a Celery worker's --concurrency); past it, a request waits
# up to DATABASE_POOL_TIMEOUT seconds for a free connection.
def postgres_pool_options() -> dict[str, int]:
    return {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 40),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 20),
    }


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """Django's settings of a database URL: SQLite gets the options above, PostgreSQL a pool (DATABASE_POOL)."""
    database = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**CCTV_SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    elif database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
        database["CONN_MAX_AGE"] = 0  # a connection goes back to the pool instead (Django requires 0)
        database["OPTIONS"] = {"pool": postgres_pool_options(), **database.get("OPTIONS", {})}
    return database


DATABASES = {"default": database_from_url(env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: channel layer, cache and Celery broker -------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # channels_redis waits on Redis with 5 s blocking pops; redis-py's own
            # default read timeout is 5 s too, and under load it fired first and
            # killed event-stream consumers. Reads wait longer than the pops.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions are read on every page and WebSocket connect: serve them from
    # Redis, with the database as the durable copy.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # One process only: good for a laptop, useless across Daphne processes.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
# Without a broker, tasks run inline so a bare checkout still works.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# These queues are declared here, so a worker started without -Q serves them
# all (development, tests); production can dedicate workers with -Q ptz etc.
# "motion" is left out on purpose: a motion watch holds its worker slot for
# minutes, so only workers started with -Q motion (thread pool) take them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "ptz", "exports")]
# Every task declares its queue on the task (@shared_task(queue_name=...): cameras/tasks.py,
# cameras/ptz/tasks.py, recordings/<feature>/tasks.py) and one router sends it there, so a rename
# cannot move it to another queue; no task is routed by name pattern. Tasks without one go to "celery".
CELERY_TASK_ROUTES = ("portal.celery.route_to_declared_queue",)
CCTV_RECONCILE_SECONDS = env_int("CCTV_RECONCILE_SECONDS", 30)
CCTV_HEALTH_SECONDS = env_int("CCTV_HEALTH_SECONDS", 30)
CCTV_CLIP_CLEANUP_SECONDS = env_int("CCTV_CLIP_CLEANUP_SECONDS", 60)
# Motion: how often beat hands unwatched cameras to the motion workers, how
# long a worker's lease on a camera lives without a heartbeat (a dead
# worker's cameras are taken over within lease + dispatch seconds), and how
# long one watch runs before it hands the camera back (spreads cameras over
# workers that joined later).
CCTV_MOTION_DISPATCH_SECONDS = env_int("CCTV_MOTION_DISPATCH_SECONDS", 5)
CCTV_MOTION_LEASE_SECONDS = env_int("CCTV_MOTION_LEASE_SECONDS", 15)
CCTV_MOTION_SESSION_SECONDS = env_int("CCTV_MOTION_SESSION_SECONDS", 900)
# Longest clip anyone may request. A Redis-broker message is handed to another
# worker if not acknowledged within the visibility timeout, so that stays
# well above the longest export.
CCTV_CLIP_MAX_SECONDS = env_int("CCTV_CLIP_MAX_SECONDS", 1800)
if CCTV_CLIP_MAX_SECONDS < 1:
    raise ImproperlyConfigured("CCTV_CLIP_MAX_SECONDS must be at least 1")
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = max(3600, CCTV_CLIP_MAX_SECONDS + 900)
# Longest range cut from recorded footage (recordings.clips.range_exports): stream copy, so
# a day of footage is a few minutes of work. Its end may lie CCTV_CLIP_MAX_SECONDS ahead.
CCTV_EXPORT_MAX_SECONDS = env_int("CCTV_EXPORT_MAX_SECONDS", 24 * 3600)
if CCTV_EXPORT_MAX_SECONDS < 1:
    raise ImproperlyConfigured("CCTV_EXPORT_MAX_SECONDS must be at least 1")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "reconcile-gateways": {"task": "cameras.tasks.reconcile_gateways", "schedule": CCTV_RECONCILE_SECONDS},
    "refresh-camera-health": {"task": "cameras.tasks.refresh_camera_health", "schedule": CCTV_HEALTH_SECONDS},
    "expire-clips": {"task": "recordings.tasks.expire_clips", "schedule": CCTV_CLIP_CLEANUP_SECONDS},
    "sweep-clips": {"task": "recordings.tasks.sweep_clips", "schedule": CCTV_CLIP_CLEANUP_SECONDS},
    "dispatch-motion-watchers": {
        "task": "recordings.tasks.dispatch_motion_watchers", "schedule": CCTV_MOTION_DISPATCH_SECONDS,
    },
    # Pending notification deliveries whose task was lost; see recordings.notifications.delivery.STALE_PENDING.
    "requeue-stale-deliveries": {"task": "recordings.tasks.requeue_stale_deliveries", "schedule": 300},
}
# Footage housekeeping (recordings.footage.tasks); the settings are with the recording ones below.
CCTV_FOOTAGE_CLEANUP_SECONDS = env_int("CCTV_FOOTAGE_CLEANUP_SECONDS", 60)
CCTV_RECORDING_GUARD_SECONDS = env_int("CCTV_RECORDING_GUARD_SECONDS", 30)
# How often closed local segments are looked at for moving to their organization's S3 / Azure tier.
CCTV_FOOTAGE_MOVE_SECONDS = env_int("CCTV_FOOTAGE_MOVE_SECONDS", 60)
CELERY_BEAT_SCHEDULE |= {
    "expire-footage": {"task": "recordings.footage.tasks.expire_footage", "schedule": CCTV_FOOTAGE_CLEANUP_SECONDS},
    "enforce-footage-quotas": {
        "task": "recordings.footage.tasks.enforce_footage_quotas", "schedule": CCTV_FOOTAGE_CLEANUP_SECONDS,
    },
    "guard-recordings-volume": {
        "task": "recordings.footage.tasks.guard_recordings_volume", "schedule": CCTV_RECORDING_GUARD_SECONDS,
    },
    "notice-stopped-recordings": {"task": "recordings.footage.tasks.notice_stopped_recordings", "schedule": 60},
    "move-footage": {"task": "recordings.footage.tasks.move_footage", "schedule": CCTV_FOOTAGE_MOVE_SECONDS},
}

# --- Auth, allauth and MFA -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
# allauth's login rate limits stay on, spelled out so that nobody turns them
# off by accident. Failed logins: at most 10 a minute from one address, and 5
# in 5 minutes for one account from one address (accounts.adapters keys
# allauth's "key" by account and client address, so a stranger elsewhere
# cannot lock a person out); plus a slower backstop per account from any
# address, above what one address can reach (60 an hour), against guessing
# spread over many addresses.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Members are added by organization admins; self sign-up is off unless asked for.
CCTV_ALLOW_SIGNUP = env_bool("CCTV_ALLOW_SIGNUP", False)
MFA_ADAPTER = "accounts.adapters.PortalMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The address a person signs in with is their one address: the E-mail page
# confirms it (allauth wants a confirmed address before MFA), it adds none.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
MFA_TOTP_ISSUER = env("CCTV_MFA_ISSUER", "") or None  # None: the portal's name (CCTV_PORTAL_NAME), below

# --- Email -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "cctv-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    # Development: one file per batch of mail under $CCTV_DATA_DIR/mail, not
    # the console: invitations and password resets carry sign-in links, and
    # links never go to a log.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# --- Camera credentials at rest --------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
CCTV_ENCRYPTION_KEYS = env_list("CCTV_ENCRYPTION_KEYS")
if not CCTV_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("CCTV_ENCRYPTION_KEYS is required when DJANGO_DEBUG is false")
    _dev_key = hashlib.sha256(("cctv-dev-encryption:" + SECRET_KEY).encode()).digest()
    CCTV_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_dev_key).decode()]

# --- go2rtc defaults ---------------------------------------------------------
GO2RTC_API_URL = env("GO2RTC_API_URL", "http://127.0.0.1:1984")
GO2RTC_API_USERNAME = env("GO2RTC_API_USERNAME", "portal")
GO2RTC_API_PASSWORD = env("GO2RTC_API_PASSWORD")
GO2RTC_RTSP_URL = env("GO2RTC_RTSP_URL", "rtsp://127.0.0.1:8554")
GO2RTC_WEBRTC_URL = env("GO2RTC_WEBRTC_URL", "")
GO2RTC_TIMEOUT_SECONDS = env_int("GO2RTC_TIMEOUT_SECONDS", 5)
# Key of the HMAC that names camera streams on the gateways (cameras.streams),
# so no tenant can work a stream name out from a camera's public id. Every web
# and worker process must share it; changing it renames every stream (the
# reconcile swaps them within one interval, live views reconnect).
CCTV_STREAM_NAME_KEY = env("CCTV_STREAM_NAME_KEY") or hashlib.sha256(
    ("cctv-stream-names:" + SECRET_KEY).encode()
).hexdigest()
# host[:port] entries an operator deliberately allows as camera sources even
# though the source rules would refuse them (e.g. the demo's loopback
# synthetic cameras). Never filled from tenant input.
CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = env_list("CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS")

# --- PTZ over ONVIF ------------------------------------------------------------
# Timeout of every ONVIF call a worker makes (connecting included).
CCTV_ONVIF_TIMEOUT_SECONDS = env_int("CCTV_ONVIF_TIMEOUT_SECONDS", 5)
# Every continuous move stops by itself this long after the last move command
# (the ONVIF Timeout, and a worker-side Stop for cameras that ignore it); the
# live view renews a held move three times per period.
CCTV_PTZ_MOVE_TIMEOUT_MS = env_int("CCTV_PTZ_MOVE_TIMEOUT_MS", 1500)
# How long a camera stays with the person who last moved it.
CCTV_PTZ_LOCK_SECONDS = env_int("CCTV_PTZ_LOCK_SECONDS", 15)

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api_base.APISchema",
    # DRF's defaults, with the browsable API's Content-Security-Policy exception (portal/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "portal.renderers.BrowsableAPIRenderer"],
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCTV Portal API",
    "DESCRIPTION": (
        "Manage organizations, sites, cameras, members and API tokens. "
        "Authenticate with a session (browser) or `Authorization: Token <key>`."
    ),
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Swagger UI would send the schema's address to swagger.io's online validator (and the
    # Content-Security-Policy would block the badge it loads): no third party sees our schema.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": "none"},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Members and tokens both have a "role" with different choices; name both sets.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.roles.Role",
        "TokenRoleEnum": "accounts.serializers.TOKEN_ROLE_CHOICES",
        "InvitationStatusEnum": "accounts.serializers.INVITATION_STATUS_CHOICES",
        "ClipStatusEnum": "recordings.models.clips.ClipStatus",
        "StreamVariantEnum": "recordings.footage.models.StreamVariant",
    },
}

# --- Static, media, i18n -----------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "portal.npm_static.NpmFinder",
]
# Built files of npm packages (package.json, installed by `npm ci`) published as static files:
# static path -> file under NODE_MODULES_DIR. The ES-module build of hls.js without subtitles,
# captions, alternate audio and DRM, which camera footage does not use (a third smaller than the
# full build), and its transmuxing worker (ES builds do not inline it: pass its URL as workerPath).
NODE_MODULES_DIR = BASE_DIR / "node_modules"
NPM_STATIC_FILES = {
    "vendor/hls.js/hls.light.min.mjs": "hls.js/dist/hls.light.min.mjs",
    "vendor/hls.js/hls.worker.js": "hls.js/dist/hls.worker.js",
    "vendor/hls.js/LICENSE": "hls.js/LICENSE",
}
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))

# --- Clips (recordings app) ------------------------------------------------------
# "local": files under MEDIA_ROOT/clips, never served by a URL route (only the
# permission-checked download view reads them). "s3": a private bucket of any
# S3-compatible store, downloads through short-lived presigned URLs.
CCTV_CLIP_STORAGE = env("CCTV_CLIP_STORAGE", "local").strip().lower()
CCTV_CLIP_URL_EXPIRE_SECONDS = env_int("CCTV_CLIP_URL_EXPIRE_SECONDS", 300)
# Bytes per second assumed for a clip being recorded, for storage caps.
CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND = env_int("CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND", 500_000)
CCTV_FFMPEG_BIN = env("CCTV_FFMPEG_BIN", "ffmpeg")
# Exports are recorded here first, then streamed into the clip storage.
CCTV_CLIP_TEMP_DIR = DATA_DIR / "tmp" / "clips"


# --- Recording (recordings.footage) -------------------------------------------------
# Segments are written here (the hot tier), by organization/camera/stream/date.
CCTV_RECORDINGS_DIR = Path(env("CCTV_RECORDINGS_DIR", str(DATA_DIR / "recordings")))
# Length of one segment, cut at wall-clock multiples of it (on the next keyframe).
CCTV_RECORDING_SEGMENT_SECONDS = env_int("CCTV_RECORDING_SEGMENT_SECONDS", 10)
if not 2 <= CCTV_RECORDING_SEGMENT_SECONDS <= 60:
    raise ImproperlyConfigured("CCTV_RECORDING_SEGMENT_SECONDS must be from 2 to 60")
# Timeline previews: one small JPEG per camera per this many seconds (a minute; 0: none taken), from
# the first closed segment of each interval (recordings.footage.thumbnails); width in pixels; the
# most one keyframe decode may take before it is given up.
CCTV_THUMBNAIL_SECONDS = env_int("CCTV_THUMBNAIL_SECONDS", 60)
if CCTV_THUMBNAIL_SECONDS != 0 and not 2 <= CCTV_THUMBNAIL_SECONDS <= 3600:
    raise ImproperlyConfigured("CCTV_THUMBNAIL_SECONDS must be 0 (off) or from 2 to 3600")
CCTV_THUMBNAIL_WIDTH = env_int("CCTV_THUMBNAIL_WIDTH", 160)
CCTV_THUMBNAIL_TIMEOUT_SECONDS = env_int("CCTV_THUMBNAIL_TIMEOUT_SECONDS", 10)
# A recorder's claim on a camera without a heartbeat, and how often recorders
# look for cameras nobody records: a dead recorder's cameras move within the sum.
CCTV_RECORDING_LEASE_SECONDS = env_int("CCTV_RECORDING_LEASE_SECONDS", 15)
CCTV_RECORDING_SCAN_SECONDS = env_int("CCTV_RECORDING_SCAN_SECONDS", 5)
# The volume guard keeps at least this much of the recordings disk free (the larger of the
# two; 0 turns one off), deleting the oldest footage no legal hold protects. Keep it above
# what all recorders write in CCTV_RECORDING_GUARD_SECONDS.
CCTV_RECORDING_MIN_FREE_BYTES = env_int("CCTV_RECORDING_MIN_FREE_BYTES", 2_000_000_000)
CCTV_RECORDING_MIN_FREE_PERCENT = env_int("CCTV_RECORDING_MIN_FREE_PERCENT", 5)
if CCTV_RECORDING_MIN_FREE_BYTES < 0 or not 0 <= CCTV_RECORDING_MIN_FREE_PERCENT < 100:
    raise ImproperlyConfigured("CCTV_RECORDING_MIN_FREE_BYTES must be >= 0 and CCTV_RECORDING_MIN_FREE_PERCENT 0 to 99")
# A camera that should record and has recorded nothing for this long is a notification.
CCTV_RECORDING_STOPPED_MINUTES = env_int("CCTV_RECORDING_STOPPED_MINUTES", 10)
if CCTV_RECORDING_STOPPED_MINUTES < 1:
    raise ImproperlyConfigured("CCTV_RECORDING_STOPPED_MINUTES must be at least 1")
# Storage tiers (recordings.footage.stores): host[:port] entries of S3 / Azure stores an operator
# allows although the endpoint rules refuse them (an on-premises MinIO, the test suite's emulators);
# plain http is allowed only for these. Never filled from tenant input.
CCTV_STORAGE_EXTRA_ALLOWED_HOSTS = env_list("CCTV_STORAGE_EXTRA_ALLOWED_HOSTS")
# Lifetime of a presigned S3 URL or an Azure SAS URL to one segment (playback, exports).
CCTV_FOOTAGE_URL_EXPIRE_SECONDS = env_int("CCTV_FOOTAGE_URL_EXPIRE_SECONDS", 300)
# Seconds every call to a remote store may take (connect, and each read).
CCTV_STORAGE_TIMEOUT_SECONDS = env_int("CCTV_STORAGE_TIMEOUT_SECONDS", 20)
# The mover's back-off after a failure: doubling from the first, capped at the second.
CCTV_FOOTAGE_MOVE_RETRY_SECONDS = env_int("CCTV_FOOTAGE_MOVE_RETRY_SECONDS", 60)
CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS = env_int("CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS", 3600)


# --- Playback (recordings.playback) ----------------------------------------------------
# How long a playback session's playlist and segment URLs work. The timeline page
# opens a new session by itself when one runs out.
CCTV_PLAYBACK_SESSION_SECONDS = env_int("CCTV_PLAYBACK_SESSION_SECONDS", 900)
if not 30 <= CCTV_PLAYBACK_SESSION_SECONDS <= 86400:
    raise ImproperlyConfigured("CCTV_PLAYBACK_SESSION_SECONDS must be from 30 to 86400")
# Empty: the portal (Daphne) sends segment bytes itself. A path such as /_footage/:
# the portal checks the request and answers with X-Accel-Redirect to <prefix><key>,
# and nginx sends the file from an `internal` location over the recordings volume.
CCTV_PLAYBACK_ACCEL_PREFIX = env("CCTV_PLAYBACK_ACCEL_PREFIX", "").strip()
if CCTV_PLAYBACK_ACCEL_PREFIX and not (CCTV_PLAYBACK_ACCEL_PREFIX.startswith("/")
                                       and CCTV_PLAYBACK_ACCEL_PREFIX.endswith("/")):
    raise ImproperlyConfigured("CCTV_PLAYBACK_ACCEL_PREFIX must start and end with / (e.g. /_footage/)")


def _clip_storage() -> dict:
    if CCTV_CLIP_STORAGE == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "allow_overwrite": True},
        }
    if CCTV_CLIP_STORAGE != "s3":
        raise ImproperlyConfigured(f"CCTV_CLIP_STORAGE must be local or s3, not {CCTV_CLIP_STORAGE!r}")
    bucket = env("CCTV_CLIP_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("CCTV_CLIP_S3_BUCKET is required when CCTV_CLIP_STORAGE is s3")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env("CCTV_CLIP_S3_ENDPOINT_URL") or None,
        "region_name": env("CCTV_CLIP_S3_REGION") or None,
        "access_key": env("CCTV_CLIP_S3_ACCESS_KEY_ID") or None,
        "secret_key": env("CCTV_CLIP_S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env("CCTV_CLIP_S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": CCTV_CLIP_URL_EXPIRE_SECONDS,
        "file_overwrite": True,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "clips": _clip_storage(),
}

# --- Content-Security-Policy (django-csp; portal/csp.py says why each directive is what it is) ---
# Downloads and snapshots redirect to presigned URLs of an S3 clip store: <video> and <img> follow.
_csp_storage_origins = csp_policy.s3_origins(
    env("CCTV_CLIP_S3_BUCKET"), env("CCTV_CLIP_S3_ENDPOINT_URL") or None, env("CCTV_CLIP_S3_REGION") or None,
    env("CCTV_CLIP_S3_ADDRESSING_STYLE") or None,
) if CCTV_CLIP_STORAGE == "s3" else []
_csp_policy = {"DIRECTIVES": csp_policy.directives(_csp_storage_origins)}
# Report-only sends the same policy without enforcing it (the browser console lists what it would block).
if env_bool("CCTV_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the vanilla JS reads it for fetch() calls
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Behind the TLS-terminating proxy of docker-compose.yml.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is an irreversible choice of the domain's owner, not ours.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_credentials": {"()": "cameras.sources.CredentialScrubFilter"},
        # Invitation, password-reset and confirmation links (portal/log_filters.py).
        "scrub_secret_links": {"()": "portal.log_filters.SecretLinkFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_credentials", "scrub_secret_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The development servers' access lines (Django's and Daphne's runserver)
        # through the filtered handler instead of their own unfiltered ones.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.channels.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # SQL with its parameters (DEBUG level) would print session data, which
        # holds the key of a link being used: never, whatever DJANGO_LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        # Their INFO lines print request URLs, and go2rtc URLs carry camera
        # sources (percent-encoded, so beyond the scrub filter's reach).
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # The Azure SDK logs every request and response (URL and headers) at INFO: one pair per footage
        # upload, read-back and delete of the storage tiers. Their failures reach the mover's own log lines.
        "azure": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
    },
}

# --- Portal-specific ----------------------------------------------------------
# What the portal calls itself in e-mails and authenticator apps.
CCTV_PORTAL_NAME = env("CCTV_PORTAL_NAME", "CCTV Portal")
MFA_TOTP_ISSUER = MFA_TOTP_ISSUER or CCTV_PORTAL_NAME
# The address people use to reach the portal: every link in an e-mail
# (invitations, password resets, address confirmations) starts with it,
# never with the host name a request happened to carry.
CCTV_PUBLIC_URL = env("CCTV_PUBLIC_URL", "http://localhost:8000")
# How long an invitation link works.
CCTV_INVITATION_DAYS = env_int("CCTV_INVITATION_DAYS", 7)
# Webhook receivers on loopback, private, link-local or reserved addresses are
# refused (a tenant must not make the portal call into its own network) unless
# the platform operator allows them here, e.g. for a receiver on the same host.
CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
CCTV_LIVE_SESSIONS_PER_USER = env_int("CCTV_LIVE_SESSIONS_PER_USER", 120)
# Open live sessions renew their slot in the cap and re-check access this often:
# a member removed or restricted loses their live views within this time.
CCTV_LIVE_HEARTBEAT_SECONDS = env_int("CCTV_LIVE_HEARTBEAT_SECONDS", 30)
