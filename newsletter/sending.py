"""Sending an issue to every subscriber in their language, through background tasks.

- `create_send` checks readiness and records the officer's choice; `start_send` renders both
  editions once, freezes them on the Send and writes the ledger (one Delivery per subscriber) in
  chunks, then queues delivery batches.
- `deliver_batch` (a task) claims a batch of deliveries with a lease (SELECT ... FOR UPDATE SKIP
  LOCKED on PostgreSQL), sends them over one connection, one recipient per message, and commits
  each delivery's status as soon as the server has answered for it.
- `sweep` (a task and `manage.py send_newsletter --sweep`) starts scheduled sends, gives deliveries
  whose lease expired back to the queue and queues batches for sends with work left: the task
  backend neither retries nor revives tasks, the ledger is the source of truth.

Failure semantics are written up in docs/sending.md.
"""

import contextlib
import dataclasses
import logging
import os
import smtplib
import socket
import time
from datetime import timedelta

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Locale

from .editions import Edition
from .esp import sent_message_id
from .links import RecipientLinks
from .messages import edition_message
from .models import Delivery, DeliveryStatus, Send, SendState, Status, Subscriber

logger = logging.getLogger(__name__)


def setting(name, default):
    return getattr(settings, f"NEWSLETTER_{name}", default)


class NotReady(Exception):
    """An edition has untranslated or unpublished items and the officer did not accept it."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


# Preparing


def recipients_per_language():
    counts = {code: 0 for code, _name in settings.LANGUAGES}
    for language in Subscriber.objects.sendable().values_list("language", flat=True).iterator():
        counts[language] = counts.get(language, 0) + 1
    return counts


def live_editions(issue):
    """{language: (page, Edition or None)} of the issue's live pages, one per site language."""
    result = {}
    for locale in Locale.objects.all():
        page = issue.get_translation_or_none(locale)
        page = page.specific if page is not None and page.live else None
        result[locale.language_code] = (page, page.edition() if page else None)
    return result


def edition_problems(editions, allow_fallback):
    """What stops the send: a missing edition, items that would show another language."""
    problems = []
    for language, (_page, edition) in editions.items():
        if edition is None:
            if not allow_fallback:
                problems.append(f"{language}: the issue is not translated and published")
            continue
        if edition.fallbacks and not allow_fallback:
            titles = ", ".join(note.title for note in edition.fallbacks)
            problems.append(f"{language}: not translated: {titles}")
    if editions.get(settings.LANGUAGE_CODE, (None, None))[1] is None:
        problems.append(f"{settings.LANGUAGE_CODE}: the issue is not published")
    return problems


ACTIVE_STATES = (SendState.SCHEDULED, SendState.SENDING, SendState.PAUSED)


class AlreadySending(NotReady):
    """The issue has a send that is scheduled, sending or paused: one at a time."""


def create_send(issue, *, user=None, scheduled_at=None, allow_fallback=False, max_rate=None):
    """Record a send of `issue` (any language's page); start it now unless scheduled later.

    All or nothing: if starting fails, no send is left behind for the sweep to start later (an
    operator who then tries again would send the issue twice). One active send per issue: the
    issue's page row is locked while checking, so two officers pressing "Send" at once make one.
    """
    from wagtail.models import Page

    source = issue.get_translation(Locale.get_default()).specific
    problems = edition_problems(live_editions(source), allow_fallback)
    if problems:
        raise NotReady(problems)
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=source.pk).first()
        active = Send.objects.filter(issue=source, state__in=ACTIVE_STATES).first()
        if active is not None:
            raise AlreadySending([f"send {active.pk} of this issue is {active.state}"])
        send = Send.objects.create(
            issue=source,
            scheduled_at=scheduled_at or timezone.now(),
            allow_fallback=allow_fallback,
            max_rate=setting("MAX_RATE", 0) if max_rate is None else max_rate,
            created_by=user,
        )
        log(instance=source, action="newsletter.send_created", user=user, data={"send": send.pk})
        if send.scheduled_at <= timezone.now():
            send = start_send(send)
    schedule_sweep(at=max(send.scheduled_at, timezone.now() + timedelta(seconds=1)))
    return send


