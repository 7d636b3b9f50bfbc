"""Sending through an e-mail service provider with django-anymail, and its tracking webhooks.

A send through anymail records the provider's message ids; the provider's bounce, complaint and
unsubscription events (anymail's `tracking` signal, and a real Postmark webhook post) update the
subscriber and the delivery. Postmark's API is played by a stand-in for `requests`, as anymail's own
tests do; nothing leaves the machine.
"""

import base64
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsletter import esp, sending
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    NewsletterIssuePage,
    SendState,
    Status,
    Subscriber,
)
from tests.test_sending import run, subscribe
from tests.test_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "anymail-hook:a-long-random-webhook-password"


@pytest.fixture
def issue(demo):
    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


@pytest.fixture
def anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NEWSLETTER_BATCH_SIZE = 4
    mail.outbox = []


@pytest.fixture
def sent(anymail_test_backend, issue):
    """A finished send to three English and two Bangla readers, through anymail's test backend."""
    readers = subscribe(3, "en") + subscribe(2, "bn")
    send = run(sending.create_send(issue))
    assert send.state == SendState.DONE
    return send, readers


def delivery_to(subscriber):
    return Delivery.objects.get(subscriber=subscriber)


def history(subscriber):
    return list(
        ModelLogEntry.objects.for_instance(subscriber).values_list("action", "data").order_by("pk")
    )


def track(event_type, recipient, message_id=None, **fields):
    fields.setdefault("timestamp", timezone.now())
    event = AnymailTrackingEvent(
        event_type=event_type, recipient=recipient, message_id=message_id, **fields
    )
    tracking.send(sender=object, event=event, esp_name="Test")


# Sending


