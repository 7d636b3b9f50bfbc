"""Production: everything that differs per deployment comes from environment variables.

Required: SECRET_KEY, DATABASE_URL (PostgreSQL), ALLOWED_HOSTS, BASE_URL. Database connections:
CONN_MAX_AGE (seconds a connection is kept open, default 60).
Cache: REDIS_URL (Redis, shared by every server), else the database cache (`createcachetable`).
Pages: PAGE_CACHE_MAX_AGE, PAGE_CACHE_S_MAXAGE, PAGE_CACHE_STALE_WHILE_REVALIDATE; purging:
FRONTEND_CACHE_PURGE_URL (Varnish in front, deploy/varnish/), CLOUDFLARE_ZONE_ID with
CLOUDFLARE_API_TOKEN, or CLOUDFRONT_DISTRIBUTION_ID. Media: MEDIA_ROOT,
or AWS_STORAGE_BUCKET_NAME and the other AWS_* variables for S3-compatible storage
(django-storages). Logs: LOG_LEVEL, LOG_FORMAT.
Email: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
DEFAULT_FROM_EMAIL; or, through an e-mail service provider's API (django-anymail), ANYMAIL_ESP,
ANYMAIL_WEBHOOK_SECRET and the provider's ANYMAIL_<ESP>_... keys (docs/deployment.md).
"""

import importlib.util
import json
import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from website.logs import logging_config

from .base import *  # noqa: F403
from .base import MIDDLEWARE, STORAGES, caches_from_env, database_from_env, env_bool, env_list

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without a secret key: "
        "set the SECRET_KEY environment variable to a long random value."
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY is shorter than 50 characters. Production refuses to start with a weak key: "
        "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL is not set (postgres://user:password@host:5432/name).")

# Connections stay open between requests (opening one to PostgreSQL costs more than most of the
# queries a page makes): CONN_MAX_AGE seconds, default 60, 0 to close after every request. A
# connection that broke while idle (database restart, failover) is replaced before it is used.
DATABASES = {"default": database_from_env(None)}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

BASE_URL = os.environ.get("BASE_URL", "")
if not BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("BASE_URL is not set to the site's https address (used in emails).")
# The admin's forms post from the site's own address; add others (e.g. a second domain) here.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [
    "{0.scheme}://{0.netloc}".format(urlsplit(BASE_URL))
]

EMAIL_BACKEND = "newsletter.mail.EmailBackend"  # Django's SMTP backend, with BODY=8BITMIME
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))


def anymail_settings(environ):
    """ANYMAIL from every `ANYMAIL_<KEY>` environment variable but ANYMAIL_ESP, prefix dropped.

    `ANYMAIL_POSTMARK_SERVER_TOKEN=...` becomes ANYMAIL["POSTMARK_SERVER_TOKEN"], so each provider's
    documented keys work without a list here. `true`/`false` become booleans and a value that
    starts with `{` or `[` is read as JSON (e.g. AMAZON_SES_CLIENT_PARAMS); the rest stay text.
    """
    result = {}
    for name, value in environ.items():
        if not name.startswith("ANYMAIL_") or name == "ANYMAIL_ESP":
            continue
        key = name.removeprefix("ANYMAIL_")
        if value.strip().lower() in {"true", "false"}:
            value = value.strip().lower() == "true"
        elif value.lstrip().startswith(("{", "[")):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
        result[key] = value
    return result


# An e-mail service provider's HTTP API instead of SMTP: ANYMAIL_ESP names an anymail backend
# (amazon_ses, brevo, mailgun, postmark, sendgrid, ...). Its tracking webhooks (bounces,
# complaints, unsubscriptions, /anymail/<esp>/tracking/) change subscribers: without a basic-auth
# secret anyone could post them, so production refuses to start without one.
ANYMAIL_ESP = os.environ.get("ANYMAIL_ESP", "").strip().lower()
if ANYMAIL_ESP:
    if not re.fullmatch(r"[a-z_]+", ANYMAIL_ESP) or not importlib.util.find_spec(
        f"anymail.backends.{ANYMAIL_ESP}"
    ):
        raise ImproperlyConfigured(
            f"ANYMAIL_ESP={ANYMAIL_ESP!r} is not an e-mail service provider django-anymail "
            "supports (e.g. amazon_ses, brevo, mailgun, postmark, sendgrid)."
        )
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
    ANYMAIL = anymail_settings(os.environ)
    if ":" not in str(ANYMAIL.get("WEBHOOK_SECRET", "")):
        raise ImproperlyConfigured(
            "ANYMAIL_WEBHOOK_SECRET is not set: give it a random user:password pair (two long "
            "random strings joined by a colon) and put the same in the webhook URL at the "
            "provider, https://user:password@host/anymail/<esp>/tracking/."
        )