def frozen_editions(send):
    """Render each language's edition once; a missing one borrows the source language's."""
    editions = live_editions(send.issue)
    problems = edition_problems(editions, send.allow_fallback)
    if problems:
        raise NotReady(problems)
    default = editions[settings.LANGUAGE_CODE][1]
    frozen = {}
    for language, (_page, edition) in editions.items():
        edition = edition or default
        frozen[language] = {
            "language": edition.language,
            "subject": edition.subject,
            "preheader": edition.preheader,
            "html": edition.html,
            "text": edition.text,
        }
    return frozen


def start_send(send, now=None):
    """Freeze the editions, write the ledger and queue the first batches. Safe to call twice."""
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        if send.state != SendState.SCHEDULED:
            return send
        try:
            send.editions = frozen_editions(send)
        except NotReady as exc:
            send.state = SendState.PAUSED
            send.pause_reason = f"Not ready to send: {exc}"
            send.save(update_fields=["state", "pause_reason"])
            return send
        send.state = SendState.SENDING
        send.started_at = now or timezone.now()
        send.save(update_fields=["editions", "state", "started_at"])
    write_ledger(send)
    enqueue_batches(send)
    return send


def write_ledger(send, chunk_size=2000):
    """One queued delivery per sendable subscriber, in chunks (never the whole list in memory).

    Unique (send, subscriber): running it again adds only the missing rows.
    """
    languages = set(send.editions)
    subscribers = Subscriber.objects.sendable().order_by("pk").values_list("pk", "language")
    chunk = []
    for pk, language in subscribers.iterator(chunk_size=chunk_size):
        language = language if language in languages else settings.LANGUAGE_CODE
        chunk.append(Delivery(send=send, subscriber_id=pk, language=language))
        if len(chunk) >= chunk_size:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    Send.objects.filter(pk=send.pk).update(prepared=True)


def enqueue_batches(send, count=None, run_after=None):
    """Queue delivery batches; a later one only where the backend can defer (else the sweep
    queues it when its time has come)."""
    from .tasks import deliver_batch

    task = deliver_batch
    if run_after:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    for _ in range(count or setting("PARALLEL_BATCHES", 2)):
        task.enqueue(send.pk)


# Delivering


