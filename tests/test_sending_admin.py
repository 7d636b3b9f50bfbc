"""Sending in the admin: the "Send" confirmation of an issue, the sends list, a send's page with
its figures and pause/resume/cancel, the delivery ledger with filters and CSV export, and who
may do what.

Everything goes through the test client as the demo `officer` and `translator`. Messages go to
a real SMTP server on loopback (aiosmtpd); task batches are run by the test itself (a dummy task
backend records what would be queued), as in test_sending.py.
"""

import csv
import datetime
import io
import zoneinfo

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, PageLogEntry

from newsletter import sending
from newsletter.models import Delivery, DeliveryStatus, Send, SendState, Status, Subscriber
from stories.models import NewsIndexPage, NewsPage
from tests import test_sending
from tests.conftest import DEMO_PASSWORD
from tests.test_sending import run, subscribe

pytestmark = pytest.mark.django_db
DHAKA = zoneinfo.ZoneInfo("Asia/Dhaka")


# test_sending's fixtures: the aiosmtpd server on loopback (with the dummy task backend) and the
# demo's December 2022 issue in English.
server = test_sending.server
issue = test_sending.issue


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer(client, demo):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def translator(client, demo):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    return client


def confirm_url(issue):
    return reverse("newsletter_issue_send", args=[issue.pk])


def send_url(send, view="detail"):
    return reverse(f"newsletter_sends:{view}", args=[send.pk])


def ledger(send, **params):
    return {"send": send.pk, **params}


LEDGER = "/admin/newsletter/deliveries/"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def add_untranslated_item(issue):
    """An English-only page in the Bangla issue: the Bangla edition would show it in English."""
    index = NewsIndexPage.objects.get(locale=issue.locale)
    page = index.add_child(instance=NewsPage(title="English only", summary="Not translated."))
    page.save_revision().publish()
    bn_issue = issue.get_translation(Locale.objects.get(language_code="bn"))
    bn_issue.body.append(("featured_item", {"page": page}))
    bn_issue.save_revision().publish()


# The confirmation screen


def test_the_send_button_leads_to_recipients_per_language_and_readiness(
    officer, issue, server, settings
):
    settings.NEWSLETTER_MAX_RATE = 12.5
    subscribe(3, "bn")
    subscribe(2, "en")
    subscribe(4, "bn", Status.PENDING, "pending")
    subscribe(1, "en", Status.UNSUBSCRIBED, "gone")

    edit = officer.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
    assert confirm_url(issue) in edit.content.decode()  # the header button

    page = soup(officer.get(confirm_url(issue)))
    counts = {
        row["data-language"]: row.select_one("[data-count]").get_text(strip=True)
        for row in page.select("[data-recipients] tbody tr")
    }
    assert counts == {"en": "2", "bn": "3", "both": "0"}  # readers of both: the bilingual edition
    assert page.select_one("[data-recipients] [data-total]").get_text(strip=True) == "5"
    assert page.find(string="Ready") is not None  # the readiness table of both editions
    assert page.select_one("[data-problems]") is None
    assert page.find("input", {"name": "per_minute"})["value"] == "750"  # 12.5 a second
    assert page.find("input", {"name": "allow_fallback", "type": "checkbox"}) is not None
    assert page.find("input", {"name": "send_at"}) is not None
    assert not Send.objects.exists()


def test_untranslated_items_are_listed_and_refuse_the_send(officer, issue, server):
    add_untranslated_item(issue)
    subscribe(2, "bn")

    page = soup(officer.get(confirm_url(issue)))
    assert "Bangla: not translated: English only" in page.select_one("[data-problems]").get_text()
    # the button waits for the explicit choice to send English in place of the missing Bangla
    button = page.select_one("[data-send-button]")
    assert button.has_attr("disabled") and button.has_attr("data-needs-fallback")
    assert page.select_one("[data-send-blocked]") is not None

    response = officer.post(confirm_url(issue), {"confirmed": "yes"})
    assert response.status_code == 200
    errors = soup(response).select_one("[data-form-errors]").get_text()
    assert "nothing was created" in errors and "Bangla: not translated: English only" in errors
    assert not Send.objects.exists() and not Delivery.objects.exists()

    response = officer.post(confirm_url(issue), {"confirmed": "yes", "allow_fallback": "on"})
    send = Send.objects.get()
    assert response.status_code == 302 and response["Location"] == send_url(send)
    assert send.allow_fallback and send.state == SendState.SENDING


