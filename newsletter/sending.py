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

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from wagtail.log_actions import log
from wagtail.models import Locale, Page

from . import bounces, notices
from .audiences import Audience
from .clicks import freeze_links
from .editions import render_bilingual
from .languages import language_name
from .messages import header_problems
from .models import BOTH, LANGUAGE_CHOICES, Delivery, DeliveryStatus, Send, SendState
from .worker import run_batch

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """An edition has untranslated or unpublished items and the officer did not accept it."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


# Preparing


def live_editions(issue):
    """{language: (page, Edition or None)} of the issue's live pages, one per site language."""
    result = {}
    for locale in Locale.objects.all():
        page = issue.get_translation_or_none(locale)
        page = page.specific if page is not None and page.live else None
        result[locale.language_code] = (page, page.edition() if page else None)
    return result


def bilingual_edition(editions):
    """The edition for readers of both languages: the other language's issue first, then the
    default language's (Bangla, then English); None when only one language is published (the
    default language's edition goes to them then)."""
    default = editions[settings.LANGUAGE_CODE][0]
    others = [page for code, (page, _e) in editions.items() if code != settings.LANGUAGE_CODE]
    if default is None or not others or others[0] is None:
        return None
    return render_bilingual(others[0], default)


def edition_problems(editions, allow_fallback):
    """What stops the send, in the admin's language, each naming the edition's language: a
    missing edition, a subject or preheader that is not one line, items that would show
    another language."""
    problems = []
    for language, (_page, edition) in editions.items():
        name = {"language": language_name(language)}
        if edition is None:
            if not allow_fallback:
                problems.append(_("%(language)s: the issue is not translated and published") % name)
            continue
        if "subject" in header_problems(edition):
            problems.append(_("%(language)s: the subject has a line break") % name)
        if "preheader" in header_problems(edition):
            problems.append(_("%(language)s: the preheader has a line break") % name)
        if edition.fallbacks and not allow_fallback:
            titles = ", ".join(note.title for note in edition.fallbacks)
            problems.append(
                _("%(language)s: not translated: %(titles)s") % {**name, "titles": titles}
            )
    if editions.get(settings.LANGUAGE_CODE, (None, None))[1] is None:
        problems.append(
            _("%(language)s: the issue is not published")
            % {"language": language_name(settings.LANGUAGE_CODE)}
        )
    return problems


class AlreadySending(NotReady):
    """The issue has a send that is scheduled, sending or paused: one at a time."""


def create_send(
    issue, *, user=None, scheduled_at=None, allow_fallback=False, max_rate=None, audience=None
):
    """Record a send of `issue` (any language's page); start it now unless scheduled later.

    All or nothing: if starting fails, no send is left behind for the sweep to start later (an
    operator who then tries again would send the issue twice). One active send per issue: the
    issue's page row is locked while checking, so two officers pressing "Send" at once make one.
    """
    source = issue.get_translation(Locale.get_default()).specific
    editions = live_editions(source)
    problems = edition_problems(editions, allow_fallback)
    audience = audience or Audience()
    if not audience.recipients(source).exists():
        problems.append(
            _(
                "Nobody to send to: the audience matches no confirmed subscriber who has not "
                "received this issue yet."
            )
        )
    if problems:
        raise NotReady(problems)
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=source.pk).first()
        active = Send.objects.active().filter(issue=source).first()
        if active is not None:
            raise AlreadySending([f"send {active.pk} of this issue is {active.state}"])
        send = Send.objects.create(
            issue=source,
            scheduled_at=scheduled_at or timezone.now(),
            allow_fallback=allow_fallback,
            max_rate=settings.NEWSLETTER_MAX_RATE if max_rate is None else max_rate,
            audience=audience.to_json(),
            created_by=user,
        )
        log(instance=source, action="newsletter.send_created", user=user, data={"send": send.pk})
        if send.scheduled_at <= timezone.now():
            send = start_send(send, editions=editions)  # rendered once, just above
        else:
            # The recipients the officer was shown are kept from now (a label or topic deleted
            # before the start changes nothing); the start adds those who joined meanwhile.
            write_ledger(send, prepared=False)
    schedule_sweep(at=max(send.scheduled_at, timezone.now() + timedelta(seconds=1)))
    return send