def claim(send_id, worker, limit, now=None):
    """Take up to `limit` ready deliveries of a send under a lease; returns their ids.

    On PostgreSQL, SKIP LOCKED lets any number of workers claim at once without waiting for or
    taking each other's rows. SQLite ignores FOR UPDATE, but its writes are serialised, which
    keeps one worker (and the tests) correct.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=setting("LEASE_SECONDS", 300))
    with transaction.atomic():
        ready = Delivery.objects.ready(now).filter(send_id=send_id).order_by("pk")
        ids = list(ready.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING, lease_until=now + lease, claimed_by=worker
            )
    return ids


def backoff(attempts):
    """Seconds before the next try: 1, 2, 4... minutes, at most an hour."""
    base = setting("RETRY_BASE_SECONDS", 60)
    return min(base * 2 ** max(attempts - 1, 0), setting("RETRY_MAX_SECONDS", 3600))


@dataclasses.dataclass
class Outcome:
    permanent: bool
    error: str


def classify(exc):
    """Temporary (retry later) or permanent (give up, the address bounced)?"""
    if isinstance(exc, AnymailRecipientsRefused):  # the ESP will not send to this address
        return Outcome(permanent=True, error=str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return Outcome(permanent=500 <= code < 600, error=f"{code} {text}")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        # A 5xx to the sender or the data is about the message or the server, not the address.
        return Outcome(permanent=False, error=f"{exc.smtp_code} {text}")
    return Outcome(permanent=False, error=f"{type(exc).__name__}: {exc}")


class Batch:
    """One worker's pass over a claimed batch, on one mail connection."""

    def __init__(self, send, worker):
        self.send = send
        self.worker = worker
        self.editions = {
            language: Edition(notes=(), **data) for language, data in send.editions.items()
        }
        self.connection = None
        self.consecutive_failures = 0
        parallel = max(setting("PARALLEL_BATCHES", 2), 1)
        self.interval = parallel / send.max_rate if send.max_rate else 0
        self.last_sent = 0.0
        self.counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
        self.links = RecipientLinks()

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
        ).update(status=status, lease_until=None, **fields)
        self.counts[status] = self.counts.get(status, 0) + (1 if updated else 0)

    def deliver(self, delivery, subscriber):
        """Send one delivery to `subscriber` as read just before (None: erased)."""
        if subscriber is None or subscriber.status != Status.SUBSCRIBED:
            # Unsubscribed (or bounced, or erased) since the ledger was written.
            self.finish(delivery, DeliveryStatus.SKIPPED, last_error="no longer subscribed")
            return
        attempts = delivery.attempts + 1
        try:
            message = edition_message(
                self.editions[delivery.language], subscriber.email, self.links(subscriber)
            )
            self.throttle()
            self.transmit(message)
        except (smtplib.SMTPException, OSError, AnymailRecipientsRefused) as exc:
            self.close_if_broken(exc)
            self.failed(delivery, subscriber, attempts, classify(exc))
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
        self.consecutive_failures = 0
        self.finish(
            delivery,
            DeliveryStatus.SENT,
            attempts=attempts,
            sent_at=timezone.now(),
            message_id=sent_message_id(message),
            last_error="",
        )

    def close_if_broken(self, exc):
        if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
            self.close()

    def failed(self, delivery, subscriber, attempts, outcome):
        self.consecutive_failures += 1
        if outcome.permanent or attempts >= setting("MAX_ATTEMPTS", 6):
            self.finish(
                delivery, DeliveryStatus.FAILED, attempts=attempts, last_error=outcome.error
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
                next_attempt_at=timezone.now() + timedelta(seconds=backoff(attempts)),
            )
        limit = setting("PAUSE_AFTER_FAILURES", 20)
        if self.consecutive_failures >= limit:
            pause(
                self.send,
                f"{self.consecutive_failures} messages in a row failed; the last error was: "
                f"{outcome.error}",
            )

    def still_sending(self):
        return Send.objects.filter(pk=self.send.pk, state=SendState.SENDING).exists()

    def read_ahead(self, deliveries):
        """({subscriber id: subscriber}, whether the send is still sending), read just before
        their messages."""
        ids = [delivery.subscriber_id for delivery in deliveries]
        subscribers = Subscriber.objects.only("pk", "email", "language", "status", "token")
        return subscribers.in_bulk(ids), self.still_sending()


def release(ids, worker):
    """Give claimed deliveries back to the queue (paused or cancelled mid-batch)."""
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_by=worker).update(
        status=DeliveryStatus.QUEUED, lease_until=None, claimed_by=""
    )


CHECK_EVERY = 10


