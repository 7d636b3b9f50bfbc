"""Sending an issue: every confirmed subscriber gets exactly one message, in their language.

Messages go to a real SMTP server on loopback (aiosmtpd) that can refuse chosen recipients with
451 (try later) or 550 (no such user), or drop the connection. Task batches are run by the test
itself (a dummy task backend records what would be queued), so time can be moved on at will.
"""

import asyncio
import dataclasses
import email
import email.policy
import re
import smtplib
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import Locale

from newsletter import sending, worker
from newsletter.links import RecipientLinks, recipient_links
from newsletter.messages import PreparedEdition, edition_message, message_bytes
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    NewsletterIssuePage,
    Send,
    SendState,
    Status,
    Subscriber,
)
from stories.models import NewsIndexPage, NewsPage
from tests.test_subscriber_flow import free_port

pytestmark = pytest.mark.django_db


class Server:
    """An aiosmtpd handler with scripted answers per recipient."""

    def __init__(self):
        self.received = []  # (recipient, message)
        self.refuse = {}  # address -> [codes...] answered to successive RCPT attempts
        self.drop_after = None  # close the connection after this many accepted messages
        self.drop_next = False
        self.delay = 0  # seconds to take over each message, like a real server
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.drop_next:
            self.drop_next = False
            server.transport.close()  # nothing of this message was accepted
            return "421 4.3.0 Closing the connection"
        codes = self.refuse.get(address.lower())
        if codes:
            code = codes.pop(0)
            text = "Try again later" if code < 500 else "No such user here"
            return f"{code} {'4.2.1' if code < 500 else '5.1.1'} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.raw = envelope.content  # the bytes as they arrived
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt.lower(), message))
            count = len(self.received)
        if self.drop_after and count % self.drop_after == 0:
            self.drop_next = True  # the connection drops when the next message starts
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.received if rcpt == address]


@pytest.fixture
def server(settings):
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        controller.port,
        False,
    )
    settings.EMAIL_TIMEOUT = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NEWSLETTER_BATCH_SIZE = 7
    yield handler
    controller.stop()


@pytest.fixture
def issue(demo):
    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


def subscribe(n, language, status=Status.SUBSCRIBED, prefix="reader"):
    return [
        Subscriber.objects.create(
            email=f"{prefix}{i}-{language}@example.org",
            language=language,
            status=status,
            source="admin",
        )
        for i in range(n)
    ]


def run(send, *, worker="worker-1", rounds=200, advance=False):
    """Work the send as the task workers would, until nothing is left (or `rounds` run out).

    With `advance`, retries come due at once, as if their back-off time had passed.
    """
    for _ in range(rounds):
        send.refresh_from_db()
        if send.state != SendState.SENDING:
            return send
        if advance:
            Delivery.objects.filter(send=send, status=DeliveryStatus.RETRYING).update(
                next_attempt_at=timezone.now()
            )
        sending.deliver_batch(send.pk, worker=worker)
    send.refresh_from_db()
    return send


def test_every_subscriber_gets_one_message_in_their_language(server, issue):
    bn = subscribe(9, "bn")
    en = subscribe(8, "en")
    others = [
        *subscribe(2, "bn", Status.PENDING, "pending"),
        *subscribe(2, "en", Status.UNSUBSCRIBED, "gone"),
        *subscribe(1, "bn", Status.BOUNCED, "bounced"),
    ]
    send = run(sending.create_send(issue))

    assert send.state == SendState.DONE
    bn_subject = issue.get_translation(Locale.objects.get(language_code="bn")).subject
    for subscriber in bn + en:
        messages = server.to(subscriber.email)
        assert len(messages) == 1, subscriber.email
        message = messages[0]
        expected = bn_subject if subscriber.language == "bn" else issue.subject
        assert message["Subject"].strip() == expected
        assert message["Content-Language"] == subscriber.language
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].strip().startswith("<https://betterwork.example.org/")
        html = message.get_body(("html",)).get_content()
        assert f'lang="{subscriber.language}"' in html
        assert "%%" not in html  # every placeholder filled with the subscriber's own links
    for subscriber in others:
        assert server.to(subscriber.email) == []
    assert len(server.received) == len(bn + en)
    assert send.totals() == {"total": 17, "sent": 17, "failed": 0, "skipped": 0, "pending": 0}
    assert set(Delivery.objects.filter(send=send).values_list("message_id", flat=True)) != {""}


