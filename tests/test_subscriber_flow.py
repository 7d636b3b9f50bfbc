"""Subscribers sign up, confirm, change language, unsubscribe and erase themselves.

E-mails go through a real SMTP server on loopback (aiosmtpd) and are read back from it.
"""

import email
import email.policy
import re
import socket
import time
import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client
from django.utils import timezone

from newsletter.addresses import suppression_hash
from newsletter.models import Status, Subscriber, SuppressedAddress
from newsletter.tokens import CONFIRMATION_SALT, confirmation_token, link_token

pytestmark = pytest.mark.django_db
BASE = "https://betterwork.example.org"


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def wait_for(self, count, timeout=5):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def sign_up(client, address, language="bn", **extra):
    data = {"email": address, "language": language, "consent": "on", "website": "", **extra}
    return client.post(f"/{language}/newsletter/subscribe/", data)


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message):
    found = re.search(rf"{re.escape(BASE)}(/\S+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def test_double_opt_in_over_smtp_in_bangla(client, demo, smtp):
    response = sign_up(client, "Rahima@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/bn/newsletter/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Status.PENDING
    assert not Subscriber.objects.sendable().exists()
    assert subscriber.consent_text.startswith("আমি ই-মেইলে")  # the Bangla text the form showed

    recipients, message = smtp.wait_for(1)[0]
    assert recipients == ["Rahima@example.org"]
    assert "নিশ্চিত" in message["Subject"]  # Bangla subject, RFC 2047-encoded on the wire
    # Message-ID and Date as for the newsletter: the site's domain, not the machine's host name.
    assert message["Message-ID"].endswith("@betterwork.example.org>")
    assert message["Date"].endswith("+0000")
    assert "৭ দিন" in text_of(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="bn">' in html

    confirm_path = link_in(message)
    assert confirm_path.startswith("/bn/newsletter/confirm/")
    assert client.get(confirm_path).status_code == 200  # a page with a "Confirm" button
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING
    page = client.post(confirm_path)
    assert page.status_code == 200
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    assert "ধন্যবাদ" in soup.h1.get_text()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.SUBSCRIBED and subscriber.confirmed_at
    assert list(Subscriber.objects.sendable()) == [subscriber]


def test_the_answer_is_the_same_whatever_the_address(client, demo, smtp):
    Subscriber.objects.create(email="subscribed@example.org", source="form", status="subscribed")
    Subscriber.objects.create(email="pending@example.org", source="form")
    answers = []
    for address in ["new@example.org", "pending@example.org", "SUBSCRIBED@example.org"]:
        response = sign_up(client, address, language="en")
        answers.append((response.status_code, response["Location"]))
        page = client.get(response["Location"])
        answers.append(page.content)
    assert answers[0] == answers[2] == answers[4]
    assert answers[1] == answers[3] == answers[5]
    assert Subscriber.objects.count() == 3
    recipients = sorted(r[0] for r, _m in smtp.wait_for(2))
    assert recipients == ["new@example.org", "pending@example.org"]  # never the subscribed one


def test_resending_confirmation_is_throttled(client, demo, smtp):
    sign_up(client, "again@example.org")
    sign_up(client, "again@example.org")
    assert len(smtp.wait_for(2, timeout=0.5)) == 1
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    sign_up(client, "again@example.org")
    assert len(smtp.wait_for(2)) == 2


def test_honeypot_signs_nobody_up_and_looks_the_same(client, demo, smtp):
    response = sign_up(client, "bot@example.org", website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/bn/newsletter/check-your-inbox/"
    assert not Subscriber.objects.exists()


def test_sign_ups_are_rate_limited_per_address(client, demo):
    """Per submitted address; per client address only far above what a factory's Wi-Fi sends
    (tests/test_subscriber_trust.py)."""
    statuses = [sign_up(client, "same@example.org").status_code for i in range(7)]
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    assert sign_up(client, "someone@example.org").status_code == 302


def test_bad_input_is_answered_in_the_visitors_language(client, demo):
    response = sign_up(client, "not-an-address")
    assert response.status_code == 400
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    error = soup.select_one("main .form-error").get_text()
    assert "ই-মেইল" in error and "@" in error
    response = client.post(
        "/en/newsletter/subscribe/", {"email": "a@example.org", "language": "en"}
    )
    assert response.status_code == 400
    assert b"Please tick the box" in response.content
    assert not Subscriber.objects.exists()


def test_internationalised_domains_are_normalised_and_case_is_ignored(client, demo):
    sign_up(client, "Karim@বাংলা.example")
    sign_up(client, "karim@XN--54B7FTA0CC.example")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Karim@xn--54b7fta0cc.example"


def expired_token(subscriber, monkeypatch):
    past = time.time() - timedelta(days=8).total_seconds()
    monkeypatch.setattr(signing, "time", type("T", (), {"time": staticmethod(lambda: past)}))
    token = signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(subscriber.token.hex)
    monkeypatch.undo()
    return token


def test_expired_tampered_and_unknown_links_get_a_clear_page(client, demo, monkeypatch):
    subscriber = Subscriber.objects.create(email="late@example.org", source="form", language="bn")
    response = client.get(f"/bn/newsletter/confirm/{expired_token(subscriber, monkeypatch)}/")
    assert response.status_code == 400
    assert "মেয়াদ" in BeautifulSoup(response.content.decode(), "html.parser").h1.get_text()

    good = confirmation_token(subscriber)
    for bad in [good[:-2] + "xx", "nonsense", link_token(subscriber)]:
        response = client.get(f"/en/newsletter/confirm/{bad}/")
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    nobody = signing.Signer(salt="newsletter.link").sign(uuid.uuid4().hex)
    assert client.get(f"/en/newsletter/unsubscribe/{nobody}/").status_code == 400
    assert (
        client.post(
            f"/newsletter/one-click/{nobody}/", {"List-Unsubscribe": "One-Click"}
        ).status_code
        == 400
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


@pytest.fixture
def bangla_subscriber():
    return Subscriber.objects.create(
        email="sabina@example.org", source="form", language="bn", status=Status.SUBSCRIBED
    )


def test_unsubscribe_page_get_never_unsubscribes_post_does(client, demo, bangla_subscriber):
    token = link_token(bangla_subscriber)
    response = client.get(f"/en/newsletter/unsubscribe/{token}/")
    assert response.status_code == 302  # the page is shown in the subscriber's language
    assert response["Location"] == f"/bn/newsletter/unsubscribe/{token}/"
    for _ in range(3):
        page = client.get(response["Location"])
        assert page.status_code == 200
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    assert soup.select_one("main form button").get_text(strip=True) == "সাবস্ক্রিপশন বাতিল করুন"
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.status == Status.SUBSCRIBED

    page = client.post(f"/bn/newsletter/unsubscribe/{token}/")
    assert page.status_code == 200
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.status == Status.UNSUBSCRIBED
    assert bangla_subscriber.unsubscribed_at is not None
    assert not Subscriber.objects.sendable().exists()


def test_one_click_unsubscribe_needs_no_session_or_csrf(demo, bangla_subscriber):
    mail_client = Client(enforce_csrf_checks=True)
    token = link_token(bangla_subscriber)
    url = f"/newsletter/one-click/{token}/"
    # Opened in a browser, the one-click address shows the unsubscribe page (one button, in the
    # subscriber's language), and a GET changes nothing.
    page = mail_client.get(url, follow=True)
    assert page.status_code == 200
    assert (
        page.redirect_chain[-1][0] == f"/bn/newsletter/unsubscribe/{link_token(bangla_subscriber)}/"
    )
    assert '<form method="post"' in page.content.decode()
    assert mail_client.head(url).status_code == 302
    assert mail_client.put(url).status_code == 405
    assert mail_client.post(url, {}).status_code == 400
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.status == Status.SUBSCRIBED
    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.status == Status.UNSUBSCRIBED


def test_preferences_change_language_download_and_erase(client, demo, bangla_subscriber):
    token = link_token(bangla_subscriber)
    url = f"/bn/newsletter/preferences/{token}/"
    soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    # The e-mails' "Receive it in English/Bangla" link goes to #language: it must exist.
    assert soup.find(id="language").find_next("input", {"name": "language"}) is not None

    response = client.post(url, {"action": "language", "language": "en"})
    assert response.status_code == 302
    assert response["Location"] == f"/en/newsletter/preferences/{token}/?saved=language"
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.language == "en"

    data = client.post(url, {"action": "download"})
    assert data["Content-Disposition"].startswith("attachment")
    assert data.json()["email"] == "sabina@example.org"
    assert data.json()["language"] == "en"

    refused = client.post(url, {"action": "erase"})
    assert refused.status_code == 200
    assert Subscriber.objects.filter(pk=bangla_subscriber.pk).exists()

    erased = client.post(url, {"action": "erase", "confirm": "on"})
    assert erased.status_code == 200
    assert not Subscriber.objects.exists()
    from wagtail.models import ModelLogEntry

    assert not ModelLogEntry.objects.filter(label__icontains="sabina").exists()
    assert not ModelLogEntry.objects.filter(object_id=str(bangla_subscriber.pk)).exists()
    assert SuppressedAddress.objects.filter(email_hash=suppression_hash("SABINA@example.org"))
    assert client.get(url).status_code == 400  # the old link now belongs to nobody


def test_signing_up_again_after_erasure_lifts_the_suppression(client, demo, smtp):
    subscriber = Subscriber.objects.create(email="back@example.org", source="form")
    subscriber.erase()
    assert SuppressedAddress.is_suppressed("back@example.org")
    sign_up(client, "back@example.org", language="en")
    confirm_path = link_in(smtp.wait_for(1)[0][1])
    client.post(confirm_path)
    assert Subscriber.objects.get().status == Status.SUBSCRIBED
    assert not SuppressedAddress.is_suppressed("back@example.org")


def test_footer_of_every_page_has_the_sign_up_form_in_its_language(client, demo):
    soup = BeautifulSoup(client.get("/bn/").content.decode(), "html.parser")
    form = soup.select_one("footer form.signup-form")
    assert form["action"] == "/bn/newsletter/subscribe/"
    assert form.select_one('input[name="language"][value="bn"]').has_attr("checked")
    assert form.select_one("button").get_text(strip=True) == "সাবস্ক্রাইব করুন"


def test_a_simultaneous_sign_up_of_the_same_address_is_not_an_error(client, demo, monkeypatch):
    """Two requests for one address racing: the second insert hits the unique constraint."""
    from newsletter.models import SubscriberQuerySet

    Subscriber.objects.create(email="twice@example.org", source="form")
    # as if the other request had not committed yet when this one looked
    monkeypatch.setattr(SubscriberQuerySet, "with_email", lambda self, a: self.none())
    response = sign_up(client, "TWICE@example.org")
    assert response.status_code == 302
    assert Subscriber.objects.count() == 1


def test_an_old_confirmation_link_does_not_undo_an_unsubscription(client, demo, smtp):
    sign_up(client, "changed-mind@example.org", language="en")
    old_link = link_in(smtp.wait_for(1)[0][1])
    subscriber = Subscriber.objects.get()
    client.post(
        f"/newsletter/one-click/{link_token(subscriber)}/", {"List-Unsubscribe": "One-Click"}
    )
    assert client.get(old_link).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED

    # signing up again is the way back, with a new link; the old one stays dead
    Subscriber.objects.update(signed_up_at=timezone.now() - timedelta(minutes=20))
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=20))
    sign_up(client, "changed-mind@example.org", language="en")
    new_link = link_in(smtp.wait_for(2)[1][1])
    assert new_link != old_link
    assert client.get(old_link).status_code == 400
    assert client.post(old_link).status_code == 400
    assert client.post(new_link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.SUBSCRIBED


@pytest.mark.parametrize("status", [Status.BOUNCED, Status.COMPLAINED])
def test_bounced_and_complained_addresses_are_not_mailed_from_the_form(client, demo, smtp, status):
    Subscriber.objects.create(email="gone@example.org", source="form", status=status)
    response = sign_up(client, "gone@example.org", language="en")
    assert response["Location"] == "/en/newsletter/check-your-inbox/"
    assert smtp.wait_for(1, timeout=0.5) == []
    assert Subscriber.objects.get().status == status


def test_a_failing_mail_server_does_not_fail_the_sign_up(client, demo, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = sign_up(client, "unlucky@example.org", language="en")
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmation_sent_at is None  # so the next sign-up tries again
    assert "unlucky@example.org" not in caplog.text


@pytest.mark.parametrize(
    "query", [{"q": "garment\x00"}, {"q": '"'}, {"q": "\x00"}, {"q": "a\x00b", "page": "2"}]
)
def test_search_survives_odd_input(client, demo, query):
    assert client.get("/en/search/", query).status_code == 200


def test_sign_up_with_a_nul_byte_in_the_source_page_is_not_an_error(client, demo):
    response = sign_up(client, "nul@example.org", source_page="/bn/\x00x/")
    assert response.status_code == 302
    assert Subscriber.objects.get().consent_source == "/bn/x/"


def test_head_is_answered_where_get_is(client, demo, bangla_subscriber):
    token = link_token(bangla_subscriber)
    paths = [
        "/en/newsletter/subscribe/",
        "/bn/newsletter/subscribe/",
        f"/bn/newsletter/unsubscribe/{token}/",
        f"/bn/newsletter/preferences/{token}/",
        "/en/search/?q=factory",
        "/robots.txt",
    ]
    for path in paths:
        page, head = client.get(path), client.head(path)
        assert page.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b"", path
    bangla_subscriber.refresh_from_db()
    assert bangla_subscriber.status == Status.SUBSCRIBED