def test_an_officer_sends_the_issue_and_lands_on_its_page(officer, issue, server):
    readers = subscribe(4, "bn") + subscribe(3, "en")
    response = officer.post(confirm_url(issue), {"confirmed": "yes", "per_minute": "300"})
    send = Send.objects.get()
    assert response.status_code == 302 and response["Location"] == send_url(send)
    assert send.state == SendState.SENDING and send.max_rate == 5  # 300 a minute
    assert send.created_by.username == "officer" and send.issue_id == issue.pk
    assert send.deliveries.count() == len(readers)
    assert "Sending started." in officer.get(send_url(send)).content.decode()

    run(send)
    to_readers = [rcpt for rcpt, _m in server.received if rcpt != send.created_by.email]
    assert len(to_readers) == len(readers)
    [notice] = server.to(send.created_by.email)  # and the officer is told it is done
    assert notice["Subject"].startswith("Sent:")


def test_a_second_active_send_of_the_same_issue_is_refused(officer, issue, server):
    subscribe(2, "en")
    first = sending.create_send(issue)
    page = officer.get(confirm_url(issue)).content.decode()
    assert "This issue is already being sent" in page and send_url(first) in page

    response = officer.post(confirm_url(issue), {"confirmed": "yes"})
    assert response.status_code == 200
    assert "already being sent (sending)" in response.content.decode()
    assert Send.objects.count() == 1

    first.cancel()  # once it is over, the issue may be sent again
    assert officer.post(confirm_url(issue), {"confirmed": "yes"}).status_code == 302
    assert Send.objects.count() == 2


def test_send_at_is_dhaka_time_and_not_in_the_past(officer, issue, server):
    subscribe(2, "bn")
    at = (
        (timezone.now() + datetime.timedelta(hours=3))
        .astimezone(DHAKA)
        .replace(second=0, microsecond=0)
    )
    response = officer.post(
        confirm_url(issue), {"confirmed": "yes", "send_at": at.strftime("%Y-%m-%d %H:%M")}
    )
    send = Send.objects.get()
    assert response.status_code == 302
    assert send.scheduled_at == at and send.state == SendState.SCHEDULED
    assert not send.deliveries.exclude(status=DeliveryStatus.QUEUED).exists()  # nothing sent yet
    page = officer.get(send_url(send)).content.decode()
    assert f"Send scheduled for {at.day} {at:%b %Y, %H:%M} (Dhaka time)." in page

    send.cancel()
    past = timezone.now().astimezone(DHAKA) - datetime.timedelta(hours=1)
    response = officer.post(
        confirm_url(issue), {"confirmed": "yes", "send_at": past.strftime("%Y-%m-%d %H:%M")}
    )
    assert "This time has passed" in response.content.decode()
    assert Send.objects.count() == 1


def hidden_fields(page):
    """The (name, value) pairs a confirmation's form posts back."""
    return [
        (field["name"], field.get("value", ""))
        for field in page.select("[data-send-confirmation] form input[type=hidden]")
    ]


def as_post(pairs, **extra):
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return {**data, **extra}


def test_the_first_click_asks_what_will_happen_and_only_the_confirmation_sends(
    officer, issue, server
):
    subscribe(3, "bn")
    subscribe(2, "en")
    subscribe(1, "both")
    response = officer.post(confirm_url(issue), {"per_minute": "300", "languages": ["bn", "en"]})
    assert response.status_code == 200 and not Send.objects.exists()  # nothing sent yet
    page = soup(response)
    question = page.select_one("[data-send-confirmation] [data-question]").get_text()
    assert question == f"Send “{issue.title}” now to 5 subscribers: 3 in Bangla, 2 in English?"
    assert page.select_one("[data-confirm-speed]").get_text() == "At most 300 e-mails per minute"
    assert "Yes, send now" in page.select_one("[data-confirm-send]").get_text()
    pairs = hidden_fields(page)
    assert ("confirmed", "yes") in pairs and ("per_minute", "300") in pairs
    assert ("languages", "bn") in pairs and ("languages", "en") in pairs

    # "No, back to the choices": the screen again with what was chosen, nothing sent
    back = soup(officer.post(confirm_url(issue), as_post(pairs, back="1")))
    assert back.find("input", {"name": "per_minute"})["value"] == "300"
    assert back.find("input", {"name": "languages", "value": "bn"}).has_attr("checked")
    assert back.select_one("[data-send-confirmation]") is None and not Send.objects.exists()

    response = officer.post(confirm_url(issue), as_post(pairs))
    send = Send.objects.get()
    assert response.status_code == 302 and response["Location"] == send_url(send)
    assert send.max_rate == 5 and send.deliveries.count() == 5  # the reader of both left out
    assert "At most 300 e-mails per minute" in officer.get(send_url(send)).content.decode()


