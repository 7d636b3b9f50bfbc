"""Subscriber trust, found when trying the sign-up as people and attackers would: link scanners,
shared addresses behind one NAT, timing, exports opened in a spreadsheet, leaked tokens."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.log_actions import log

from newsletter.addresses import normalize_email
from newsletter.importing import import_subscribers
from newsletter.models import Delivery, Send, Status, Subscriber
from newsletter.models.pages import NewsletterIssuePage
from newsletter.tokens import confirmation_token, link_token
from tests.conftest import DEMO_PASSWORD
from tests.test_subscriber_flow import link_in, sign_up, smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


# The confirmation link


def test_opening_the_confirmation_link_confirms_nobody_until_the_button_is_pressed(
    client,
    demo,
    smtp,  # noqa: F811
):
    sign_up(client, "scanned@example.org", language="bn")
    path = link_in(smtp.wait_for(1)[0][1])
    scanner = Client()  # a mail scanner or link preview opens the link: no cookies, GET only
    page = scanner.get(path)
    assert page.status_code == 200
    assert Subscriber.objects.get().status == Status.PENDING
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    form = soup.select_one("main form[method=post]")
    assert form is not None and form.select_one("button").get_text(strip=True) == "নিশ্চিত করুন"
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]

    # the person presses the button, on any device (a fresh client with its own CSRF cookie)
    person = Client(enforce_csrf_checks=True)
    page = person.get(path)
    token = BeautifulSoup(page.content.decode(), "html.parser").select_one(
        "main form input[name=csrfmiddlewaretoken]"
    )["value"]
    done = person.post(path, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200
    assert "ধন্যবাদ" in BeautifulSoup(done.content.decode(), "html.parser").h1.get_text()
    assert Subscriber.objects.get().status == Status.SUBSCRIBED
    # opened again later: says it is confirmed, changes nothing
    again = scanner.get(path)
    assert again.status_code == 200 and "ধন্যবাদ" in again.content.decode()


def test_a_forged_confirmation_post_confirms_nobody(client, demo):
    subscriber = Subscriber.objects.create(email="p@example.org", source="form")
    token = confirmation_token(subscriber)
    assert client.post(f"/en/newsletter/confirm/{token}x/").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


# Data export and erasure


@pytest.fixture
def delivered(demo):
    subscriber = Subscriber.objects.create(
        email="ledger@example.org", source="form", status=Status.SUBSCRIBED, language="en"
    )
    issue = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    send = Send.objects.create(issue=issue)
    Delivery.objects.create(
        send=send,
        subscriber=subscriber,
        language="en",
        status="failed",
        last_error="550 5.1.1 <ledger@example.org>: mailbox unknown",
    )
    return subscriber, issue


def test_the_data_export_holds_the_delivery_history(client, delivered):
    subscriber, issue = delivered
    data = client.post(
        f"/en/newsletter/preferences/{link_token(subscriber)}/", {"action": "download"}
    ).json()
    assert len(data["deliveries"]) == 1
    entry = data["deliveries"][0]
    assert entry["issue"] == issue.title and entry["language"] == "en"
    assert entry["status"] == "failed" and "queued_at" in entry


def test_erasure_clears_the_reply_text_that_can_hold_the_address(client, delivered):
    subscriber, _issue = delivered
    subscriber.erase()
    delivery = Delivery.objects.get()
    assert delivery.subscriber_id is None
    assert "ledger@example.org" not in delivery.last_error
    assert delivery.status == "failed"  # the counts stay


# Rate limits


def test_a_factory_behind_one_address_can_sign_up_many_people(demo):
    wifi = Client(REMOTE_ADDR="198.51.100.7")
    statuses = {sign_up(wifi, f"worker{i}@example.org").status_code for i in range(30)}
    assert statuses == {302}
    assert Subscriber.objects.count() == 30


def test_form_errors_use_up_no_quota(demo):
    wifi = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(30):
        assert sign_up(wifi, "not-an-address").status_code == 400
    assert sign_up(wifi, "after-typos@example.org").status_code == 302


def test_one_address_signed_up_over_and_over_is_limited(demo):
    statuses = [
        sign_up(Client(REMOTE_ADDR=f"203.0.113.{i}"), "target@example.org").status_code
        for i in range(8)
    ]
    assert statuses[:5] == [302] * 5
    assert set(statuses[5:]) == {429}


# Timing: the same work for a known and an unknown address


def test_sign_up_does_the_same_work_for_known_and_new_addresses(client, demo, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    Subscriber.objects.create(email="known@example.org", source="form", status="subscribed")
    counts = []
    for address in ["known@example.org", "new-person@example.org", "known@example.org"]:
        with CaptureQueriesContext(connection) as queries:
            assert sign_up(client, address, language="en").status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    assert not Subscriber.objects.filter(email="new-person@example.org").exists()  # queued


# Spreadsheet exports


@pytest.fixture
def officer(client, demo):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


HOSTILE = [" =1+1", "\u00a0=cmd|' /C calc'!A0", "name;=1+1", "tab\t=1+1", "=1+1"]


def test_csv_exports_neutralise_formulas_anywhere_a_spreadsheet_would_run_them(officer, demo):
    for index, name in enumerate(HOSTILE):
        Subscriber.objects.create(email=f"h{index}@example.org", name=name, source="form")
    response = officer.get("/admin/newsletter/subscribers/", {"export": "csv"})
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows Bangla names
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    names = {row["name"] for row in rows}
    for name in HOSTILE:
        assert name not in names
    for value in names:
        for part in value.replace("\t", ";").split(";"):
            assert not part.lstrip(" \u00a0").startswith(("=", "+", "-", "@"))


def test_the_site_history_export_of_subscriber_actions_is_neutralised(officer, demo):
    subscriber = Subscriber.objects.create(email="=1+1@example.org", source="form")
    log(instance=subscriber, action="newsletter.signup")
    response = officer.get("/admin/reports/site-history/", {"export": "csv"})
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "=1+1@example.org" in text
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row


def test_the_projects_own_export_reimports_without_a_quoted_formula_address(officer, demo):
    Subscriber.objects.create(email="=1+1@example.org", source="form", status="subscribed")
    response = officer.get("/admin/newsletter/subscribers/", {"export": "csv"})
    raw = b"".join(response.streaming_content)
    report = import_subscribers(io.BytesIO(raw), file_name="export.csv")
    assert report.added == 0
    assert not Subscriber.objects.filter(email__startswith="'").exists()
    assert Subscriber.objects.count() == 1


# Sign-up input


def test_a_sign_up_from_a_tokened_page_stores_no_token(client, demo):
    owner = Subscriber.objects.create(email="owner@example.org", source="form", status="subscribed")
    prefs = f"/en/newsletter/preferences/{link_token(owner)}/"
    sign_up(client, "friend@example.org", language="en", source_page=prefs)
    stored = Subscriber.objects.get(email="friend@example.org").consent_source
    assert link_token(owner) not in stored
    sign_up(client, "reader@example.org", language="en", source_page="/en/news/?utm=x#top")
    assert Subscriber.objects.get(email="reader@example.org").consent_source == "/en/news/"


@pytest.mark.parametrize("address", ["a" * 65 + "@example.org", "someone@localhost"])
def test_addresses_no_mail_server_would_take_are_refused(client, demo, address):
    with pytest.raises(ValidationError):
        normalize_email(address)
    assert sign_up(client, address, language="en").status_code == 400
    assert not Subscriber.objects.exists()


# Welcome e-mail


def test_a_welcome_email_follows_the_confirmation_in_the_readers_language(
    client,
    demo,
    smtp,  # noqa: F811
):
    from wagtail.models import Locale

    from newsletter.models import WelcomeMessage

    sign_up(client, "first@example.org", language="bn")
    client.post(link_in(smtp.wait_for(1)[0][1]))
    assert len(smtp.wait_for(2, timeout=0.5)) == 1  # none written yet: nothing more is sent

    english = WelcomeMessage.objects.create(
        enabled=True, subject="Welcome to the newsletter", body="<p>Thank you.</p>"
    )
    WelcomeMessage.objects.create(
        enabled=True,
        subject="নিউজলেটারে স্বাগতম",
        body="<p>ধন্যবাদ।</p>",
        locale=Locale.objects.get(language_code="bn"),
        translation_key=english.translation_key,
    )
    response = sign_up(client, "second@example.org", language="bn")
    assert response.status_code == 302, response.content.decode()[:500]
    messages = smtp.wait_for(2)
    assert not messages[0][1]["Subject"].startswith(" ")  # folded after a word, not the colon
    client.post(link_in(messages[1][1]))
    recipients, welcome = smtp.wait_for(3)[2]
    assert recipients == ["second@example.org"]
    assert "স্বাগতম" in welcome["Subject"]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = welcome.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="bn">' in html and "ধন্যবাদ" in html
    assert "Thank you" not in html