def test_headers_are_written_per_message(server, issue):
    """Issue 20's header rules: Date and Message-ID per message (a paused and resumed send
    carries each delivery's own Date), To with the subscriber's name, the Bangla subject folded
    after its first encoded word and read back whole, Feedback-ID per send and language."""
    from email.utils import parsedate_to_datetime

    named = Subscriber.objects.create(
        email="rahima@example.org",
        name="রহিমা বেগম",
        language="bn",
        status=Status.SUBSCRIBED,
        source="admin",
    )
    others = subscribe(10, "bn")
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)  # 7 now
    assert send.pause()
    paused_at = timezone.now()
    time.sleep(1.1)
    assert sending.resume(send)
    send = run(send)
    assert send.state == SendState.DONE
    bn_subject = issue.get_translation(Locale.objects.get(language_code="bn")).subject
    ids = set()
    for subscriber in [named, *others]:
        [message] = server.to(subscriber.email)
        delivery = Delivery.objects.get(send=send, subscriber=subscriber)
        date = parsedate_to_datetime(message["Date"])
        assert abs((date - delivery.sent_at).total_seconds()) < 1.5, subscriber.email
        assert message["Date"].endswith("+0000")
        ids.add(message["Message-ID"])
        # neither the From address's local part nor the address itself (rspamd's
        # MID_CONTAINS_FROM looks for the address anywhere in the Message-ID)
        local = message["Message-ID"].strip("<>").split("@")[0]
        assert local != "newsletter" and re.fullmatch(r"[0-9.]+", local), local
        assert message["From"].addresses[0].addr_spec not in message["Message-ID"]
        assert message["Message-ID"].endswith("@betterwork.example.org>")
        assert message["Feedback-ID"] == f"{send.pk}:bn:newsletter:betterwork.example.org"
        assert message["Subject"] == bn_subject
        raw_subject = message.raw.split(b"\r\nSubject:", 1)[1].split(b"\r\n", 1)[0]
        assert raw_subject.startswith(b" =?utf-8?"), raw_subject  # not folded at once
    assert len(ids) == 11
    to = server.to(named.email)[0]["To"]
    assert to.addresses[0].display_name == "রহিমা বেগম"
    assert to.addresses[0].addr_spec == "rahima@example.org"
    assert any(
        parsedate_to_datetime(m["Date"]) > paused_at for r, m in server.received
    )  # sent after the resume, dated then


def test_temporary_failures_retry_permanent_ones_bounce(server, issue):
    readers = subscribe(12, "en")
    later, gone = readers[2], readers[5]
    server.refuse[later.email] = [451, 451]
    server.refuse[gone.email] = [550]

    send = sending.create_send(issue)
    run(send, rounds=1)  # first pass: no retry is due yet
    later_delivery = Delivery.objects.get(send=send, subscriber=later)
    assert later_delivery.status == DeliveryStatus.RETRYING
    assert later_delivery.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert "451" in later_delivery.last_error

    send = run(send, advance=True)
    assert send.state == SendState.DONE
    assert len(server.to(later.email)) == 1
    assert Delivery.objects.get(send=send, subscriber=later).attempts == 3
    failed = Delivery.objects.get(send=send, subscriber=gone)
    assert failed.status == DeliveryStatus.FAILED and "550" in failed.last_error
    gone.refresh_from_db()
    assert gone.status == Status.BOUNCED
    assert server.to(gone.email) == []
    for reader in readers:
        if reader not in (later, gone):
            assert len(server.to(reader.email)) == 1


def test_a_dropped_connection_loses_nothing(server, issue):
    readers = subscribe(15, "bn")
    server.drop_after = 4
    send = run(sending.create_send(issue), advance=True)
    assert send.state == SendState.DONE
    assert sorted(rcpt for rcpt, _m in server.received) == sorted(r.email for r in readers)


def test_a_high_failure_rate_pauses_the_send(server, issue, settings):
    """Half the last PAUSE_WINDOW attempts failing pauses the send (a mis-configured sender must
    not bounce the whole list); the officer who started it is told by e-mail."""
    settings.NEWSLETTER_PAUSE_WINDOW = 6
    readers = subscribe(6, "en")
    for reader in readers:
        server.refuse[reader.email] = [451] * 10
    officer = User.objects.create_user("sender", "sender@example.org", "x")
    send = run(sending.create_send(issue, user=officer))
    assert send.state == SendState.PAUSED
    assert "50% of the last 6 messages failed" in send.pause_reason and "451" in send.pause_reason
    # released or retrying, never lost
    assert Delivery.objects.filter(send=send).pending().count() == 6
    [notice] = server.to("sender@example.org")
    assert notice["Subject"].startswith("Paused:") and "451" in notice.get_content()

    server.refuse.clear()
    assert sending.resume(send)
    send = run(send, advance=True)
    assert send.state == SendState.DONE
    assert all(len(server.to(r.email)) == 1 for r in readers)
    assert server.to("sender@example.org")[-1]["Subject"].startswith("Sent:")


