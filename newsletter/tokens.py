"""Signed tokens for subscribers' links (Django signing): sign and unsign, nothing else.

- Confirmation tokens expire (CONFIRMATION_MAX_AGE) and are bound to one sign-up: a link from an
  earlier sign-up stops working once the person has unsubscribed and signed up again.
- Link tokens (unsubscribe, preferences, one-click) never expire: every newsletter must keep
  working.
Both sign the subscriber's random `token` (a UUID), never the address, so a link reveals nothing.
Finding the subscriber a token names is the model's job (`Subscriber.objects.from_link_token`).
"""

import datetime
import uuid

from django.core import signing

CONFIRMATION_SALT = "newsletter.confirm"
LINK_SALT = "newsletter.link"
CONFIRMATION_MAX_AGE = datetime.timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, belongs to nobody, or was made for another purpose."""


class ExpiredToken(InvalidToken):
    """The confirmation link is older than CONFIRMATION_MAX_AGE."""


def signup_stamp(signed_up_at):
    return str(int(signed_up_at.timestamp() * 1_000_000))


def confirmation_token(subscriber):
    """A confirmation token for the subscriber's current sign-up (its `token` and
    `signed_up_at`)."""
    value = f"{subscriber.token.hex}.{signup_stamp(subscriber.signed_up_at)}"
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(value)


def link_token(subscriber):
    """A never-expiring link token for the subscriber (its random `token`)."""
    return signing.Signer(salt=LINK_SALT).sign(subscriber.token.hex)


def as_uuid(value):
    try:
        return uuid.UUID(hex=value)
    except (ValueError, TypeError) as exc:
        raise InvalidToken from exc


def unsign_confirmation(token):
    """(subscriber token UUID, sign-up stamp) of a confirmation token; raises ExpiredToken or
    InvalidToken."""
    try:
        value = signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign(
            token, max_age=CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    key, _dot, stamp = value.partition(".")
    return as_uuid(key), stamp


def unsign_link(token):
    """The subscriber token UUID of a link token; raises InvalidToken."""
    try:
        value = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    return as_uuid(value)


CLICK_SALT = "newsletter.click"
OPEN_SALT = "newsletter.open"


def click_token(delivery_id, position):
    """A never-expiring token naming a delivery and the position of a link in its edition."""
    return signing.Signer(salt=CLICK_SALT).sign(f"{delivery_id}-{position}")


def unsign_click(token):
    """(delivery id, link position) of a click token; raises InvalidToken."""
    try:
        value = signing.Signer(salt=CLICK_SALT).unsign(token)
        delivery, position = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken from exc
    return delivery, position


def open_token(delivery_id):
    return signing.Signer(salt=OPEN_SALT).sign(str(delivery_id))


def unsign_open(token):
    """The delivery id of an open token; raises InvalidToken."""
    try:
        return int(signing.Signer(salt=OPEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken from exc