def frozen_editions(send, editions=None):
    """Each language's edition as rendered now (or `editions`, rendered by the caller); a
    missing one borrows the source language's."""
    editions = editions or live_editions(send.issue)
    problems = edition_problems(editions, send.allow_fallback)
    if problems:
        raise NotReady(problems)
    default = editions[settings.LANGUAGE_CODE][1]
    editions = {**editions, BOTH: (None, bilingual_edition(editions))}
    frozen = {}
    for language, (_page, edition) in editions.items():
        edition = edition or default
        data = {
            "language": edition.language,
            "subject": edition.subject,
            "preheader": edition.preheader,
            "html": edition.html,
            "text": edition.text,
        }
        frozen[language] = freeze_links(data, campaign=f"{send.issue.slug}-{language}")
    return frozen


def start_send(send, now=None, editions=None):
    """Freeze the editions, write the ledger and queue the first batches. Safe to call twice.

    `editions` ({language: (page, Edition)}) when the caller has just rendered them: each
    edition is rendered once per send.
    """
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        if send.state != SendState.SCHEDULED:
            return send
        try:
            send.editions = frozen_editions(send, editions)
        except NotReady as exc:
            send.state = SendState.PAUSED
            send.pause_reason = f"Not ready to send: {exc}"
            send.save(update_fields=["state", "pause_reason"])
            notices.send_changed(send, "paused")
            return send
        send.state = SendState.SENDING
        send.started_at = now or timezone.now()
        send.save(update_fields=["editions", "state", "started_at"])
    write_ledger(send)
    enqueue_batches(send)
    return send


def write_ledger(send, chunk_size=2000, prepared=True):
    """One queued delivery per recipient of the send's audience (confirmed subscribers, by
    default only those an earlier send of the issue did not reach), in chunks (never the whole
    list in memory).

    Unique (send, subscriber): running it again adds only the missing rows.
    """
    # Before the start (a scheduled send) no edition is frozen yet: each keeps their language.
    languages = set(send.editions) or {code for code, _name in LANGUAGE_CHOICES}
    audience = Audience.from_json(send.audience)
    subscribers = (
        audience.recipients(send.issue)
        .exclude(pk__in=send.deliveries.values("subscriber_id"))
        .order_by("pk")
        .values_list("pk", "language")
    )
    chunk = []
    for pk, language in subscribers.iterator(chunk_size=chunk_size):
        language = language if language in languages else settings.LANGUAGE_CODE
        chunk.append(Delivery(send=send, subscriber_id=pk, language=language))
        if len(chunk) >= chunk_size:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    if prepared:
        Send.objects.filter(pk=send.pk).update(prepared=True)


def enqueue_batches(send, count=None, run_after=None):
    """Queue delivery batches; a later one only where the backend can defer (else the sweep
    queues it when its time has come)."""
    task = deliver_batch_task
    if run_after:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    for _number in range(count or settings.NEWSLETTER_PARALLEL_BATCHES):
        task.enqueue(send.pk)


# Delivering


def deliver_batch(send_id, worker=None, limit=None):
    """Claim and send one batch of a send (newsletter.worker); then follow up: done, another
    batch, or one at the next retry time."""
    send = Send.objects.filter(pk=send_id, state=SendState.SENDING).first()
    if send is None:
        return {}
    counts = run_batch(send, worker or worker_name(), limit or settings.NEWSLETTER_BATCH_SIZE)
    follow_up(send)
    return counts