def test_a_block_of_stale_addresses_does_not_pause_the_send(server, issue, settings):
    """Twenty 550s in a row (an old imported block, contiguous by id) are bounces of those
    addresses, not a reason to stop: the rate over the window stays under the limit."""
    settings.NEWSLETTER_BATCH_SIZE = 100
    stale = subscribe(20, "en", prefix="stale")
    readers = subscribe(30, "en")
    for reader in stale:
        server.refuse[reader.email] = [550]
    send = run(sending.create_send(issue))
    assert send.state == SendState.DONE
    assert send.totals() == {"total": 50, "sent": 30, "failed": 20, "skipped": 0, "pending": 0}
    assert all(len(server.to(r.email)) == 1 for r in readers)


def test_pause_resume_and_cancel(server, issue):
    subscribe(20, "en")
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)  # one batch of 7
    assert send.pause()
    sending.deliver_batch(send.pk)  # a worker picking up a queued batch sends nothing
    assert len(server.received) == 7
    assert sending.resume(send)
    sending.deliver_batch(send.pk)
    assert len(server.received) == 14
    assert send.cancel()
    sending.deliver_batch(send.pk)
    send.refresh_from_db()
    assert send.state == SendState.CANCELLED
    assert len(server.received) == 14
    assert send.totals()["skipped"] == 6
    assert not sending.resume(send)


def test_unsubscribing_during_a_send_stops_the_messages(server, issue):
    readers = subscribe(10, "en")
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)  # the first 7
    leaving = readers[-1]
    leaving.unsubscribe()
    send = run(send)
    assert send.state == SendState.DONE
    assert server.to(leaving.email) == []
    assert Delivery.objects.get(send=send, subscriber=leaving).status == DeliveryStatus.SKIPPED
    assert len(server.received) == 9


def test_a_scheduled_send_starts_at_its_time_and_not_before(server, issue):
    subscribe(3, "bn")
    at = timezone.now() + timedelta(hours=2)
    send = sending.create_send(issue, scheduled_at=at)
    assert send.state == SendState.SCHEDULED
    assert sending.sweep(now=at - timedelta(minutes=1))["started"] == 0
    send.refresh_from_db()
    assert send.state == SendState.SCHEDULED
    # its recipients are listed from the start (issue 19: a label deleted meanwhile changes
    # nobody), none is sent anything before its time
    assert not send.deliveries.exclude(status=DeliveryStatus.QUEUED).exists()
    assert sending.sweep(now=at + timedelta(seconds=1))["started"] == 1
    send = run(send)
    assert send.state == SendState.DONE and len(server.received) == 3


def test_editions_are_frozen_when_the_send_starts(server, issue):
    subscribe(9, "en")
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)
    issue.subject = "A changed subject"
    issue.save_revision().publish()
    run(send)
    assert {m["Subject"].strip() for _r, m in server.received} == {send.editions["en"]["subject"]}
    assert "A changed subject" not in {m["Subject"] for _r, m in server.received}


def test_untranslated_items_refuse_the_send_unless_accepted(server, issue):
    index = NewsIndexPage.objects.get(locale=issue.locale)
    page = index.add_child(instance=NewsPage(title="English only", summary="Not translated."))
    page.save_revision().publish()
    bn_issue = issue.get_translation(Locale.objects.get(language_code="bn"))
    bn_issue.body.append(("featured_item", {"page": page}))
    bn_issue.save_revision().publish()
    subscribe(2, "bn")

    with pytest.raises(sending.NotReady, match="English only"):
        sending.create_send(issue)
    assert not Send.objects.exists()
    send = run(sending.create_send(issue, allow_fallback=True))
    assert send.state == SendState.DONE and len(server.received) == 2


