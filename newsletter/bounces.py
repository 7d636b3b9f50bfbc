"""Bounces and complaints that come back by e-mail: an organisation's own SMTP relay accepts a
message and reports later, to the envelope sender's mailbox, that it could not be delivered.

`poll()` (run by the sweep, newsletter.sending) reads the mailbox named by the setting
NEWSLETTER_BOUNCE_MAILBOX (`pop3s://user:password@host:995` or `pop3://...`, read with the standard
library's poplib), recognises

- delivery status notifications (RFC 3464, and the other formats flufl.bounce knows): permanent
  failures are hard bounces, temporary ones soft bounces;
- feedback-loop reports (ARF, RFC 5965, `report-type=feedback-report`): complaints;

finds the delivery by the Message-ID of our message, quoted in the report's attached headers,
and applies each exactly as the provider webhooks of newsletter.esp do (a hard bounce marks the
subscriber bounced and the delivery failed; a soft bounce is counted; a complaint marks the
subscriber complained). Recognised messages are deleted; anything else stays in the mailbox.
"""

import email
import email.utils
import logging
import poplib
from urllib.parse import unquote, urlsplit

from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.utils import timezone
from flufl.bounce import all_failures

from . import esp

logger = logging.getLogger(__name__)


def original_headers(message):
    """The headers of our message quoted in a report (message/rfc822 or text/rfc822-headers)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if payload:
                return payload[0] if isinstance(payload, list) else payload
        if kind == "text/rfc822-headers":
            return email.message_from_bytes(part.get_payload(decode=True) or b"")
    return None


def feedback_recipient(message):
    """The complaining address of an ARF report: its Original-Rcpt-To, else the quoted To."""
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            fields = payload[0] if isinstance(payload, list) and payload else part
            address = fields.get("Original-Rcpt-To") if hasattr(fields, "get") else None
            if address:
                return email.utils.parseaddr(str(address))[1]
    original = original_headers(message)
    return email.utils.parseaddr(str(original.get("To", "")))[1] if original else ""


def events(raw):
    """The anymail tracking events a message of the bounce mailbox stands for (none if it is
    neither a delivery status notification nor a feedback report)."""
    message = email.message_from_bytes(raw)
    original = original_headers(message)
    message_id = str(original.get("Message-ID", "")).strip() if original else ""
    now = timezone.now()
    if message.get_param("report-type", header="content-type") == "feedback-report":
        address = feedback_recipient(message)
        if not address:
            return []
        return [
            AnymailTrackingEvent(
                event_type=EventType.COMPLAINED,
                recipient=address,
                message_id=message_id or None,
                timestamp=now,
                description="feedback report",
            )
        ]
    temporary, permanent = all_failures(message)
    found = [(EventType.BOUNCED, address) for address in permanent]
    found += [(EventType.DEFERRED, address) for address in temporary - permanent]
    return [
        AnymailTrackingEvent(
            event_type=kind,
            recipient=address.decode(errors="replace"),
            message_id=message_id or None,
            timestamp=now,
            description=str(message.get("Subject", ""))[:200],
        )
        for kind, address in found
    ]


def connect(url):
    parts = urlsplit(url)
    if parts.scheme not in ("pop3", "pop3s"):
        raise ValueError(f"NEWSLETTER_BOUNCE_MAILBOX: {parts.scheme}:// is not supported (pop3s)")
    client = poplib.POP3_SSL if parts.scheme == "pop3s" else poplib.POP3
    mailbox = client(parts.hostname, parts.port or (995 if parts.scheme == "pop3s" else 110))
    mailbox.user(unquote(parts.username or ""))
    mailbox.pass_(unquote(parts.password or ""))
    return mailbox


def poll(url=None):
    """Read the bounce mailbox once; returns {"read": n, "applied": n}. Never raises for one bad
    message: it stays in the mailbox and is logged."""
    url = url or settings.NEWSLETTER_BOUNCE_MAILBOX
    if not url:
        return {"read": 0, "applied": 0}
    mailbox = connect(url)
    read = applied = 0
    try:
        count, _size = mailbox.stat()
        for number in range(1, count + 1):
            read += 1
            try:
                _response, lines, _octets = mailbox.retr(number)
                found = events(b"\r\n".join(lines))
            except Exception:  # noqa: BLE001 (one unreadable message must not stop the rest)
                logger.exception("Bounce mailbox: message %s could not be read", number)
                continue
            for event in found:
                esp.tracking_received(None, event=event, esp_name="mailbox")
            if found:
                applied += len(found)
                mailbox.dele(number)
    finally:
        mailbox.quit()
    return {"read": read, "applied": applied}
