"""Settings shared by every environment.

Environment-specific modules (dev, test, production) import from here and override. Values that
differ between deployments are read from environment variables with the helpers below.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

PROJECT_DIR = Path(__file__).resolve().parent.parent  # website/
BASE_DIR = PROJECT_DIR.parent  # repository root
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))  # local database, captured mail


def env_bool(name, default=False):
    """Read a yes/no environment variable; anything but 1/true/yes/on counts as no."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_env(default_sqlite_path):
    """`DATABASE_URL` when set (PostgreSQL in CI and production), else a local SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url:
        try:
            return dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", 0)))
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    # The web server and the task worker write at once: WAL lets readers go on during a write,
    # IMMEDIATE transactions take the write lock up front instead of failing half-way with
    # "database is locked", and the timeout waits for the lock instead of giving up at once.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite_path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def caches_from_env(fallback):
    """django-redis when `REDIS_URL` is set (shared by every process), else `fallback`.

    The page cache, its purges and the sign-up rate limit live in the default cache, so every
    web server and task worker of a deployment must share it: Redis, or the database cache.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return {"default": fallback}
    return {
        "default": {
            # django-redis rather than Django's RedisCache: the same cache API, but one Redis
            # client per process where Django's builds a client object for every call (about a
            # tenth of the CPU of a page put together from its fragments).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bwb"),
            # A Redis that does not answer fails a request within seconds, never hangs it.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }


def search_backend_for(database):
    """Wagtail's PostgreSQL full-text backend on PostgreSQL, the generic database one elsewhere."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        return "wagtail.search.backends.database.postgres.postgres"
    return "wagtail.search.backends.database"


INSTALLED_APPS = [
    "website",
    "stories",
    "events",
    "newsletter",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # /healthz answers first: load balancers probe by address over plain http (website/health.py)
    "website.health.HealthCheckMiddleware",
    # Cache-Control (website/cache.py): outside sessions, CSRF and authentication, so it sees the
    # cookies and Vary headers they add.
    "website.cache.CacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "website.admin_language.LocaleMiddleware",  # Django's, an admin 404 left alone
    "website.language.RememberLanguageChoiceMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # the whole admin request in the user's admin language, Bengali digits in a Bangla admin
    "website.admin_language.AdminLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "website.security.SitePolicyMiddleware",  # Content-Security-Policy (django-csp)
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "website.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "website.context_processors.site_texts",
                "website.context_processors.fragments",
            ],
        },
    },
]

WSGI_APPLICATION = "website.wsgi.application"

DATABASES = {"default": database_from_env(VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One process in development and tests: memory is enough. Production: Redis or the database.
CACHES = caches_from_env({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})

# Public pages are sent with Cache-Control: public, max-age, s-maxage, stale-while-revalidate
# (website/cache.py); the HTTP cache in front in production keeps them (docs/deployment.md).
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "0"))  # browsers
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", "600"))  # CDN and server copy
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", "60"))
# Fragments of pages in the cache (website/cache.py): renewed by changes, kept at most this long.
PAGE_FRAGMENT_TIMEOUT = int(os.environ.get("PAGE_FRAGMENT_TIMEOUT", str(24 * 3600)))

# Proxies in front of the application that append to X-Forwarded-For (a reverse proxy, load
# balancer or CDN): the sign-up rate limit reads the client's address from them (0: REMOTE_ADDR).
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
# django-ratelimit (the sign-up form's limits) takes the client's address from the same place.
RATELIMIT_IP_META_KEY = "website.proxies.client_address"

# Purging: wagtail.contrib.frontend_cache backends; none in development (nothing caches pages),
# production's come from the environment. website/cache.py purges a published page with the pages
# that list it; Wagtail's own handlers (the contrib app) are not installed since they purge less.
WAGTAILFRONTENDCACHE = {}

# Browser features no page uses, refused to every page and anything it embeds (website/cache.py).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp) on every response (website/security.py): the site, the
# Wagtail admin, wagtail-localize's editor and previews load everything from this origin. Scripts
# only from files (no inline script, no eval) on the public site; the admin adds inline scripts
# (Wagtail's widgets write some). Inline styles are allowed (the admin,
# Draftail and the translation editor set style attributes); images may be data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
CONTENT_SECURITY_POLICY_ADMIN_UPDATE = {
    "script-src": ["'unsafe-inline'"],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English is the source language, Bangla the translation.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("bn", "বাংলা"),
]
LANGUAGE_NAMES_IN_OWN_LANGUAGE = dict(LANGUAGES)
# Content languages as the admin names them, in the admin's language ("Stories (ইংরেজি)" in a
# Bangla admin); LANGUAGES names each language in itself, for those choosing one.
WAGTAIL_CONTENT_LANGUAGES = [
    ("en", gettext_lazy("English")),
    ("bn", gettext_lazy("Bangla")),
]
WAGTAIL_I18N_ENABLED = True
FORMAT_MODULE_PATH = ["website.formats"]  # unambiguous dates in the admin (website/formats/)
LOCALE_PATHS = [PROJECT_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Dhaka"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background tasks: a database queue worked by `manage.py db_worker` (django-tasks backport of
# Django 6's tasks framework, which Wagtail 8 already uses for its own background work).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Email: the sender and the base URL that links in emails are built from.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Better Work Bangladesh <newsletter@example.org>"
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# An address that unsubscribes whoever writes to it, offered in List-Unsubscribe beside the
# one-click https link (leave empty when no mailbox processes such mail).
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
# Sending (newsletter/sending.py, docs/sending.md)
NEWSLETTER_MAX_RATE = float(os.environ.get("NEWSLETTER_MAX_RATE", "0"))  # msgs/s per send, 0: none
NEWSLETTER_TEST_DAILY_LIMIT = 50  # test messages one admin user may send in 24 hours
NEWSLETTER_BATCH_SIZE = 100  # deliveries a worker claims at a time, sent over one connection
NEWSLETTER_PARALLEL_BATCHES = 2  # batches queued at once per send (one per worker process)
NEWSLETTER_LEASE_SECONDS = 300  # a claimed batch returns to the queue if not done by then
NEWSLETTER_MAX_ATTEMPTS = 6  # temporary failures retried this many times in all
NEWSLETTER_RETRY_BASE_SECONDS = 60  # back-off: 1, 2, 4... minutes
NEWSLETTER_RETRY_MAX_SECONDS = 3600
# A send pauses when this share of its last NEWSLETTER_PAUSE_WINDOW attempts failed
NEWSLETTER_PAUSE_WINDOW = 60
NEWSLETTER_PAUSE_FAILURE_RATE = 0.5
NEWSLETTER_SWEEP_SECONDS = 60
# On PostgreSQL, workers' commits do not wait for the disk (synchronous_commit off, per session)
NEWSLETTER_RELAXED_COMMITS = True
# Reports (docs/reports.md): links of sent editions go through /r/<token>; the open image and
# UTM parameters are off unless asked for.
NEWSLETTER_TRACK_CLICKS = os.environ.get("NEWSLETTER_TRACK_CLICKS", "1") == "1"
NEWSLETTER_TRACK_OPENS = os.environ.get("NEWSLETTER_TRACK_OPENS", "0") == "1"
NEWSLETTER_UTM = os.environ.get("NEWSLETTER_UTM", "0") == "1"
# A click this soon after the message was accepted is a scanner's, not a reader's.
NEWSLETTER_MACHINE_CLICK_SECONDS = 10
# Bounces and complaints sent back by e-mail (newsletter/bounces.py), read by the sweep:
# pop3s://user:password@host:995 (empty: none)
NEWSLETTER_BOUNCE_MAILBOX = os.environ.get("NEWSLETTER_BOUNCE_MAILBOX", "")
# The print edition (newsletter/printing.py) is printed by headless Chromium: Debian's `chromium`
# with the fonts of `fonts-noto-core` (docs/sending.md, "Print edition").
PRINT_CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Wagtail
WAGTAIL_SITE_NAME = "Better Work Bangladesh"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": search_backend_for(DATABASES["default"]),
        "INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", ""),
    }
}
WAGTAILIMAGES_IMAGE_MODEL = "website.CustomImage"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILADMIN_USER_LOGIN_FORM = "website.forms.AdminLoginForm"  # its password label translates
WAGTAIL_ENABLE_UPDATE_CHECK = False
# "Translate this page" creates the translation as a draft that translators publish, instead of a
# live copy in English (website/translation_requests.py).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# No Gravatar: avatars would load from a third party (sent a hash of each staff e-mail address)
# and break offline; Wagtail draws its default avatar, or the one a user uploads.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "website": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "django_tasks": {"level": "INFO"},
    },
}

# Demo content loader: pages are never overwritten once an editor may have changed them.
DEMO_CREDENTIALS_FILE = VAR_DIR / "demo-credentials.txt"