def test_a_scheduled_send_is_confirmed_with_its_date_in_words(officer, issue, server):
    subscribe(1, "en")
    at = datetime.datetime(2031, 1, 9, 18, 5, tzinfo=DHAKA)
    page = soup(officer.post(confirm_url(issue), {"send_at": "2031-01-09 18:05"}))
    question = page.select_one("[data-question]").get_text()
    assert question == (
        f"Send “{issue.title}” on 9 Jan 2031, 18:05 (Dhaka time) to 1 subscriber: 1 in English?"
    )
    assert "Yes, schedule it" in page.select_one("[data-confirm-send]").get_text()
    assert page.select_one("[data-confirm-speed]").get_text() == "No speed limit"
    officer.post(confirm_url(issue), as_post(hidden_fields(page)))
    send = Send.objects.get()
    assert send.scheduled_at == at and send.max_rate == 0
    assert "9 Jan 2031, 18:05 (Dhaka time)" in officer.get(send_url(send)).content.decode()


def test_the_confirmation_in_the_bangla_admin_uses_bengali_digits_and_names(officer, issue, server):
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user_model().objects.get(username="officer"))
    profile.preferred_language = "bn"
    profile.save()
    subscribe(12, "bn")
    subscribe(3, "en")
    page = soup(officer.post(confirm_url(issue), {"send_at": "2031-01-09 18:05"}))
    assert page.select_one("[data-question]").get_text() == (
        f"“{issue.title}” ৯ জানুয়ারি ২০৩১, ১৮:০৫ (ঢাকার সময়) ১৫ জন সাবস্ক্রাইবারকে পাঠাবেন: "
        "বাংলা ভাষায় ১২ জন, ইংরেজি ভাষায় ৩ জন?"
    )
    assert page.select_one("[data-confirm-speed]").get_text() == "গতির কোনো সীমা নেই"


def test_the_send_screen_loads_the_date_time_picker_it_calls(officer, issue):
    html = officer.get(confirm_url(issue)).content.decode()
    script = html.index("wagtailadmin/js/date-time-chooser.js")
    assert script < html.index("initDateTimeChooser(")  # defined before the widget calls it


def test_after_the_send_the_button_is_guarded(officer, issue, server):
    subscribe(2, "en")
    officer.post(confirm_url(issue), {"confirmed": "yes"})
    send = Send.objects.get()
    page = soup(officer.get(confirm_url(issue)))
    assert page.select_one("[data-send-button]").has_attr("disabled")  # while it is sending
    assert page.select_one("[data-active-send]") is not None

    run(send)
    page = soup(officer.get(confirm_url(issue)))
    notice = page.select_one("[data-sent-before]").get_text()
    assert "This issue was sent on" in notice and "(2 delivered)" in notice
    assert page.select_one("[data-recipients] [data-total]").get_text(strip=True) == "0"
    response = officer.post(confirm_url(issue), {})  # a second click, or the page resubmitted
    assert "Nobody to send to" in response.content.decode()
    response = officer.post(confirm_url(issue), {"confirmed": "yes"})
    assert "Nobody to send to" in response.content.decode()
    assert Send.objects.count() == 1


def test_what_cannot_be_waived_disables_the_button(officer, issue, server):
    subscribe(2, "bn")
    bn = issue.get_translation(Locale.objects.get(language_code="bn"))
    bn.__class__.objects.filter(pk=bn.pk).update(subject="দুই\nলাইন")
    page = soup(officer.get(confirm_url(issue)))
    assert "Bangla: the subject has a line break" in page.select_one("[data-problems]").get_text()
    button = page.select_one("[data-send-button]")
    assert button.has_attr("disabled") and not button.has_attr("data-needs-fallback")
    response = officer.post(confirm_url(issue), {"allow_fallback": "on"})
    assert "Bangla: the subject has a line break" in response.content.decode()
    assert not Send.objects.exists()


# A send's page: figures, pause, resume, cancel


