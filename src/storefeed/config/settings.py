"""Settings, read from environment variables; every variable is documented in the README."""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent  # src/storefeed
VAR_DIR = Path(os.environ.get("STOREFEED_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """STOREFEED_SECRET_KEY, or one generated on first start and kept under var/."""
    if key := os.environ.get("STOREFEED_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("STOREFEED_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("STOREFEED_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
PORT = int(os.environ.get("PORT", "8000"))
# Reverse proxies and load balancers (addresses or networks, comma-separated) whose
# X-Forwarded-For is believed: the client's address behind them is what per-address limits
# count (core/forwarded.py). Empty: the header is ignored and the peer's address counts.
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("STOREFEED_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# `storefeed serve`: restart a web worker after this many requests (with a tenth of jitter);
# 0, the default, never does (a safety net for a memory leak, not needed otherwise).
WEB_MAX_REQUESTS = int(os.environ.get("STOREFEED_WEB_MAX_REQUESTS", "0"))
REQUIRE_SERVICES = env_bool("STOREFEED_REQUIRE_SERVICES")
# Mastodon API calls allowed per token (or per address, without one) in each 5-minute window.
API_RATE_LIMIT = int(os.environ.get("STOREFEED_API_RATE_LIMIT", "300"))
# Sign-in throttling (accounts/throttle.py): failed password checks allowed before each
# further one waits (1 s, doubling), per client address and per account, and the longest
# wait of each; the address's limit is the lower, so it bites first.
SIGNIN_ADDRESS_FREE = int(os.environ.get("STOREFEED_SIGNIN_ADDRESS_FREE", "10"))
SIGNIN_ACCOUNT_FREE = int(os.environ.get("STOREFEED_SIGNIN_ACCOUNT_FREE", "20"))
SIGNIN_ADDRESS_MAX_WAIT = 3600
SIGNIN_ACCOUNT_MAX_WAIT = 300
# bench/: mounts GET /bench/constant, a constant JSON answer to measure other pages against.
BENCH_YARDSTICK = env_bool("STOREFEED_BENCH_YARDSTICK", default=False)
COMMERCE = env_bool("STOREFEED_COMMERCE", default=True)
# Sign-ups: "open" (work at once), "approval" (wait for staff), or "closed".
REGISTRATIONS = os.environ.get("STOREFEED_REGISTRATIONS", "open").strip().lower()
if REGISTRATIONS not in {"open", "approval", "closed"}:
    raise ValueError("STOREFEED_REGISTRATIONS must be open, approval or closed")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "corsheaders",
    "oauth2_provider",
    "django_tasks_db",
    "storefeed.core",
    "storefeed.accounts",
    "storefeed.social",
    "storefeed.posts",
    "storefeed.timelines",
    "storefeed.notifications",
    "storefeed.discovery",
    "storefeed.filters",
    "storefeed.conversations",
    "storefeed.moderation",
    "storefeed.instance",
    # Commerce: the seller program, catalog, orders and wallet. STOREFEED_COMMERCE=off leaves
    # them out entirely, and the microblog runs (and its tests pass) without them.
    *(
        [
            "storefeed.sellers",
            "storefeed.catalog",
            "storefeed.wallet",
            "storefeed.orders",
            "storefeed.promotions",
            "storefeed.insights",
        ]
        if COMMERCE
        else []
    ),
    "storefeed.api",
    "storefeed.web",
    "storefeed.demo",
]

MIDDLEWARE = [
    # The client's address behind a listed proxy, before anything reads REMOTE_ADDR.
    "storefeed.core.forwarded.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The streaming API's origin in connect-src (it is known per request): outside the CSP
    # middleware, so it sees the header that one sets.
    "storefeed.web.middleware.StreamingConnectSrcMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # WhiteNoise answers static files itself (precompressed by collectstatic) before the
    # middleware below run; GZip then compresses every other response (HTML pages, JSON) to
    # clients that accept it, outside everything that reads or writes the body. Django's
    # GZipMiddleware pads each response by a random length against BREACH.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Error answers under /api/ in JSON (404, 405, 413, 500), in the reader's language.
    "storefeed.api.errors.ApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "storefeed.web.middleware.LocalTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "storefeed.config.urls"
WSGI_APPLICATION = "storefeed.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("STOREFEED_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'storefeed.sqlite3'}",
        conn_max_age=int(os.environ.get("STOREFEED_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "STOREFEED_DB_PREPARED", default=True
):
    # Parameters bound by the server, so that psycopg prepares the statements a connection
    # runs again and again (every timeline page's few queries): PostgreSQL then parses and
    # plans each once per connection instead of on every request. `0` for a pooler that
    # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = os.environ.get("STOREFEED_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering must cost a request little: the cache's callers
            # fall back to the database (core/parts.py), they do not wait.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered parts (core/parts.py) each process keeps in memory in front of the cache above.
PARTS_LOCAL_ENTRIES = int(os.environ.get("STOREFEED_PARTS_LOCAL_ENTRIES", "20000"))
# The API's encoded Status entities (and product cards) each process keeps, keyed by all they
# were made from (api/mastodon/pages.py): a few KB each.
API_ENCODED_ENTRIES = int(os.environ.get("STOREFEED_API_ENCODED_ENTRIES", "5000"))

# The streaming API (storefeed.streaming, an ASGI process `storefeed serve` starts beside
# gunicorn): its port, the address clients are told (the instance's `streaming_api`; unset,
# ws://<the request's host>:STREAMING_PORT, or set it to the public wss:// address a proxy
# serves it at), how often it polls the event table without Redis, and whether domain
# services publish events at all (core/events.py).
STREAMING_PORT = int(os.environ.get("STOREFEED_STREAMING_PORT", str(PORT + 1)))
STREAMING_URL = os.environ.get("STOREFEED_STREAMING_URL", "").strip().rstrip("/")
STREAMING_POLL_SECONDS = float(os.environ.get("STOREFEED_STREAMING_POLL", "0.2"))
STREAMING_EVENTS = env_bool("STOREFEED_STREAMING_EVENTS", default=True)

# Where home timelines live: "database" (HomeEntry rows, the default) or "redis" (sorted sets in
# STOREFEED_REDIS_URL). An explicit choice, not implied by the Redis URL: switching moves every
# home, which `storefeed timelines_rebuild` refills (docs/architecture.md).
TIMELINE_STORE = os.environ.get("STOREFEED_TIMELINE_STORE", "database").strip().lower()
if TIMELINE_STORE not in ("database", "redis"):
    raise ImproperlyConfigured("STOREFEED_TIMELINE_STORE must be database or redis.")
if TIMELINE_STORE == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("STOREFEED_TIMELINE_STORE=redis needs STOREFEED_REDIS_URL.")

# Background work: Django's task interface with a database-backed queue. A task enqueued
# inside a transaction is a row written in that transaction, so it commits with the data
# or not at all. STOREFEED_TASKS=immediate runs tasks inline (the tests use that).
TASK_MODE = os.environ.get("STOREFEED_TASKS", "database")
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TASK_MODE == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# An idle worker on PostgreSQL is woken by NOTIFY when a task is committed; on SQLite it looks
# for a ready task this often (seconds; a cheap indexed read).
WORKER_POLL_SECONDS = float(os.environ.get("STOREFEED_WORKER_POLL", "0.05"))
if WORKER_POLL_SECONDS <= 0:
    raise ImproperlyConfigured("STOREFEED_WORKER_POLL must be a positive number of seconds.")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("STOREFEED_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and os.environ.get("STOREFEED_STATIC_MANIFEST", "1") == "1"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: the per-image limit is enforced by the media service; this caps a whole request.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with one plain query (core/sessions.py).
SESSION_ENGINE = "storefeed.core.sessions"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (Django's own middleware): scripts and styles only from this site's
# files, no inline scripts, styles or handlers (the pages and htmx work without them:
# tests/browser records violations), images also from https: (third-party items' pictures)
# and the previews made in the browser (blob:), nothing may frame the site.
# `STOREFEED_CSP_REPORT_ONLY=1` reports violations instead of enforcing them.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", "https:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if env_bool("STOREFEED_CSP_REPORT_ONLY"):
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP

# Served over HTTPS (docs/operations.md): STOREFEED_HTTPS=1 makes the cookies secure-only,
# redirects plain HTTP to HTTPS (except /health, for load balancers' probes), sends HSTS, and
# trusts the reverse proxy's X-Forwarded-Proto (it must set it, and strip a client's own).
HTTPS = env_bool("STOREFEED_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A year by default; browsers then refuse plain HTTP to the host for that long.
    SECURE_HSTS_SECONDS = int(os.environ.get("STOREFEED_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("STOREFEED_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("STOREFEED_HSTS_PRELOAD")

# Product limits, shared by the web pages and the API.
STATUS_MAX_CHARACTERS = 2000
STATUS_MAX_MEDIA = 9
MEDIA_MAX_IMAGE_BYTES = int(os.environ.get("STOREFEED_MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024))
MEDIA_MAX_IMAGE_PIXELS = 40_000_000
# Videos and animated GIFs (posts/video.py): the largest upload, the longest duration, and the
# ffmpeg/ffprobe that check and transcode them in the worker.
MEDIA_MAX_VIDEO_BYTES = int(os.environ.get("STOREFEED_MEDIA_MAX_VIDEO_BYTES", 40 * 1024 * 1024))
MEDIA_MAX_VIDEO_SECONDS = float(os.environ.get("STOREFEED_MEDIA_MAX_VIDEO_SECONDS", "300"))
FFMPEG = os.environ.get("STOREFEED_FFMPEG", "/usr/bin/ffmpeg")
FFPROBE = os.environ.get("STOREFEED_FFPROBE", "/usr/bin/ffprobe")
HOME_BACKFILL = 40
# The Redis store keeps this many newest entries per home (Mastodon's 800), trimmed on push.
HOME_KEEP = 800
# Hybrid delivery: an account with at least this many followers is "pulled". Its new posts are
# not pushed into followers' homes; each reader's home (and lists) fetches them at read time.
CELEBRITY_FOLLOWERS = int(os.environ.get("STOREFEED_CELEBRITY_FOLLOWERS", "100000"))
if CELEBRITY_FOLLOWERS < 1:
    raise ImproperlyConfigured("STOREFEED_CELEBRITY_FOLLOWERS must be a positive integer.")

# The Mastodon client API: OAuth 2 (django-oauth-toolkit) and CORS for browser clients.
OAUTH2_PROVIDER = {
    "SCOPES": {
        scope: scope
        for scope in (
            "read write follow push profile "
            "read:accounts read:blocks read:bookmarks read:favourites read:filters read:follows "
            "read:lists read:mutes read:notifications read:search read:statuses "
            "write:accounts write:blocks write:bookmarks write:conversations write:favourites "
            "write:filters write:follows write:lists write:media write:mutes write:notifications "
            "write:reports write:statuses read:shop write:shop"
        ).split()
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": False,  # optional, as in Mastodon: used when the client sends it
    "ACCESS_TOKEN_EXPIRE_SECONDS": 10 * 365 * 24 * 3600,  # Mastodon tokens do not expire
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"],
    "ALLOW_LOCALHOST_LOOPBACK": True,
}
# django-oauth-toolkit's RFC 9700 (OAuth security BCP) behaviours that fit the Mastodon API:
# no implicit grant (Mastodon has none), bearer tokens only in the Authorization header (the
# API never read them from the query string) and the `iss` of RFC 9207 in authorization
# answers. The rest are silenced below, with the reason.
OAUTH2_PROVIDER.update(
    {
        "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
        "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
        # PKCE S256 only (api/mastodon/views/oauth.py refuses `plain` too; the metadata says so).
        "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
        # Access and refresh tokens stored as their SHA-256 only (the `token` column left
        # empty; api/migrations/0004_hash_stored_tokens emptied the ones made before): a copy
        # of the database signs nobody in. Lookups were already by the checksum.
        "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
        "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,  # needs the stored token; refused with it
    }
)
SILENCED_SYSTEM_CHECKS = [
    # The password grant is part of Mastodon's API (apps and scripts sign in with it); it is
    # throttled per address and per account like the web sign-in (accounts/throttle.py).
    "oauth2_provider.W002",
    # A spent refresh token sent again is refused (invalid_grant) without revoking the tokens
    # it was traded for: a client whose refresh answer was lost on the network and that
    # retries would otherwise be signed out everywhere (Mastodon does not revoke either).
    "oauth2_provider.W007",
    # Mastodon apps register custom schemes and loopback http:// redirects (RFC 8252).
    "oauth2_provider.W008",
    # PKCE stays optional, as in Mastodon: most Mastodon clients do not send it.
    "oauth2_provider.W010",
]
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
CORS_URLS_REGEX = r"^/(api|oauth|\.well-known|nodeinfo)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
# Browser clients send Idempotency-Key with posts (Mastodon allows any request header).
CORS_ALLOW_HEADERS = (*default_cors_headers, "idempotency-key")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STOREFEED_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

AUTHENTICATION_BACKENDS = ["storefeed.accounts.backends.UsernameOrEmailBackend"]

# Email confirmation of sign-ups: off by default (the demo signs up without a mailbox); on, a
# sign-up's token and web sign-in wait until the link emailed to the address is opened.
EMAIL_CONFIRMATION = env_bool("STOREFEED_EMAIL_CONFIRMATION")
EMAIL_CONFIRMATION_HOURS = int(os.environ.get("STOREFEED_EMAIL_CONFIRMATION_HOURS", "48"))
# Where links in emails point (https://storefeed.example); unset, the address the sign-up
# was made at.
SITE_URL = os.environ.get("STOREFEED_SITE_URL", "").strip().rstrip("/")

# Outgoing email (Django's MAILERS). `file` (the default) writes each message under var/mail/
# for a developer to read; `console` prints them; `smtp` sends through STOREFEED_EMAIL_HOST;
# a dotted path names any Django email backend. Tests use Django's in-memory backend.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_email_backend = os.environ.get("STOREFEED_EMAIL_BACKEND", "file").strip() or "file"
_email_options: dict[str, object] = {}
if _email_backend == "file":
    _email_options = {"file_path": str(VAR_DIR / "mail")}
elif _email_backend == "smtp":
    _email_options = {
        "host": os.environ.get("STOREFEED_EMAIL_HOST", "localhost"),
        # Unset: 465 with SSL, 587 with STARTTLS, else 25.
        "port": int(os.environ["STOREFEED_EMAIL_PORT"])
        if os.environ.get("STOREFEED_EMAIL_PORT")
        else None,
        "username": os.environ.get("STOREFEED_EMAIL_USER", ""),
        "password": os.environ.get("STOREFEED_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("STOREFEED_EMAIL_TLS"),  # STARTTLS
        "use_ssl": env_bool("STOREFEED_EMAIL_SSL"),  # TLS from the first byte
        "timeout": int(os.environ.get("STOREFEED_EMAIL_TIMEOUT", "10")),
    }
    if _email_options["use_tls"] and _email_options["use_ssl"]:
        raise ValueError("STOREFEED_EMAIL_TLS and STOREFEED_EMAIL_SSL exclude each other")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKENDS.get(_email_backend, _email_backend),
        "OPTIONS": _email_options,
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("STOREFEED_EMAIL_FROM", "Storefeed <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who to contact about this server (the instance entities' `contact`): an address, and the
# username of the account shown (else the first staff account).
INSTANCE_CONTACT_EMAIL = os.environ.get("STOREFEED_CONTACT_EMAIL", "")
INSTANCE_CONTACT_ACCOUNT = os.environ.get("STOREFEED_CONTACT_ACCOUNT", "")

# Commerce settings (issue 4 and 5); each is documented in the README's configuration table.
SELLER_MIN_FOLLOWERS = int(os.environ.get("STOREFEED_SELLER_MIN_FOLLOWERS", "1000"))
ORDER_PAYMENT_MINUTES = int(os.environ.get("STOREFEED_ORDER_PAYMENT_MINUTES", "15"))
AUTO_CONFIRM_DAYS = int(os.environ.get("STOREFEED_AUTO_CONFIRM_DAYS", "10"))
PLATFORM_FEE_PERCENT = int(os.environ.get("STOREFEED_PLATFORM_FEE_PERCENT", "0"))
# Fetching third-party shop pages: private, loopback and link-local addresses are refused
# unless this is on (tests serve fixture pages on loopback with it).
FETCH_ALLOW_PRIVATE = env_bool("STOREFEED_FETCH_ALLOW_PRIVATE")
FETCH_TIMEOUT_SECONDS = float(os.environ.get("STOREFEED_FETCH_TIMEOUT", "5"))
# Web Push (api/push.py): the VAPID key pair that signs every push, as base64url strings (the
# raw 32-byte private key; the 65-byte uncompressed public key). Unset, a pair is generated
# once and kept in the database, shared by every process. The subject is the contact a push
# service may write to (a mailto: or https: URL; unset, the site's https URL when it has one,
# else mailto: DEFAULT_FROM_EMAIL).
PUSH_VAPID_PRIVATE_KEY = os.environ.get("STOREFEED_VAPID_PRIVATE_KEY", "").strip()
PUSH_VAPID_PUBLIC_KEY = os.environ.get("STOREFEED_VAPID_PUBLIC_KEY", "").strip()
PUSH_VAPID_SUBJECT = os.environ.get("STOREFEED_VAPID_SUBJECT", "").strip()
# Push endpoints must be https URLs on public addresses; tests and development may allow
# http:// to loopback and private addresses with this.
PUSH_ALLOW_PRIVATE = env_bool("STOREFEED_PUSH_ALLOW_PRIVATE")
PUSH_TIMEOUT_SECONDS = float(os.environ.get("STOREFEED_PUSH_TIMEOUT", "5"))
# Payment provider callbacks are signed with this secret (HMAC-SHA256).
# Unset, a key derived from the secret key (never the secret key itself, which a provider
# would then hold).
PAYMENT_CALLBACK_SECRET = os.environ.get("STOREFEED_PAYMENT_CALLBACK_SECRET", "") or (
    hmac.new(SECRET_KEY.encode(), b"storefeed.payment-callback", hashlib.sha256).hexdigest()
)
FETCH_MAX_BYTES = int(os.environ.get("STOREFEED_FETCH_MAX_BYTES", 2 * 1024 * 1024))
FETCH_MAX_REDIRECTS = int(os.environ.get("STOREFEED_FETCH_MAX_REDIRECTS", "5"))
FETCH_TOTAL_SECONDS = float(os.environ.get("STOREFEED_FETCH_TOTAL_SECONDS", "20"))
# Development and tests only: send a host's requests to another address (host=ip:port,...),
# keeping the Host header. The address is still checked (loopback needs FETCH_ALLOW_PRIVATE).
FETCH_HOST_OVERRIDES = dict(
    item.split("=", 1)
    for item in os.environ.get("STOREFEED_FETCH_HOST_OVERRIDES", "").split(",")
    if "=" in item
)
# Storefeed Pay: the payment provider ("simulated": the built-in simulated bank, no real
# money) and per-request limits in fen.
WALLET_PAYMENT_PROVIDER = os.environ.get("STOREFEED_PAYMENT_PROVIDER", "simulated")
WALLET_TOPUP_MAX = int(os.environ.get("STOREFEED_TOPUP_MAX_FEN", "5000000"))
WALLET_WITHDRAWAL_MAX = int(os.environ.get("STOREFEED_WITHDRAWAL_MAX_FEN", "100000000"))
# Payment PINs are stored as HMAC-SHA256 keyed with this (unset: a key derived from the secret
# key), so a copy of the database alone cannot be guessed offline. Old keys, comma-separated,
# still verify PINs hashed with them, which are rewritten with the current key when next used.
# An Idempotency-Key whose request died while "running" is free for a retry after this many
# seconds (the retry replays what the request committed, or does the work once).
IDEMPOTENCY_LEASE_SECONDS = int(os.environ.get("STOREFEED_IDEMPOTENCY_LEASE", "60"))
if IDEMPOTENCY_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("STOREFEED_IDEMPOTENCY_LEASE must be a positive number of seconds.")
WALLET_PIN_KEY = os.environ.get("STOREFEED_PIN_KEY", "")
WALLET_PIN_OLD_KEYS = [k for k in os.environ.get("STOREFEED_PIN_OLD_KEYS", "").split(",") if k]

# Seller insight: where impressions are buffered ("redis" or "database"; unset, Redis when
# STOREFEED_REDIS_URL is set) and how often the worker rolls the buffers up (seconds).
INSIGHTS_BUFFER = os.environ.get("STOREFEED_INSIGHTS_BUFFER", "").strip().lower()
if INSIGHTS_BUFFER not in ("", "redis", "database"):
    raise ImproperlyConfigured("STOREFEED_INSIGHTS_BUFFER must be redis or database.")
if INSIGHTS_BUFFER == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("STOREFEED_INSIGHTS_BUFFER=redis needs STOREFEED_REDIS_URL.")
INSIGHTS_ROLLUP_SECONDS = int(os.environ.get("STOREFEED_INSIGHTS_ROLLUP_SECONDS", "30"))
# Each web process keeps the impressions of its pages in memory and writes them out this often
# (seconds); 0 writes each page's at once.
INSIGHTS_FLUSH_SECONDS = float(os.environ.get("STOREFEED_INSIGHTS_FLUSH_SECONDS", "5"))

# Promoted posts: the price of a thousand impressions in fen (¥5.00 by default), fixed on each
# promotion when it is bought; how often the worker places new promotions and charges what
# was shown (an exhausted budget stops being shown within about this long).
PROMOTION_CPM_FEN = int(os.environ.get("STOREFEED_PROMOTION_CPM_FEN", "500"))
if PROMOTION_CPM_FEN < 1:
    raise ImproperlyConfigured("STOREFEED_PROMOTION_CPM_FEN must be a positive integer of fen.")
PROMOTION_TICK_SECONDS = int(os.environ.get("STOREFEED_PROMOTION_TICK_SECONDS", "10"))

# Periodic sweeps that `storefeed beat` enqueues (dotted task path, seconds between runs).
# The counts of accounts and posts the instance endpoints show are recomputed this often.
SITE_STATS_SECONDS = int(os.environ.get("STOREFEED_SITE_STATS_SECONDS", "600"))
TRENDS_SECONDS = int(os.environ.get("STOREFEED_TRENDS_SECONDS", "60"))
EXPERT_RANKS_SECONDS = int(os.environ.get("STOREFEED_EXPERT_RANKS_SECONDS", "600"))
PERIODIC_TASKS = [
    ("storefeed.posts.tasks.publish_due_scheduled", 60),
    ("storefeed.posts.tasks.refresh_site_stats", SITE_STATS_SECONDS),
    ("storefeed.posts.tasks.sweep_unattached_media", 3600),
    ("storefeed.posts.tasks.requeue_stuck_videos", 600),
    # The hot list folds recent activity in every minute; the experts' ranking moves slower.
    ("storefeed.discovery.tasks.refresh_trends", TRENDS_SECONDS),
    ("storefeed.discovery.tasks.refresh_expert_ranks", EXPERT_RANKS_SECONDS),
    ("storefeed.core.tasks.purge_limit_counters", 3600),
    ("storefeed.social.tasks.expire_due_mutes", 60),
]
if COMMERCE:
    PERIODIC_TASKS += [
        ("storefeed.orders.tasks.expire_due_orders", 60),
        ("storefeed.orders.tasks.auto_confirm_due_orders", 3600),
        ("storefeed.orders.tasks.complete_due_orders", 3600),
        ("storefeed.catalog.tasks.refresh_external_items", 6 * 3600),
        # Best-selling in product search reads the units sold kept in the index by this.
        ("storefeed.catalog.tasks.refresh_sold_counts", 60),
        ("storefeed.wallet.tasks.purge_expired_keys", 3600),
        ("storefeed.insights.tasks.rollup_insights", INSIGHTS_ROLLUP_SECONDS),
        ("storefeed.promotions.tasks.tick", PROMOTION_TICK_SECONDS),
    ]