def test_a_dead_workers_deliveries_are_taken_over_after_the_lease(server, issue, settings):
    readers = subscribe(5, "en")
    send = sending.create_send(issue)
    claimed = worker.claim(send.pk, "dead-worker", 3)  # then the worker is killed
    assert len(claimed) == 3
    run(send, worker="worker-2")
    assert len(server.received) == 2  # the others are leased to the dead worker
    assert sending.sweep()["revived"] == 0  # lease not expired yet
    later = timezone.now() + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS + 1)
    assert sending.sweep(now=later)["revived"] == 3
    send = run(send, worker="worker-2", advance=True)
    assert send.state == SendState.DONE
    assert sorted(r for r, _m in server.received) == sorted(r.email for r in readers)


def test_send_newsletter_command(server, issue):
    subscribe(4, "bn")
    call_command("send_newsletter", "december-2022", "--dry-run")
    assert not Send.objects.exists()
    call_command("send_newsletter", "december-2022", "--here")
    assert Send.objects.get().state == SendState.DONE
    assert len(server.received) == 4
    with pytest.raises(CommandError, match="Not a date-time"):
        call_command("send_newsletter", "december-2022", "--at", "tomorrow")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_no_duplicates(server, issue):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claiming with SKIP LOCKED needs PostgreSQL (CI runs it there)")
    readers = subscribe(60, "en")
    send = sending.create_send(issue)
    errors = []

    def worker(name):
        try:
            run(send.__class__.objects.get(pk=send.pk), worker=name)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    received = sorted(r for r, _m in server.received)
    assert received == sorted(r.email for r in readers)  # everyone once, nobody twice
    workers = set(Delivery.objects.filter(send=send).values_list("claimed_by", flat=True))
    assert workers == {"w0", "w1"}
    time.sleep(0)  # threads done


@pytest.fixture
def bangla_reader(issue):
    """A Bangla subscriber and the Bangla edition of the issue."""
    subscriber = subscribe(1, "bn")[0]
    return subscriber, issue.get_translation(Locale.objects.get(language_code="bn")).edition()


def test_the_batch_links_and_message_are_the_recipients_own(bangla_reader):
    subscriber, edition = bangla_reader
    links = recipient_links(subscriber)
    batch_links = RecipientLinks()
    for reader in [subscriber, *subscribe(2, "en"), *subscribe(1, "bn", prefix="other")]:
        assert batch_links(reader) == recipient_links(reader)  # the batch's shortcut, same links
    data = message_bytes(edition_message(edition, subscriber.email, links))
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert message["To"] == subscriber.email
    assert message["List-Unsubscribe"].strip().startswith(f"<{links['one_click']}>")
    assert message["Content-Language"] == "bn"
    for part in ("plain", "html"):
        body = message.get_body((part,))
        assert body["Content-Transfer-Encoding"] == "8bit"  # Bangla at its own size
        assert links["unsubscribe"] in body.get_content()