def test_a_send_through_anymail_records_the_providers_message_ids(sent):
    send, readers = sent
    assert len(mail.outbox) == len(readers)
    for index, message in enumerate(mail.outbox):
        # the test backend's message id is the message's place in the outbox
        assert message.anymail_status.message_id == index
        (recipient,) = message.to
        delivery = Delivery.objects.get(send=send, subscriber__email=recipient)
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.message_id == str(index)
        assert delivery.message_id != message.extra_headers["Message-ID"]
        params = message.anymail_test_params
        assert params["extra_headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f'lang="{delivery.language}"' in params["html_body"] and params["text_body"]


def test_without_anymail_the_message_id_header_is_recorded(settings, issue):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    (reader,) = subscribe(1, "en")
    run(sending.create_send(issue))
    (message,) = mail.outbox
    assert delivery_to(reader).message_id == message.extra_headers["Message-ID"]


class FakePostmark:
    """Postmark's /email API as far as anymail uses it: an id per accepted message, ErrorCode
    406 for addresses Postmark has marked inactive (an earlier hard bounce or complaint)."""

    def __init__(self):
        self.inactive = set()
        self.sent = {}  # address -> Postmark MessageID
        self.down = False  # answer 503, as during an outage of the provider

    def __call__(self, method, url, data=None, headers=None, **kwargs):  # Session.request
        assert url == "https://api.postmarkapp.com/email"
        assert headers["X-Postmark-Server-Token"] == "test-server-token"
        payload = json.loads(data)
        to = payload["To"]
        if self.down:
            return self.response(503, {"ErrorCode": 100, "Message": "Service unavailable"})
        if to in self.inactive:
            body = {
                "ErrorCode": 406,
                "Message": "You tried to send to a recipient that has been marked as inactive.\n"
                f"Found inactive addresses: {to}.\nInactive recipients are ones that have "
                "generated a hard bounce or a spam complaint. ",
            }
            return self.response(422, body)
        message_id = str(uuid.uuid4())
        self.sent[to] = message_id
        body = {
            "To": to,
            "SubmittedAt": "2026-05-01T10:00:00.0000000Z",
            "MessageID": message_id,
            "ErrorCode": 0,
            "Message": "OK",
        }
        return self.response(200, body)

    @staticmethod
    def response(status, body):
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.encoding = "utf-8"
        return response


@pytest.fixture
def postmark(settings, monkeypatch):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "test-server-token",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    api = FakePostmark()
    monkeypatch.setattr(requests.Session, "request", api)
    return api


def test_an_address_the_provider_refuses_fails_and_bounces_the_rest_go(postmark, issue):
    readers = subscribe(5, "en")
    refused = readers[2]
    postmark.inactive.add(refused.email)

    send = run(sending.create_send(issue))

    assert send.state == SendState.DONE
    assert send.totals()["sent"] == 4 and send.totals()["failed"] == 1
    delivery = delivery_to(refused)
    assert delivery.status == DeliveryStatus.FAILED
    assert "rejected" in delivery.last_error
    refused.refresh_from_db()
    assert refused.status == Status.BOUNCED
    for reader in readers:
        if reader != refused:
            assert delivery_to(reader).message_id == postmark.sent[reader.email]


def test_a_provider_outage_waits_and_loses_nothing(postmark, issue):
    """An ESP answering 503 is an outage, like an unreachable SMTP server: the send waits and
    resumes by itself; no delivery fails, no subscriber bounces."""
    readers = subscribe(4, "en")
    postmark.down = True
    send = run(sending.create_send(issue))
    assert send.state == SendState.PAUSED and send.resume_at is not None
    assert "503" in send.pause_reason
    assert send.totals()["failed"] == 0 and send.totals()["pending"] == 4
    postmark.down = False
    sending.sweep(now=send.resume_at)
    Delivery.objects.filter(send=send).update(next_attempt_at=timezone.now())
    send = run(send)
    assert send.state == SendState.DONE and send.totals()["sent"] == 4
    assert set(postmark.sent) == {r.email for r in readers}


# The tracking signal


@pytest.mark.parametrize(
    ("event_type", "status", "action", "delivery_status"),
    [
        ("bounced", Status.BOUNCED, "newsletter.bounce", DeliveryStatus.FAILED),
        ("complained", Status.COMPLAINED, "newsletter.complaint", DeliveryStatus.SENT),
        ("unsubscribed", Status.UNSUBSCRIBED, "newsletter.unsubscribe", DeliveryStatus.SENT),
    ],
)
def test_tracking_events_update_the_subscriber_and_the_delivery(
    sent, event_type, status, action, delivery_status
):
    send, readers = sent
    reader, other = readers[1], readers[3]
    delivery = delivery_to(reader)

    track(
        event_type,
        reader.email.upper(),  # providers may spell the address their own way
        delivery.message_id,
        description="The provider's words",
        mta_response="550 5.1.1 No such user",
    )

    reader.refresh_from_db()
    assert reader.status == status
    if status == Status.UNSUBSCRIBED:
        assert reader.unsubscribed_at is not None
    delivery.refresh_from_db()
    assert delivery.status == delivery_status
    assert delivery.last_error == f"{event_type}: The provider's words — 550 5.1.1 No such user"
    ((logged, data),) = history(reader)
    assert logged == action
    assert data["esp"] == "Test" and data["send"] == send.pk
    # nobody else is touched
    other.refresh_from_db()
    assert other.status == Status.SUBSCRIBED
    assert delivery_to(other).status == DeliveryStatus.SENT and not delivery_to(other).last_error


def test_an_event_without_a_message_id_still_updates_the_subscriber(sent):
    _send, readers = sent
    track("complained", readers[0].email)
    readers[0].refresh_from_db()
    assert readers[0].status == Status.COMPLAINED
    assert Delivery.objects.filter(last_error="").count() == len(readers)


def test_an_unknown_address_changes_nothing(sent):
    _send, readers = sent
    before = list(Delivery.objects.values_list("pk", "status", "last_error"))

    track("bounced", "stranger@example.net", "0", description="unknown user")
    track("unsubscribed", "not an address at all")
    track("complained", "", "1")

    assert list(Delivery.objects.values_list("pk", "status", "last_error")) == before
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Status.SUBSCRIBED}
    assert not ModelLogEntry.objects.filter(action__startswith="newsletter.bounce").exists()


@pytest.mark.parametrize("event_type", ["delivered", "opened", "clicked", "deferred", "queued"])
def test_other_events_are_ignored(sent, event_type):
    _send, readers = sent
    track(event_type, readers[0].email, delivery_to(readers[0]).message_id)
    readers[0].refresh_from_db()
    assert readers[0].status == Status.SUBSCRIBED
    assert delivery_to(readers[0]).status == DeliveryStatus.SENT
    assert history(readers[0]) == []


def test_a_soft_bounce_reported_as_bounced_is_ignored(sent):
    """Postmark (and Brevo, Mandrill, Amazon SES) call a full mailbox "bounced" too."""
    _send, readers = sent
    reader = readers[0]
    track(
        "bounced",
        reader.email,
        delivery_to(reader).message_id,
        esp_event={"RecordType": "Bounce", "Type": "SoftBounce"},
    )
    track(
        "bounced",
        reader.email,
        delivery_to(reader).message_id,
        esp_event={"eventType": "Bounce", "bounce": {"bounceType": "Transient"}},
    )
    reader.refresh_from_db()
    assert reader.status == Status.SUBSCRIBED
    assert delivery_to(reader).status == DeliveryStatus.SENT


