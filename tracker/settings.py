"""Settings for the CSTO ratification tracker.

Everything that differs between a laptop and a server comes from the
environment (twelve-factor); the defaults are safe for a local run on the
embedded SQLite database.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# The one import of app code: django-import-export's admin reads IMPORT_FORMATS as classes, never as dotted
# paths. The module loads no models, so settings can import it before the apps are ready.
from tracker.spreadsheet_formats import FormulaSafeCSV, FormulaSafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY):
    # A production site must never run on a key that is in the repository: anyone could sign sessions and
    # password-reset links with it (issue 17).
    raise ImproperlyConfigured("SECRET_KEY must be set, to a key of your own, when DEBUG is off.")
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Transport and browser security (issue 7). Production defaults are strict; each can be
# relaxed from the environment. With DEBUG on (local http) they stay off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if not DEBUG and not SECURE_SSL_REDIRECT:
    # Turned off on purpose: a TLS-terminating proxy in front does the redirect, so the
    # deploy check's reminder (W008) is noise there.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets (and strips from clients) X-Forwarded-Proto; trusting it
    # anywhere else lets a client claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# A staff session ends after SESSION_IDLE_MINUTES without a request (issue 17): every request renews it, so an
# editor at work stays signed in, and a browser left signed in somewhere does not stay so for Django's two weeks.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = True
# No script of ours reads the CSRF cookie (forms carry the token), so hide it from scripts.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A strict Content-Security-Policy: nothing inline, nothing from other sites. Our templates have no
# inline script or style (STYLE.md). The one exception is a hash, not 'unsafe-inline': the
# "select all" box on django-import-export's admin export page is an inline onchange handler,
# and 'unsafe-hashes' with its SHA-256 allows exactly that handler and nothing else.
IMPORT_EXPORT_SELECT_ALL_HANDLER = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-hashes'", IMPORT_EXPORT_SELECT_ALL_HANDLER],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # whitenoise serves static files under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    # With ninja installed as an app, /api/docs serves Swagger UI from its bundled static files, not a CDN (issue 8).
    "ninja",
    "simple_history",
    "import_export",
    # Locks out repeated failed staff logins (issue 7).
    "axes",
    "csp",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses public HTML, never a page with a CSRF token in it (BREACH; tracker/compression.py, issue 15).
    "tracker.compression.PublicPageGZipMiddleware",
    # Content-Security-Policy on every response, static files included (issue 7).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Only the admin writes; everything else answers GET and HEAD (issue 7).
    "tracker.middleware.ReadOnlyPublicSite",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Picks the language from the URL's /ru/ prefix; unprefixed addresses are English (issue 10).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the request user on every historical record (the audit trail's "who").
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lost database connection is a 503 with Retry-After, not a 500 (issue 7).
    "tracker.middleware.DatabaseUnavailableMiddleware",
    # The record's version (RecordToken), which the caches key by, is read once per request (issue 18).
    "tracker.middleware.OneRecordVersionPerRequest",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write at once (sessions, failed-login counts). A transaction that
    # starts as a reader and then writes gets "database is locked" at once, without waiting;
    # IMMEDIATE takes the write lock up front, so it waits its turn (up to the timeout), and
    # WAL lets readers go on while one writer works. Seen as 500s under bench/load.py (issue 7).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache (tracker/views/caching.py, issue 6): the matrix's table and chart and the events list, kept per
# date, filter and language. Per-process memory by default; CACHE_URL may name a shared one (redis://host:6379/0
# with the redis package installed, or file:///some/dir). Either way entries are keyed by RecordToken, so no
# worker serves a stale page. The alerts form counts its requests here too (below).
CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}
_cache_url = os.environ.get("CACHE_URL", "locmem://")
_cache_scheme = _cache_url.partition("://")[0]
if _cache_scheme not in CACHE_BACKENDS:
    raise ImproperlyConfigured(f"CACHE_URL must start with one of {', '.join(CACHE_BACKENDS)}://")
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKENDS[_cache_scheme],
        "LOCATION": _cache_url.partition("://")[2] if _cache_scheme == "file" else _cache_url,
        "TIMEOUT": 24 * 60 * 60,
    }
}
if _cache_scheme == "locmem":
    CACHES["default"] |= {"LOCATION": "tracker", "OPTIONS": {"MAX_ENTRIES": 50}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing (issues 7 and 17): after AXES_FAILURE_LIMIT failed logins a login is locked out for
# AXES_COOLOFF_HOURS. Failures count per username and address, and per username from any address the editor has
# not signed in from before (tracker/logins.py): guesses spread over many addresses are limited, and a stranger
# cannot lock an editor out of their usual address. Failures during a lockout do not prolong it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = "tracker.logins.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address: REMOTE_ADDR, unless a proxy in front names it in a header it sets itself (overwriting
# whatever the client sent). Behind a proxy every REMOTE_ADDR is the proxy's, and all clients would share one
# lockout. django-ipware reads the header; `make serve` runs nginx, which sets X-Real-IP.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_" + CLIENT_IP_HEADER.upper().replace("-", "_"), "REMOTE_ADDR") if CLIENT_IP_HEADER else ("REMOTE_ADDR",)
)

LANGUAGE_CODE = "en"
# Russian is the CSTO's working language; English stays the default so that published addresses keep working.
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates by name (DATE_FORMAT...), in each language's own way: "18 May 2023", "18 мая 2023 г.".
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# A bulk import is all or nothing: one bad row rolls the whole file back (issue 5).
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Spreadsheet cells that start with = + - @ or a tab are written as text, never as formulas (issue 7).
IMPORT_FORMATS = EXPORT_FORMATS = [FormulaSafeCSV, FormulaSafeXLSX]
# Uploads waiting for their confirm, in a folder of their own; one nobody confirmed is removed after a day.
# A file is refused over IMPORT_MAX_BYTES, an XLSX whose parts expand past IMPORT_MAX_XLSX_BYTES (issue 17).
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", BASE_DIR / "var" / "imports"))
IMPORT_UPLOAD_MAX_AGE = 24 * 60 * 60
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_MB", "10")) * 1024 * 1024
IMPORT_MAX_XLSX_BYTES = 5 * IMPORT_MAX_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# E-mail alerts (issue 16). Digests are sent by `manage.py send_alert_digests` from cron; their links
# point to SITE_URL, since a command has no request to take the host from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "alerts@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
# Without an SMTP server configured, a local run prints the messages instead of failing to send them.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and "EMAIL_HOST" not in os.environ
    else "django.core.mail.backends.smtp.EmailBackend",
)
# How long a confirmation link stays valid; until it is followed, nothing about the address is stored.
ALERT_CONFIRMATION_MAX_AGE = 2 * 24 * 60 * 60
# Subscription requests per address and per client address, so the form cannot mail-bomb anyone.
# Counted in the default cache (per worker with locmem; shared with CACHE_URL=redis://...).
ALERT_RATE_PER_EMAIL = os.environ.get("ALERT_RATE_PER_EMAIL", "3/d")
ALERT_RATE_PER_CLIENT = os.environ.get("ALERT_RATE_PER_CLIENT", "10/h")