def test_the_prepared_edition_gives_the_message_built_for_the_recipient(bangla_reader):
    """The worker's shortcut (the edition serialised once, the recipient's parts put in) is the
    same message as Django builds for that recipient."""
    subscriber, edition = bangla_reader
    links = recipient_links(subscriber)
    prepared = PreparedEdition(edition)
    assert prepared.usable
    fast_message = prepared.message(subscriber.email, links)
    assert fast_message.serialized is not None
    data = message_bytes(fast_message)
    fast = email.message_from_bytes(data, policy=email.policy.default)
    built = email.message_from_bytes(
        message_bytes(edition_message(edition, subscriber.email, links)),
        policy=email.policy.default,
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert fast["Message-ID"] == fast_message.extra_headers["Message-ID"] != built["Message-ID"]
    assert fast["Date"] == fast_message.extra_headers["Date"]
    headers = ("Subject", "To", "From", "List-Unsubscribe", "List-Subscribe", "List-Id")
    for header in (*headers, "Content-Language"):
        assert fast[header].strip() == built[header].strip(), header
    for part in ("plain", "html"):
        assert fast.get_body((part,)).get_content() == built.get_body((part,)).get_content()
    assert links["unsubscribe"] in fast.get_body(("html",)).get_content()
    # A non-ASCII address: the message is built as usual.
    assert prepared.message("রিডার@example.org", links).serialized is None


def test_a_line_that_starts_with_a_dot_arrives_intact(server, bangla_reader):
    """SMTP dot-stuffing (RFC 5321 4.5.2) is the transport's: a line that starts with a dot
    must arrive as it was written, and a refused recipient leaves the connection usable."""
    from django.core.mail import get_connection

    subscriber, edition = bangla_reader
    dotted = ".a line that starts with a dot\n..and one with two"
    edition = dataclasses.replace(edition, text=f"{edition.text}\n{dotted}\n")
    links = recipient_links(subscriber)
    with get_connection() as connection:
        connection.send_messages([PreparedEdition(edition).message(subscriber.email, links)])
        server.refuse[subscriber.email] = [550]
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            connection.send_messages([edition_message(edition, subscriber.email, links)])
        connection.send_messages([edition_message(edition, subscriber.email, links)])
    [(_rcpt, first), (_rcpt2, second)] = server.received
    assert dotted.replace("\n", "\r\n") in first.get_body(("plain",)).get_content()
    assert second.get_body(("html",)).get_content() == first.get_body(("html",)).get_content()


def settings_port():
    from django.conf import settings

    return settings.EMAIL_PORT


WORKER_SETTINGS = """
from website.settings.test import *  # noqa: F403

DATABASES = {db!r}
TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, EMAIL_TIMEOUT = "127.0.0.1", {port}, False, 10
NEWSLETTER_BATCH_SIZE = 5
NEWSLETTER_LEASE_SECONDS = 3
NEWSLETTER_SWEEP_SECONDS = 1
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_killed_mid_send_lose_nothing(server, issue, settings, tmp_path):
    """Real `db_worker` processes, killed with SIGKILL mid-send three times, then one more."""
    import os
    import random
    import signal
    import subprocess
    import sys

    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared database server (CI runs PostgreSQL)")
    db = {**connection.settings_dict}
    (tmp_path / "worker_settings.py").write_text(
        WORKER_SETTINGS.format(db={"default": db}, port=settings.EMAIL_PORT)
    )
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.NEWSLETTER_SWEEP_SECONDS = 1
    settings.NEWSLETTER_LEASE_SECONDS = 3
    server.delay = 0.01
    readers = subscribe(80, "en")
    send = sending.create_send(issue)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()]),
        "DJANGO_SETTINGS_MODULE": "worker_settings",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"]

    def sent():
        return Delivery.objects.filter(send=send, status=DeliveryStatus.SENT).count()

    kills = 0
    for _ in range(3):
        before = sent()
        worker = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )  # noqa: S603
        deadline = time.monotonic() + 60
        while sent() < before + 5 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        time.sleep(random.uniform(0, 0.2))  # noqa: S311 - a kill at any moment
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    survivor = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            send.refresh_from_db()
            if send.state == SendState.DONE:
                break
            time.sleep(0.2)
    finally:
        survivor.terminate()
        survivor.wait(timeout=30)
    assert send.state == SendState.DONE, send.totals()
    received = [rcpt for rcpt, _m in server.received]
    assert set(received) == {r.email for r in readers}  # nobody missing
    duplicates = len(received) - len(set(received))
    print(f"{kills} kills, {duplicates} duplicate messages")
    assert duplicates <= kills  # at most the message in flight at each kill


def test_the_sweep_adds_no_batch_while_one_is_at_work(server, issue, settings):
    subscribe(10, "en")
    send = sending.create_send(issue)
    worker.claim(send.pk, "busy-worker", 3)  # a live lease: a worker is at it
    assert sending.sweep()["kicked"] == 0
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    Delivery.objects.filter(send=send, status=DeliveryStatus.SENDING).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert sending.sweep()["kicked"] == 1  # expired lease revived, nothing queued: one batch
    assert sending.sweep()["kicked"] == 0  # that batch waits in the queue: no second one


def test_one_active_send_per_issue_and_a_failed_start_leaves_nothing(server, issue, monkeypatch):
    subscribe(3, "en")
    monkeypatch.setattr(sending, "write_ledger", lambda send: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sending.create_send(issue)
    assert not Send.objects.exists()  # nothing left for the sweep to start behind our back
    monkeypatch.undo()
    send = sending.create_send(issue, scheduled_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(sending.AlreadySending):
        sending.create_send(issue)
    send.cancel()
    assert run(sending.create_send(issue)).state == SendState.DONE
    assert len(server.received) == 3


def test_workers_commit_without_waiting_for_the_disk_on_postgresql(server, issue, settings):
    subscribe(2, "en")
    send = sending.create_send(issue)
    settings.NEWSLETTER_RELAXED_COMMITS = False
    sending.deliver_batch(send.pk, limit=1)
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
        settings.NEWSLETTER_RELAXED_COMMITS = True
        sending.deliver_batch(send.pk, limit=1)
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
    assert send.totals()["sent"] == 2
