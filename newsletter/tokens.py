"""Signed links for subscribers (Django signing).

- Confirmation links expire (CONFIRMATION_MAX_AGE) and carry the time they were made.
- Unsubscribe and preference links never expire: every newsletter must keep working.
Both sign the subscriber's random `token`, never the address, so a link reveals nothing.
"""

import datetime
import uuid

from django.core import signing

from .models import Subscriber

CONFIRMATION_SALT = "newsletter.confirm"
LINK_SALT = "newsletter.link"
CONFIRMATION_MAX_AGE = datetime.timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, belongs to nobody, or was made for another purpose."""


class ExpiredToken(InvalidToken):
    """The confirmation link is older than CONFIRMATION_MAX_AGE."""


def _signup_stamp(subscriber):
    return str(int(subscriber.signed_up_at.timestamp() * 1_000_000))


def confirmation_token(subscriber):
    """Bound to this sign-up: a link from an earlier sign-up stops working once the person has
    unsubscribed and signed up again."""
    value = f"{subscriber.token.hex}.{_signup_stamp(subscriber)}"
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(value)


def link_token(subscriber):
    return signing.Signer(salt=LINK_SALT).sign(subscriber.token.hex)


def _subscriber(value):
    try:
        key = uuid.UUID(hex=value)
    except (ValueError, TypeError) as exc:
        raise InvalidToken from exc
    subscriber = Subscriber.objects.filter(token=key).first()
    if subscriber is None:
        raise InvalidToken
    return subscriber


def subscriber_from_confirmation_token(token):
    try:
        value = signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign(
            token, max_age=CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    key, _dot, stamp = value.partition(".")
    subscriber = _subscriber(key)
    if stamp != _signup_stamp(subscriber):
        raise InvalidToken
    return subscriber


def subscriber_from_link_token(token):
    try:
        value = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    return _subscriber(value)
