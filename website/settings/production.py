"""Production: everything that differs per deployment comes from environment variables.

Required: SECRET_KEY, DATABASE_URL (PostgreSQL), ALLOWED_HOSTS, BASE_URL.
Email: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
DEFAULT_FROM_EMAIL; or, through an e-mail service provider's API (django-anymail), ANYMAIL_ESP,
ANYMAIL_WEBHOOK_SECRET and the provider's ANYMAIL_<ESP>_... keys (docs/deployment.md).
"""

import importlib.util
import json
import os
import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without a secret key: "
        "set the SECRET_KEY environment variable to a long random value."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL is not set (postgres://user:password@host:5432/name).")

if not os.environ.get("BASE_URL", "").startswith("https://"):
    raise ImproperlyConfigured("BASE_URL is not set to the site's https address (used in emails).")

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
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

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