# https: the proxy or load balancer in front terminates TLS and says so in X-Forwarded-Proto (it
# must set that header itself, never pass on a client's). `manage.py check --deploy` passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview panel sets SAMEORIGIN on its own responses

# Static files: collected with hashed, compressed names (`manage.py collectstatic`) and served by
# WhiteNoise from the application, with far-future cache headers.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_media_storage(environ):
    """Media in an S3-compatible bucket (django-storages) when AWS_STORAGE_BUCKET_NAME is set.

    django-storages reads its AWS_* settings, copied here from the environment. Not in the lock
    file: a deployment that uses it installs `django-storages[s3]` (docs/deployment.md).
    """
    if not importlib.util.find_spec("storages"):
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is set but django-storages is not installed: install "
            "django-storages[s3] for media in S3-compatible storage, or unset it for local disk."
        )
    names = [
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_S3_CUSTOM_DOMAIN",
        "AWS_LOCATION",
    ]
    options = {
        name.removeprefix("AWS_").lower(): environ[name] for name in names if environ.get(name)
    }
    options["bucket_name"] = options.pop("storage_bucket_name")
    options["region_name"] = options.pop("s3_region_name", None)
    options["endpoint_url"] = options.pop("s3_endpoint_url", None)
    options["custom_domain"] = options.pop("s3_custom_domain", None)
    options["file_overwrite"] = False  # two uploads with one name never replace each other
    options["default_acl"] = None  # the bucket's policy decides who reads
    options["querystring_auth"] = env_bool("AWS_QUERYSTRING_AUTH", False)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Media (uploaded images and documents): local disk under MEDIA_ROOT by default, served by the
# reverse proxy; with several app servers, a shared disk or an S3-compatible bucket.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = s3_media_storage(os.environ)

# Cache: Redis when REDIS_URL is set, else a table in the database (`manage.py createcachetable`).
# Both are shared by every server and worker (fragments, the sign-up rate limit).
CACHES = caches_from_env(
    {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))},
    }
)

# Pages for anonymous visitors (website/cache.py): browsers keep them a minute, the HTTP cache
# (Varnish, deploy/varnish.vcl) or CDN ten minutes, purged when content is published.
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))


def frontend_cache_from_env(environ):
    """wagtail.contrib.frontend_cache backends configured in the environment: the HTTP cache in
    front (Varnish, or anything that accepts PURGE), Cloudflare, CloudFront."""
    backends = {}
    hostnames = [urlsplit(environ["BASE_URL"]).hostname] if environ.get("BASE_URL") else ["*"]
    if environ.get("CLOUDFLARE_ZONE_ID"):
        backends["cloudflare"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": environ["CLOUDFLARE_ZONE_ID"],
            "BEARER_TOKEN": environ.get("CLOUDFLARE_API_TOKEN", ""),
            "HOSTNAMES": hostnames,
        }
    if environ.get("CLOUDFRONT_DISTRIBUTION_ID"):
        backends["cloudfront"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": environ["CLOUDFRONT_DISTRIBUTION_ID"],
            "HOSTNAMES": hostnames,
        }
    if environ.get("FRONTEND_CACHE_PURGE_URL"):
        backends["proxy"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": environ["FRONTEND_CACHE_PURGE_URL"],
            "HOSTNAMES": hostnames,
        }
    return backends


WAGTAILFRONTENDCACHE = frontend_cache_from_env(os.environ)

# Logs: one JSON object per line on standard error (website/logs.py); LOG_FORMAT=plain for text.
LOGGING = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"), log_format=os.environ.get("LOG_FORMAT", "json")
)