def ledger_counts(send):
    """Per language: sent, failed, skipped, pending, straight from the ledger."""
    result = {}
    for language in ("en", "bn"):
        rows = Delivery.objects.filter(send=send, language=language)
        result[language] = {
            "sent": rows.filter(status=DeliveryStatus.SENT).count(),
            "failed": rows.filter(status=DeliveryStatus.FAILED).count(),
            "skipped": rows.filter(status=DeliveryStatus.SKIPPED).count(),
            "pending": rows.filter(
                status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
            ).count(),
            "total": rows.count(),
        }
    return result


def test_progress_figures_match_the_ledger(officer, issue, server):
    bn = subscribe(9, "bn")
    en = subscribe(8, "en")
    server.refuse[en[0].email] = [550]
    server.refuse[bn[1].email] = [451]
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)  # 7 of 17, one 550 and one 451 among them
    bn[-1].unsubscribe()
    sending.deliver_batch(send.pk)

    data = officer.get(send_url(send, "progress")).json()
    expected = ledger_counts(send)
    assert {row["code"]: {k: row[k] for k in expected["en"]} for row in data["languages"]} == (
        expected
    )
    assert expected["en"]["failed"] == 1 and expected["bn"]["pending"] >= 1
    sent = sum(counts["sent"] for counts in expected.values())
    assert data["totals"] == {
        key: sum(counts[key] for counts in expected.values()) for key in expected["en"]
    }
    assert data["state"] == "sending" and data["active"] is True
    assert data["done"] == data["totals"]["total"] - data["totals"]["pending"]
    assert data["rate"] is not None and data["rate"] > 0
    assert data["eta_seconds"] is not None
    assert "<progress" in data["html"]

    page = soup(officer.get(send_url(send)))
    bar = page.find("progress")
    assert int(bar["max"]) == 17 and int(bar["value"]) == data["done"]
    for language, counts in expected.items():
        row = page.select_one(f"[data-send-figures] tr[data-language={language}]")
        for key, value in counts.items():
            assert row.select_one(f"[data-{key}]").get_text(strip=True) == str(value)
    assert page.select_one("[data-rate]") is not None and page.select_one("[data-eta]")
    assert page.select_one("[data-send-progress]")["data-url"] == send_url(send, "progress")
    assert sent == int(page.select_one("tr[data-language=all] [data-sent]").get_text())


def test_pause_resume_and_cancel_from_the_send_page(officer, issue, server):
    subscribe(20, "en")
    send = sending.create_send(issue)
    sending.deliver_batch(send.pk)  # 7 sent
    page = officer.get(send_url(send)).content.decode()
    assert send_url(send, "pause") in page and send_url(send, "resume") not in page

    assert officer.get(send_url(send, "pause")).status_code == 405  # POST only
    response = officer.post(send_url(send, "pause"))
    assert response.status_code == 302 and response["Location"] == send_url(send)
    send.refresh_from_db()
    assert send.state == SendState.PAUSED and "Paused by Farzana Ahmed." in send.pause_reason
    sending.deliver_batch(send.pk)  # a queued batch sends nothing while paused
    assert len(server.received) == 7
    page = soup(officer.get(send_url(send)))
    assert "Paused by Farzana Ahmed." in page.select_one("[data-pause-reason]").get_text()
    assert page.find("form", action=send_url(send, "resume")) is not None

    officer.post(send_url(send, "resume"))
    send.refresh_from_db()
    assert send.state == SendState.SENDING and send.pause_reason == ""
    sending.deliver_batch(send.pk)
    assert len(server.received) == 14

    confirm = officer.get(send_url(send, "cancel")).content.decode()
    assert "Cancel this send? The 6 messages not sent yet will never be sent." in confirm
    send.refresh_from_db()
    assert send.state == SendState.SENDING  # asking is not cancelling
    officer.post(send_url(send, "cancel"))
    send.refresh_from_db()
    assert send.state == SendState.CANCELLED
    assert send.totals() == {"total": 20, "sent": 14, "failed": 0, "skipped": 6, "pending": 0}
    page = officer.get(send_url(send)).content.decode()
    assert send_url(send, "pause") not in page and send_url(send, "cancel") not in page
    logged = set(PageLogEntry.objects.filter(page=issue).values_list("action", flat=True))
    assert {"newsletter.send_paused", "newsletter.send_resumed", "newsletter.send_cancelled"} <= (
        logged
    )


