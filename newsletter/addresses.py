"""E-mail addresses as the newsletter stores them: normalised, comparable, hashable for suppression.

Internationalised domains (বাংলা.example) are accepted and stored in their ASCII (punycode) form so
that the same address typed two ways is one subscriber; letter case never makes a second one.
"""

import functools
import hashlib
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64  # RFC 5321: mail servers refuse longer local parts


@functools.lru_cache(maxsize=4096)
def _ascii_domain(domain):
    """IDNA encoding is most of the cost of normalising; lists repeat a few domains."""
    return idna.encode(domain, uts46=True).decode("ascii").lower()


def normalize_email(value):
    """The address in canonical form, or ValidationError with a message a person understands.

    Surrounding spaces go, the domain is IDNA-encoded and lower-cased, the local part keeps its
    case (only the comparison ignores it: see `email_key`).
    """
    if not isinstance(value, str):
        raise ValidationError(_("Enter an e-mail address."), code="required")
    address = unicodedata.normalize("NFC", value).strip()
    if not address:
        raise ValidationError(_("Enter an e-mail address."), code="required")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError(
            _("“%(value)s” is not an e-mail address: it needs one @ and a domain."),
            code="invalid",
            params={"value": value.strip()[:100]},
        )
    if not local.isascii():
        raise ValidationError(
            _("The part before the @ must use Latin letters, digits or . _ + -"), code="invalid"
        )
    try:
        domain = _ascii_domain(domain.rstrip("."))
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise ValidationError(
            _("The domain of “%(value)s” is not valid."),
            code="invalid",
            params={"value": value.strip()[:100]},
        ) from exc
    if len(local) > MAX_LOCAL_LENGTH:
        raise ValidationError(
            _("The part before the @ is too long (at most 64 characters)."), code="invalid"
        )
    if "." not in domain:
        raise ValidationError(
            _("The domain of “%(value)s” needs a dot, as in example.org."),
            code="invalid",
            params={"value": value.strip()[:100]},
        )
    address = f"{local}@{domain}"
    if len(address) > MAX_LENGTH:
        raise ValidationError(_("This e-mail address is too long."), code="invalid")
    validate_email(address)
    return address


def email_key(address):
    """What makes two addresses the same subscriber: the normalised address, case-folded."""
    return normalize_email(address).lower()


def suppression_hash(address):
    """A one-way fingerprint kept after erasure, so an erased address is not re-imported."""
    return hashlib.sha256(f"bwb-newsletter-suppression:{email_key(address)}".encode()).hexdigest()