def follow_up(send, now=None):
    """After a batch: done, another batch now, or one at the next retry time."""
    now = now or timezone.now()
    state = Send.objects.filter(pk=send.pk).values_list("state", flat=True).first()
    if state != SendState.SENDING:
        return
    pending = Delivery.objects.filter(send=send).pending()
    if not pending.exists():
        if send.finish(now):
            log(instance=send.issue, action="newsletter.send_done", data={"send": send.pk})
        return
    if pending.ready(now).exists():
        enqueue_batches(send, count=1)
        return
    next_time = pending.aggregate(at=Min("next_attempt_at"))["at"]
    if next_time and next_time > now:
        enqueue_batches(send, count=1, run_after=next_time)


# Control


def resume(send):
    """Continue a paused send: from the ledger, or from the start if it never started."""
    send.refresh_from_db()
    if send.state != SendState.PAUSED:
        return False
    if not send.prepared:
        Send.objects.filter(pk=send.pk).update(state=SendState.SCHEDULED, pause_reason="")
        start_send(send)
        return True
    Send.objects.filter(pk=send.pk).update(state=SendState.SENDING, pause_reason="", resume_at=None)
    enqueue_batches(send)
    schedule_sweep()
    return True


def being_worked_on(send, now):
    """A worker holds a live lease on this send, or a batch of it waits in the task queue.

    The sweep then adds no batch: a batch more than NEWSLETTER_PARALLEL_BATCHES would break the
    send's rate limit. Tasks left "running" by a dead worker do not count; their leases expire.
    """
    if Delivery.objects.filter(
        send=send, status=DeliveryStatus.SENDING, lease_until__gte=now
    ).exists():
        return True
    if not isinstance(deliver_batch_task.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_batch_task.module_path
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
    for send in Send.objects.waiting_for_server(now):
        resume(send)  # the mail server was down: try again (back-off in Send.wait_for_server)
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
    return {"started": started, "revived": revived, "kicked": kicked, "bounces": read_bounces()}


def read_bounces():
    """The bounce mailbox, when there is one (newsletter.bounces); a mailbox that cannot be read
    is logged and never stops the sweep."""
    if not settings.NEWSLETTER_BOUNCE_MAILBOX:
        return 0
    try:
        return bounces.poll()["applied"]
    except Exception:  # noqa: BLE001 (the sends must go on)
        logger.exception("The bounce mailbox could not be read")
        return 0


def sweep_needed():
    """Sends the sweep must keep moving: scheduled, sending, or waiting for the mail server."""
    return Send.objects.filter(
        Q(state__in=(SendState.SCHEDULED, SendState.SENDING))
        | Q(state=SendState.PAUSED, resume_at__isnull=False)
    ).exists()


def schedule_sweep(at=None):
    """Queue the next sweep (in NEWSLETTER_SWEEP_SECONDS, or `at`) while sends need it.

    With the database task backend, a sweep already waiting is enough. Backends that cannot
    defer, and any worker crash that loses the queued sweep, are covered by the timer that runs
    `manage.py send_newsletter --sweep` every minute (Procfile, deploy/systemd).
    """
    backend = sweep_task.get_backend()
    if not backend.supports_defer or not sweep_needed():
        return False
    at = at or timezone.now() + timedelta(seconds=settings.NEWSLETTER_SWEEP_SECONDS)
    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=sweep_task.module_path, run_after__lte=at
        )
        if waiting.exists():
            return False
    sweep_task.using(run_after=at).enqueue()
    return True


# Tasks (django-tasks; `manage.py db_worker` runs them)


@task()
def deliver_batch_task(send_id):
    """Claim and send one batch of a send."""
    return deliver_batch(send_id)


@task()
def sweep_task():
    """Keep sends moving, then again in a minute while any needs it.

    The next sweep is queued before this one runs: a worker killed during the sweep leaves it
    queued, so the chain does not depend on this sweep finishing.
    """
    schedule_sweep(at=timezone.now() + timedelta(seconds=settings.NEWSLETTER_SWEEP_SECONDS))
    return sweep()
