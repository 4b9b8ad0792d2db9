"""Settings for the CSTO ratification tracker.

Everything that differs between a laptop and a server comes from the
environment (twelve-factor); the defaults are safe for a local run on the
embedded SQLite database.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tracker.security import FormulaSafeCSV, FormulaSafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A production site must never run on a key that is in the repository.
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-not-for-production"

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
    "tracker.security.ReadOnlyPublicSite",
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

# The rendered status matrix is cached per as-of date and filter (issue 6). Per-process memory by
# default; CACHE_URL may name a shared one (redis://host:6379/0 with the redis package installed, or
# file:///some/dir). Either way entries are keyed by RecordVersion, so no worker serves a stale page.
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

# Password guessing (issue 7): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_HOURS. Locking the pair rather than the
# username alone means an attacker elsewhere cannot lock a real editor out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