def test_the_sends_list(officer, issue, server):
    subscribe(5, "bn")
    server.refuse["reader0-bn@example.org"] = [550]
    send = run(sending.create_send(issue))
    assert send.state == SendState.DONE
    response = officer.get("/admin/newsletter/sends/")
    assert response.status_code == 200
    page = soup(response)
    row = page.find("a", href=send_url(send)).find_parent("tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
    assert issue.title in cells[0] and "done" in cells
    assert cells[-3:] == ["4", "1", "0"]  # sent, failed, pending
    assert "/admin/newsletter/sends/" in officer.get("/admin/").content.decode()  # in the menu
    assert officer.get("/admin/newsletter/sends/new/").status_code in (302, 403)


# The delivery ledger


def test_ledger_filters_search_and_csv_export(officer, issue, server):
    subscribe(4, "bn")
    subscribe(3, "en")
    server.refuse["reader1-en@example.org"] = [550]
    send = run(sending.create_send(issue))
    other = Send.objects.create(issue=issue, state=SendState.DONE)  # another send's ledger
    Delivery.objects.create(
        send=other, subscriber=Subscriber.objects.first(), language="bn", status="sent"
    )

    page = soup(officer.get(LEDGER, ledger(send)))
    emails = [a.get_text(strip=True) for a in page.select("table.listing tbody td a")]
    assert len([e for e in emails if e.endswith("@example.org")]) == 7

    failed = officer.get(LEDGER, ledger(send, status="failed")).content.decode()
    assert "reader1-en@example.org" in failed and "reader0-en@example.org" not in failed
    bangla = officer.get(LEDGER, ledger(send, language="bn")).content.decode()
    assert "reader3-bn@example.org" in bangla and "reader0-en@example.org" not in bangla
    found = officer.get(LEDGER, ledger(send, q="reader2-b")).content.decode()
    assert "reader2-bn@example.org" in found and "reader1-bn@example.org" not in found

    response = officer.get(LEDGER, ledger(send, export="csv"))
    assert response.status_code == 200
    assert "newsletter-deliveries.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == [
        "email",
        "language",
        "status",
        "attempts",
        "last_error",
        "message_id",
        "sent_at",
        "audience",
    ]
    assert len(rows) == 7  # only this send's
    assert {row["audience"] for row in rows} == {"every confirmed subscriber"}
    by_email = {row["email"]: row for row in rows}
    bounced = by_email["reader1-en@example.org"]
    assert (bounced["language"], bounced["status"], bounced["attempts"]) == ("en", "failed", "1")
    assert bounced["last_error"].startswith("550") and bounced["message_id"] == ""
    for delivery in Delivery.objects.filter(send=send, status=DeliveryStatus.SENT):
        row = by_email[delivery.subscriber.email]
        assert row["message_id"] == delivery.message_id and row["sent_at"]
        assert (row["language"], row["status"]) == (delivery.language, "sent")


# Who may do what


def test_translators_can_neither_send_nor_watch_nor_control(translator, issue, server):
    subscribe(10, "en")
    bn_issue = issue.get_translation(Locale.objects.get(language_code="bn"))
    edit = translator.get(reverse("wagtailadmin_pages:edit", args=[bn_issue.pk]))
    assert edit.status_code == 200  # they translate the Bangla issue...
    assert "/send/" not in edit.content.decode()  # ...but get no "Send" button

    for page in (issue, bn_issue):
        assert translator.get(confirm_url(page)).status_code in (302, 403)
        assert translator.post(confirm_url(page), {"confirmed": "yes"}).status_code in (302, 403)
    assert not Send.objects.exists()

    send = sending.create_send(issue)
    for url in (
        "/admin/newsletter/sends/",
        send_url(send),
        send_url(send, "progress"),
        send_url(send, "cancel"),
        f"{LEDGER}?send={send.pk}",
        f"{LEDGER}?send={send.pk}&export=csv",
    ):
        assert translator.get(url).status_code in (302, 403), url
    for view in ("pause", "cancel"):
        assert translator.post(send_url(send, view)).status_code in (302, 403)
    send.refresh_from_db()
    assert send.state == SendState.SENDING
    send.pause()
    assert translator.post(send_url(send, "resume")).status_code in (302, 403)
    send.refresh_from_db()
    assert send.state == SendState.PAUSED
    assert "/admin/newsletter/sends/" not in translator.get("/admin/").content.decode()