def chunked(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def deliver_batch(send_id, worker=None, limit=None):
    """Claim and send one batch of a send; queue the next batch while work is left."""
    worker = worker or worker_name()
    send = Send.objects.filter(pk=send_id, state=SendState.SENDING).first()
    if send is None:
        return {}
    ids = claim(send_id, worker, limit or setting("BATCH_SIZE", 100))
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
    finally:
        batch.close()
    follow_up(send)
    return batch.counts


def follow_up(send, now=None):
    """After a batch: done, another batch now, or one at the next retry time."""
    now = now or timezone.now()
    state = Send.objects.filter(pk=send.pk).values_list("state", flat=True).first()
    if state != SendState.SENDING:
        return
    pending = Delivery.objects.filter(send=send).pending()
    if not pending.exists():
        finished = Send.objects.filter(pk=send.pk, state=SendState.SENDING).update(
            state=SendState.DONE, finished_at=now
        )
        if finished:
            log(instance=send.issue, action="newsletter.send_done", data={"send": send.pk})
        return
    if pending.ready(now).exists():
        enqueue_batches(send, count=1)
        return
    next_time = pending.aggregate(at=Min("next_attempt_at"))["at"]
    if next_time and next_time > now:
        enqueue_batches(send, count=1, run_after=next_time)


# Control


def pause(send, reason=""):
    updated = Send.objects.filter(pk=send.pk, state=SendState.SENDING).update(
        state=SendState.PAUSED, pause_reason=reason
    )
    if updated:
        logger.warning("Send %s paused: %s", send.pk, reason)
    return bool(updated)


def resume(send):
    """Continue a paused send: from the ledger, or from the start if it never started."""
    send.refresh_from_db()
    if send.state != SendState.PAUSED:
        return False
    if not send.prepared:
        Send.objects.filter(pk=send.pk).update(state=SendState.SCHEDULED, pause_reason="")
        start_send(send)
        return True
    Send.objects.filter(pk=send.pk).update(
        state=SendState.SENDING, pause_reason="", consecutive_failures=0
    )
    enqueue_batches(send)
    schedule_sweep()
    return True


def cancel(send):
    """Stop for good: deliveries not yet sent are skipped."""
    updated = Send.objects.filter(pk=send.pk, state__in=ACTIVE_STATES).update(
        state=SendState.CANCELLED, finished_at=timezone.now()
    )
    if updated:
        Delivery.objects.filter(
            send=send, status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)
        ).update(status=DeliveryStatus.SKIPPED, last_error="send cancelled")
    return bool(updated)


def being_worked_on(send, now):
    """A worker holds a live lease on this send, or a batch of it waits in the task queue.

    The sweep then adds no batch: a batch more than NEWSLETTER_PARALLEL_BATCHES would break the
    send's rate limit. Tasks left "running" by a dead worker do not count; their leases expire.
    """
    if Delivery.objects.filter(
        send=send, status=DeliveryStatus.SENDING, lease_until__gte=now
    ).exists():
        return True
    from django_tasks.base import TaskResultStatus
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import deliver_batch

    if not isinstance(deliver_batch.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_batch.module_path
    ).values_list("args_kwargs", flat=True)
    return any(send.pk in (args or {}).get("args", []) for args in waiting)


def sweep(now=None):
    """Keep every send moving whatever happened to the workers; idempotent, run it often.

    Starts scheduled sends whose time has come, re-queues deliveries whose worker's lease expired
    (the worker died: at most the message in flight is sent twice), and queues a batch for each
    sending send with ready work.
    """
    now = now or timezone.now()
    started = 0
    for send in Send.objects.filter(state=SendState.SCHEDULED, scheduled_at__lte=now):
        start_send(send, now=now)
        started += 1
    revived = Delivery.objects.lease_expired(now).update(
        status=DeliveryStatus.RETRYING, lease_until=None, claimed_by="", next_attempt_at=now
    )
    kicked = 0
    for send in Send.objects.filter(state=SendState.SENDING):
        if not send.prepared:
            write_ledger(send)
        if not Delivery.objects.filter(send=send).ready(now).exists():
            follow_up(send, now)
        elif not being_worked_on(send, now):
            enqueue_batches(send, count=1)
            kicked += 1
    return {"started": started, "revived": revived, "kicked": kicked}


def schedule_sweep(at=None):
    """Queue the next sweep (in NEWSLETTER_SWEEP_SECONDS, or `at`) while sends are active.

    With the database task backend, a sweep already waiting is enough; other backends that
    cannot defer rely on `manage.py send_newsletter --sweep` from a timer.
    """
    from .tasks import sweep_sends

    backend = sweep_sends.get_backend()
    if (
        not backend.supports_defer
        or not Send.objects.filter(state__in=(SendState.SCHEDULED, SendState.SENDING)).exists()
    ):
        return False
    at = at or timezone.now() + timedelta(seconds=setting("SWEEP_SECONDS", 60))
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=sweep_sends.module_path, run_after__lte=at
        )
        if waiting.exists():
            return False
    except (ImportError, LookupError):
        pass
    sweep_sends.using(run_after=at).enqueue()
    return True
