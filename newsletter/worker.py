"""A worker's batch: claim deliveries under a lease, deliver them over one connection, record each
outcome in the ledger as soon as the server has answered for it.

Every message goes through Django's e-mail backend API (`get_connection()`, `send_messages`), so
SMTP in development and production and every django-anymail ESP take the same path. Replies are
classified per message:

- accepted: the delivery is `sent` (committed before the next message goes);
- the address was refused for good (5xx to RCPT, the ESP refusing it): `failed`, the subscriber
  `bounced`;
- refused for now (4xx): `retrying`, with back-off, up to NEWSLETTER_MAX_ATTEMPTS;
- the mail server cannot be reached or hangs up (connection refused, timeouts, 421): the batch
  stops, its other deliveries go back to the queue, and the send waits for the server
  (`Send.wait_for_server`: paused, resumed by the sweep with back-off);
- anything else while building or sending one message (a line break in a header...): that
  delivery `failed` with its reason, and the batch moves on.

A send pauses when too many of its recent attempts failed (NEWSLETTER_PAUSE_FAILURE_RATE over the
last NEWSLETTER_PAUSE_WINDOW attempts): a mis-configured sender must not bounce the whole list,
while a block of stale addresses must not stop the send.
"""

import contextlib
import dataclasses
import logging
import smtplib
import time
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone
from wagtail.log_actions import log

from .editions import Edition
from .esp import sent_message_id
from .links import OPEN_PLACEHOLDER, RecipientLinks, click_links
from .messages import PreparedEdition, recipient, site_domain
from .models import Delivery, DeliveryStatus, Send, SendState, Status, Subscriber

logger = logging.getLogger(__name__)

CHECK_EVERY = 10  # messages between two reads of the send's state and the next subscribers