def test_a_repeated_event_is_applied_once_and_a_stronger_verdict_stays(sent):
    _send, readers = sent
    reader = readers[0]
    message_id = delivery_to(reader).message_id
    track("complained", reader.email, message_id)
    track("complained", reader.email, message_id)  # providers retry their webhooks
    track("bounced", reader.email, message_id)
    track("unsubscribed", reader.email, message_id)
    reader.refresh_from_db()
    assert reader.status == Status.COMPLAINED
    assert [action for action, _data in history(reader)] == ["newsletter.complaint"]
    assert delivery_to(reader).status == DeliveryStatus.FAILED  # the bounce still says so


def test_an_event_from_before_the_person_subscribed_again_is_ignored(sent):
    _send, readers = sent
    reader = readers[0]
    reader.unsubscribe()
    reader.confirm()  # signed up again
    track("unsubscribed", reader.email, timestamp=reader.confirmed_at - timedelta(hours=2))
    reader.refresh_from_db()
    assert reader.status == Status.SUBSCRIBED
    track("unsubscribed", reader.email, timestamp=datetime.now(UTC) + timedelta(seconds=1))
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_the_receiver_never_raises(sent, monkeypatch, caplog):
    _send, readers = sent

    def broken(event, esp_name):
        raise RuntimeError("database gone")

    monkeypatch.setattr(esp, "apply_event", broken)
    track("bounced", readers[0].email, "0")  # does not raise
    assert "Could not apply the Test bounced event" in caplog.text


# A real provider's webhook, end to end


def postmark_webhook(client, payload, secret=WEBHOOK_SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def postmark_bounce(email, message_id):
    """A hard bounce as Postmark posts it (its documentation's example, our address and id)."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "newsletter@example.org",
        "BouncedAt": datetime.now(UTC).isoformat(),
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Better Work Bangladesh newsletter",
        "Content": None,
    }


def test_a_postmark_bounce_webhook_bounces_the_subscriber_end_to_end(postmark, issue, client):
    readers = subscribe(3, "bn")
    run(sending.create_send(issue))
    reader = readers[1]
    message_id = postmark.sent[reader.email]
    assert delivery_to(reader).message_id == message_id

    response = postmark_webhook(client, postmark_bounce(reader.email, message_id))

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.BOUNCED
    delivery = delivery_to(reader)
    assert delivery.status == DeliveryStatus.FAILED
    assert "unable to deliver" in delivery.last_error
    assert "550 5.1.1" in delivery.last_error
    assert [action for action, _data in history(reader)] == ["newsletter.bounce"]
    assert {r.status for r in readers if r != reader} == {Status.SUBSCRIBED}


def test_a_postmark_unsubscribe_webhook_unsubscribes(postmark, issue, client):
    (reader,) = subscribe(1, "en")
    run(sending.create_send(issue))
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": postmark.sent[reader.email],
        "ServerID": 23,
        "MessageStream": "broadcast",
        "ChangedAt": datetime.now(UTC).isoformat(),
        "Recipient": reader.email,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "",
        "Metadata": {},
    }
    assert postmark_webhook(client, payload).status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None


def test_a_webhook_without_the_secret_is_refused(postmark, issue, client):
    (reader,) = subscribe(1, "en")
    run(sending.create_send(issue))
    payload = postmark_bounce(reader.email, postmark.sent[reader.email])
    response = postmark_webhook(client, payload, secret="anymail-hook:guessed")
    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.SUBSCRIBED


# Production settings

SHOW_EMAIL_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND); print(json.dumps(getattr(s, 'ANYMAIL', None), sort_keys=True))"
)


def start_production(**env):
    """Import the production settings in a fresh interpreter with `env` added; print the mail
    backend and ANYMAIL."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ANYMAIL_")}
    environ.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="website.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW_EMAIL_SETTINGS],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_sends_through_the_provider_named_in_anymail_esp():
    result = start_production(
        ANYMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
        ANYMAIL_WEBHOOK_SECRET=WEBHOOK_SECRET,
        ANYMAIL_IGNORE_UNSUPPORTED_FEATURES="true",
        ANYMAIL_AMAZON_SES_CLIENT_PARAMS='{"region_name": "eu-west-1"}',
    )
    assert result.returncode == 0, result.stderr
    backend, settings = result.stdout.splitlines()
    assert backend == "anymail.backends.postmark.EmailBackend"
    assert json.loads(settings) == {
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": "eu-west-1"},
        "IGNORE_UNSUPPORTED_FEATURES": True,
        "POSTMARK_SERVER_TOKEN": "server-token",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def test_production_stays_on_smtp_without_anymail_esp():
    result = start_production()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["newsletter.mail.EmailBackend", "null"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANYMAIL_ESP": "postmark"}, "ANYMAIL_WEBHOOK_SECRET is not set"),
        ({"ANYMAIL_ESP": "pigeon", "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET}, "not an e-mail"),
        ({"ANYMAIL_ESP": "../smtp", "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET}, "not an e-mail"),
    ],
)
def test_production_refuses_a_half_configured_provider(env, message):
    result = start_production(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