def claim(send_id, worker, limit, now=None):
    """Take up to `limit` ready deliveries of a send under a lease; returns their ids.

    On PostgreSQL, SKIP LOCKED lets any number of workers claim at once without waiting for or
    taking each other's rows. SQLite ignores FOR UPDATE, but its writes are serialised, which
    keeps one worker (and the tests) correct.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    with transaction.atomic():
        ready = Delivery.objects.ready(now).filter(send_id=send_id).order_by("pk")
        ids = list(ready.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING, lease_until=now + lease, claimed_by=worker
            )
    return ids


def release(ids, worker):
    """Give claimed deliveries back to the queue (paused or cancelled mid-batch)."""
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_by=worker).update(
        status=DeliveryStatus.QUEUED, lease_until=None, claimed_by=""
    )


def backoff(attempts):
    """Seconds before the next try: 1, 2, 4... minutes, at most an hour."""
    base = settings.NEWSLETTER_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NEWSLETTER_RETRY_MAX_SECONDS)


@dataclasses.dataclass
class Outcome:
    permanent: bool
    error: str
    server_down: bool = False  # the server, not this message or address, is the problem


def classify(exc):
    """Temporary (retry later), permanent (give up, the address bounced) or the server down?"""
    if isinstance(exc, AnymailRecipientsRefused):  # the ESP will not send to this address
        return Outcome(permanent=True, error=str(exc))
    if isinstance(exc, AnymailAPIError):
        # The ESP's API answered with an error, or not at all: unreachable, overloaded (5xx) or
        # rate-limited (429) means wait for it; another 4xx is about this message, retried.
        status = exc.status_code
        down = status is None or status >= 500 or status == 429
        return Outcome(
            permanent=False, error=f"ESP {status or 'unreachable'}: {exc}", server_down=down
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return Outcome(permanent=500 <= code < 600, error=f"{code} {text}", server_down=code == 421)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        # A 5xx to the sender or the data is about the message or the server, not the address;
        # 421 is the server closing the connection.
        return Outcome(
            permanent=False, error=f"{exc.smtp_code} {text}", server_down=exc.smtp_code == 421
        )
    # Connection refused or dropped, timeouts, name resolution: the server is not there.
    return Outcome(permanent=False, error=f"{type(exc).__name__}: {exc}", server_down=True)


def failure_rate_exceeded(send):
    """Too many of the send's last NEWSLETTER_PAUSE_WINDOW attempts failed?

    The rate is taken over the whole window even early in a send (fewer attempts count as
    successes), so a block of stale addresses at the start does not pause it.
    """
    window = settings.NEWSLETTER_PAUSE_WINDOW
    recent = (
        Delivery.objects.filter(send=send, attempted_at__isnull=False)
        .order_by("-attempted_at", "-pk")
        .values_list("status", flat=True)[:window]
    )
    failures = sum(
        1 for status in recent if status in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING)
    )
    return failures >= settings.NEWSLETTER_PAUSE_FAILURE_RATE * window


class ServerDown(Exception):
    """The mail server cannot be reached: the batch stops."""

    def __init__(self, outcome):
        super().__init__(outcome.error)
        self.outcome = outcome


class Batch:
    """One worker's pass over a claimed batch, on one mail connection."""

    def __init__(self, send, worker):
        self.send = send
        self.worker = worker
        self.editions = {
            language: Edition(notes=(), **data) for language, data in send.editions.items()
        }
        self.connection = None
        parallel = max(settings.NEWSLETTER_PARALLEL_BATCHES, 1)
        self.interval = parallel / send.max_rate if send.max_rate else 0
        self.last_sent = 0.0
        self.counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
        self.links = RecipientLinks()
        self.prepared = {}  # language -> PreparedEdition, made at its first message
        # The open image is in the frozen editions when opens were tracked at the start.
        self.opens = any(OPEN_PLACEHOLDER in data["html"] for data in send.editions.values())

    def prepare(self, language):
        if language not in self.prepared:
            feedback_id = f"{self.send.pk}:{language}:newsletter:{site_domain()}"
            self.prepared[language] = PreparedEdition(self.editions[language], feedback_id)
        return self.prepared[language]

    def open(self):
        if self.connection is None:
            self.connection = get_connection()
            self.connection.open()
        return self.connection

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()  # a dead connection may fail to say goodbye
            self.connection = None

    def throttle(self):
        if self.interval:
            wait = self.last_sent + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last_sent = time.monotonic()

    def transmit(self, message):
        """Send one message; a dropped connection is reopened once for the same message."""
        try:
            return self.open().send_messages([message])
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            return self.open().send_messages([message])

    def finish(self, delivery, status, **fields):
        """Commit one delivery's outcome, only while this worker still holds it."""
        updated = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=self.worker
        ).update(status=status, lease_until=None, attempted_at=timezone.now(), **fields)
        self.counts[status] = self.counts.get(status, 0) + (1 if updated else 0)

    def deliver(self, delivery, subscriber):
        """Send one delivery to `subscriber` as read just before (None: erased)."""
        if subscriber is None or subscriber.status != Status.SUBSCRIBED:
            # Unsubscribed (or bounced, or erased) since the ledger was written.
            self.finish(delivery, DeliveryStatus.SKIPPED, last_error="no longer subscribed")
            return
        attempts = delivery.attempts + 1
        try:
            prepared = self.prepare(delivery.language)
            links = self.links(subscriber)
            links.update(click_links(delivery.pk, len(prepared.edition.links), self.opens))
            message = prepared.message(recipient(subscriber), links)
            self.throttle()
            self.transmit(message)
        except (smtplib.SMTPException, OSError, AnymailRecipientsRefused, AnymailAPIError) as exc:
            outcome = classify(exc)
            if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
                self.close()
            self.failed(delivery, subscriber, attempts, outcome)
            if outcome.server_down:
                raise ServerDown(outcome) from exc
            return
        except Exception as exc:  # noqa: BLE001 (one bad message must not stall the batch)
            # Building or sending this one message failed (a line break in a header, a value
            # the backend refuses): the same would happen on every retry, so the delivery fails
            # with its reason, the subscriber keeps their status and the batch moves on.
            logger.exception("Send %s: delivery %s failed", self.send.pk, delivery.pk)
            self.finish(
                delivery,
                DeliveryStatus.FAILED,
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:500],
            )
            return
        self.finish(
            delivery,
            DeliveryStatus.SENT,
            attempts=attempts,
            sent_at=timezone.now(),
            message_id=sent_message_id(message),
            last_error="",
        )

    def failed(self, delivery, subscriber, attempts, outcome):
        # For the report: refused for good (hard) or for now (soft, a 4xx about this address).
        bounce = {}
        if outcome.permanent:
            bounce["bounce"] = "hard"
        elif not outcome.server_down and outcome.error[:1] == "4":
            bounce["bounce"] = "soft"
        if outcome.permanent or attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            self.finish(
                delivery,
                DeliveryStatus.FAILED,
                attempts=attempts,
                last_error=outcome.error,
                **bounce,
            )
            if outcome.permanent:
                Subscriber.objects.filter(pk=subscriber.pk).update(status=Status.BOUNCED)
                log(
                    instance=subscriber,
                    action="newsletter.bounce",
                    data={"send": self.send.pk, "error": outcome.error[:200]},
                )
        else:
            self.finish(
                delivery,
                DeliveryStatus.RETRYING,
                attempts=attempts,
                last_error=outcome.error,
                **bounce,
                next_attempt_at=timezone.now() + timedelta(seconds=backoff(attempts)),
            )
        if not outcome.server_down and failure_rate_exceeded(self.send):
            window = settings.NEWSLETTER_PAUSE_WINDOW
            self.send.pause(
                f"More than {settings.NEWSLETTER_PAUSE_FAILURE_RATE:.0%} of the last {window} "
                f"messages failed; the last error was: {outcome.error}"
            )

    def read_ahead(self, deliveries):
        """({subscriber id: subscriber}, whether the send is still sending), read just before
        their messages."""
        ids = [delivery.subscriber_id for delivery in deliveries]
        subscribers = Subscriber.objects.only("pk", "email", "name", "language", "status", "token")
        sending = Send.objects.filter(pk=self.send.pk, state=SendState.SENDING).exists()
        return subscribers.in_bulk(ids), sending


def chunked(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def relaxed_commits():
    """On PostgreSQL, this session's commits stop waiting for the disk (`synchronous_commit`
    off, a plain SQL setting).

    Each delivery is committed right after its message is accepted; waiting for the WAL flush
    would cost a disk sync per message. Commits still reach the server before the next message
    goes, so a killed worker loses nothing; only a crash of the database server itself could
    lose the last fraction of a second of statuses, whose messages would then go again (never
    fewer).
    """
    if connection.vendor == "postgresql" and settings.NEWSLETTER_RELAXED_COMMITS:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def run_batch(send, worker, limit):
    """Claim and deliver one batch of `send`; returns the counts per outcome."""
    ids = claim(send.pk, worker, limit)
    relaxed_commits()
    batch = Batch(send, worker)
    deliveries = (
        Delivery.objects.filter(pk__in=ids)
        .order_by("pk")
        .only("pk", "subscriber_id", "language", "attempts")
    )
    try:
        for chunk in chunked(list(deliveries), CHECK_EVERY):
            # Read the send's state and the next few subscribers just before their messages: a
            # pause, a cancel or an unsubscribe takes effect within CHECK_EVERY messages.
            subscribers, sending = batch.read_ahead(chunk)
            if not sending:
                release(ids, worker)
                break
            for delivery in chunk:
                batch.deliver(delivery, subscribers.get(delivery.subscriber_id))
    except ServerDown as exc:
        release(ids, worker)
        send.wait_for_server(exc.outcome.error)
    finally:
        batch.close()
    if batch.counts["sent"] and send.outages:
        Send.objects.filter(pk=send.pk).update(outages=0)
    return batch.counts
