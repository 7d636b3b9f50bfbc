"""The subscriber admin: listing, counts, search, filters, export, bulk actions, history, adding and
editing with consent rules, and who may see it."""

import csv
import io
import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from newsletter.addresses import suppression_hash
from newsletter.models import Source, Status, Subscriber, SuppressedAddress
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
BASE = "/admin/newsletter/subscribers/"


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def bulk_url(action, *subscribers, query=""):
    ids = "&".join(f"id={s.pk}" for s in subscribers)
    url = reverse("wagtail_bulk_action", args=["newsletter", "subscriber", action])
    return f"{url}?{ids}{query}&next={BASE}"


@pytest.fixture
def officer(client, demo):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def people(demo):
    now = timezone.now()

    def make(email, **fields):
        fields.setdefault("source", Source.FORM)
        fields.setdefault("status", Status.SUBSCRIBED)
        return Subscriber.objects.create(email=email, **fields)

    return {
        "amina": make(
            "amina@example.org",
            name="Amina Khatun",
            language="bn",
            signed_up_at=now - timedelta(days=40),
            confirmed_at=now - timedelta(days=39),
        ),
        "rahim": make("rahim@example.org", name="রহিম উদ্দিন", language="bn", source=Source.IMPORT),
        "pending": make("pending@example.org", language="bn", status=Status.PENDING),
        "john": make("john@example.org", name="John Smith", language="en"),
        "gone": make("gone@example.org", language="en", status=Status.UNSUBSCRIBED),
        "bounced": make("bounced@example.org", language="en", status=Status.BOUNCED),
        "formula": make("formula@example.org", name='=HYPERLINK("http://x")', language="en"),
    }


def listed(response):
    html = response.content.decode()
    return sorted(e for e in Subscriber.objects.values_list("email", flat=True) if e in html)


# Listing


def test_listing_shows_the_columns_and_every_subscriber(officer, people):
    response = officer.get(BASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert listed(response) == sorted(p.email for p in people.values())
    table = BeautifulSoup(html, "html.parser").find("table", class_="listing")
    headings = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")][1:]
    assert headings == ["E-mail", "Name", "Language", "Status", "Source", "Signed up", "Confirmed"]
    rahim = next(tr for tr in table.tbody.find_all("tr") if "rahim@" in tr.get_text())
    cells = [td.get_text(" ", strip=True) for td in rahim.find_all("td")]
    assert cells[2:6] == ["রহিম উদ্দিন", "বাংলা", "subscribed", "import"]
    assert "pending confirmation" in html
    assert "data-bulk-action-checkbox" in html  # officers may act in bulk


def test_counts_per_language_and_status_above_the_listing(officer, people):
    soup = BeautifulSoup(officer.get(BASE).content, "html.parser")
    counts = soup.find(attrs={"data-subscriber-counts": True})

    def shown(language):
        item = counts.find("li", attrs={"data-language": language})
        return item.strong.get_text(), {
            span["data-status"]: span.get_text() for span in item.find_all("span")
        }

    assert shown("bn") == (
        "বাংলা:",
        {"pending": "1 pending confirmation", "subscribed": "2 subscribed"},
    )
    assert shown("en") == (
        "English:",
        {"subscribed": "2 subscribed", "unsubscribed": "1 unsubscribed", "bounced": "1 bounced"},
    )
    Subscriber.objects.filter(language="bn").update(status=Status.UNSUBSCRIBED)
    counts = BeautifulSoup(officer.get(BASE).content, "html.parser").find(
        attrs={"data-subscriber-counts": True}
    )
    assert shown("bn")[1] == {"subscribed": "0 subscribed", "unsubscribed": "3 unsubscribed"}


def test_the_listing_in_a_bangla_admin(officer, people):
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user_model().objects.get(username="officer"))
    profile.preferred_language = "bn"
    profile.save()
    soup = BeautifulSoup(officer.get(BASE).content, "html.parser")
    bangla = soup.find("li", attrs={"data-language": "bn"})
    assert bangla.find("span", attrs={"data-status": "subscribed"}).get_text().startswith("২ ")
    menu = officer.get("/admin/").content.decode()  # the sidebar's JSON escapes non-ASCII
    assert json.dumps("নিউজলেটার")[1:-1] in menu or "নিউজলেটার" in menu


def test_search_on_address_and_name(officer, people):
    assert listed(officer.get(BASE, {"q": "AMINA@"})) == ["amina@example.org"]
    assert listed(officer.get(BASE, {"q": "উদ্দিন"})) == ["rahim@example.org"]
    assert listed(officer.get(BASE + "results/", {"q": "smith"})) == ["john@example.org"]


def test_filters_on_status_language_source_and_dates(officer, people):
    assert listed(officer.get(BASE, {"status": "unsubscribed"})) == ["gone@example.org"]
    assert listed(officer.get(BASE, {"language": "bn"})) == [
        "amina@example.org",
        "pending@example.org",
        "rahim@example.org",
    ]
    assert listed(officer.get(BASE, {"source": "import"})) == ["rahim@example.org"]
    assert listed(officer.get(BASE, {"language": "bn", "status": "pending"})) == [
        "pending@example.org"
    ]
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert listed(officer.get(BASE, {"signed_up_at_to": month_ago})) == ["amina@example.org"]
    assert "amina@example.org" not in listed(officer.get(BASE, {"signed_up_at_from": month_ago}))
    assert listed(officer.get(BASE, {"confirmed_at_to": month_ago})) == ["amina@example.org"]


# Export


def exported_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM, so that Excel shows Bangla names
    content = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_csv_export_of_the_filtered_list(officer, people):
    response = officer.get(BASE, {"export": "csv", "language": "bn"})
    assert response.status_code == 200
    assert "newsletter-subscribers.csv" in response["Content-Disposition"]
    rows = exported_csv(response)
    assert sorted(r["email"] for r in rows) == [
        "amina@example.org",
        "pending@example.org",
        "rahim@example.org",
    ]
    rahim = next(r for r in rows if r["email"] == "rahim@example.org")
    assert rahim["name"] == "রহিম উদ্দিন"
    assert (rahim["language"], rahim["status"], rahim["source"]) == ("bn", "subscribed", "import")
    assert list(rows[0]) == [
        "email",
        "name",
        "language",
        "status",
        "source",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
        "consent_source",
        "consent_at",
        "group",
        "labels",
    ]


def test_csv_export_cannot_smuggle_spreadsheet_formulas(officer, people):
    rows = exported_csv(officer.get(BASE, {"export": "csv", "q": "formula"}))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'


def test_xlsx_export_of_the_filtered_list(officer, people):
    response = officer.get(BASE, {"export": "xlsx", "status": "subscribed", "language": "en"})
    assert response.status_code == 200
    assert "newsletter-subscribers.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("email", "name", "language", "status", "source")
    assert sorted(r[0] for r in rows[1:]) == ["formula@example.org", "john@example.org"]
    john = next(r for r in rows[1:] if r[0] == "john@example.org")
    assert john[1:5] == ("John Smith", "en", "subscribed", "form")
    formula = next(r for r in rows[1:] if r[0] == "formula@example.org")
    assert formula[1] == '=HYPERLINK("http://x")'  # stored as text, not a formula


def test_exported_csv_imports_back_unchanged(officer, people):
    from newsletter.importing import import_subscribers

    rows = exported_csv(officer.get(BASE, {"export": "csv"}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = import_subscribers(io.BytesIO(out.getvalue().encode()), file_name="export.csv")
    assert report.added == report.updated == 0
    assert report.unchanged == 4  # subscribed and pending people; the others are refused
    assert report.skipped_count == 3


# Bulk actions


def test_bulk_unsubscribe(officer, people):
    chosen = [people["amina"], people["pending"], people["bounced"]]
    page = officer.get(bulk_url("unsubscribe", *chosen))
    assert page.status_code == 200
    assert "amina@example.org" in page.content.decode()
    response = officer.post(bulk_url("unsubscribe", *chosen))
    assert response.status_code == 302
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses["amina@example.org"] == statuses["pending@example.org"] == "unsubscribed"
    assert statuses["bounced@example.org"] == "bounced"  # already not sent to: left as it is
    assert statuses["john@example.org"] == "subscribed"
    people["amina"].refresh_from_db()
    assert people["amina"].unsubscribed_at
    entry = ModelLogEntry.objects.for_instance(people["amina"]).get(action="newsletter.unsubscribe")
    assert entry.user.username == "officer" and entry.data["via"] == "admin"


def test_bulk_unsubscribe_of_everyone_the_filtered_listing_shows(officer, people):
    response = officer.post(bulk_url("unsubscribe", query="id=all&language=bn"))
    assert response.status_code == 302
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses["amina@example.org"] == statuses["rahim@example.org"] == "unsubscribed"
    assert statuses["john@example.org"] == "subscribed"


def test_bulk_delete_erases_and_keeps_only_a_suppression_hash(officer, people):
    amina, john = people["amina"], people["john"]
    log(instance=amina, action="newsletter.signup", data={"language": "bn"})
    amina_pk = amina.pk
    page = officer.get(bulk_url("delete", amina, john))
    assert "no import can add them back" in page.content.decode()
    response = officer.post(bulk_url("delete", amina, john))
    assert response.status_code == 302
    assert not Subscriber.objects.filter(pk__in=[amina_pk, john.pk]).exists()
    for address in ["amina@example.org", "john@example.org"]:
        assert SuppressedAddress.objects.filter(email_hash=suppression_hash(address)).exists()
    remaining = ModelLogEntry.objects.filter(
        object_id=str(amina_pk), content_type__model="subscriber"
    )
    assert [e.action for e in remaining] == ["wagtail.delete"]
    assert "amina" not in remaining[0].label and remaining[0].user.username == "officer"
    assert Subscriber.objects.count() == len(people) - 2


def test_single_delete_erases_too(officer, people):
    pending = people["pending"]
    response = officer.post(f"{BASE}delete/{pending.pk}/")
    assert response.status_code == 302
    assert not Subscriber.objects.filter(pk=pending.pk).exists()
    assert SuppressedAddress.is_suppressed("PENDING@example.org")


# History


def test_history_shows_the_subscribers_log_entries(officer, people):
    amina = people["amina"]
    log(instance=amina, action="newsletter.signup", data={"language": "bn"})
    log(instance=amina, action="newsletter.confirm")
    html = officer.get(f"{BASE}history/{amina.pk}/").content.decode()
    assert "Signed up through the form" in html
    assert "Confirmed the subscription" in html
    assert "Unsubscribed" not in html


# Adding


def add(client, **data):
    fields = {
        "email": "",
        "name": "",
        "language": "bn",
        "add_as": "pending",
        "consent_source": "",
        "consent_at": "",
        **data,
    }
    return client.post(f"{BASE}new/", fields)


def test_officer_adds_someone_as_pending_and_a_confirmation_is_sent(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = add(officer, email="New.Person@Example.ORG", name="নতুন")
    assert response.status_code == 302
    new = Subscriber.objects.get()
    assert (new.email, new.status, new.source) == ("New.Person@example.org", "pending", "admin")
    assert new.confirmation_sent_at and not new.consent_at
    assert "Farzana Ahmed" in new.consent_source  # the demo officer
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Person@example.org"]
    assert "/bn/newsletter/confirm/" in message.body
    actions = set(ModelLogEntry.objects.for_instance(new).values_list("action", flat=True))
    assert actions == {"newsletter.admin_add", "newsletter.confirmation_sent"}


def test_subscribing_someone_directly_needs_where_they_agreed(officer, demo):
    response = add(officer, email="sheet@example.org", add_as="subscribed")
    assert response.status_code == 200
    assert "Record where the person agreed" in response.content.decode()
    assert not Subscriber.objects.exists()

    response = add(
        officer,
        email="sheet@example.org",
        add_as="subscribed",
        consent_source="Sign-up sheet, buyers' forum, Dhaka",
    )
    assert response.status_code == 302
    new = Subscriber.objects.get()
    assert (new.status, new.source) == ("subscribed", "admin")
    assert new.consent_source == "Sign-up sheet, buyers' forum, Dhaka"
    assert new.consent_at and new.confirmed_at and "Farzana Ahmed" in new.consent_text
    assert mail.outbox == []


def test_adding_an_address_already_on_the_list_or_erased(officer, people):
    response = add(officer, email="AMINA@example.org")
    assert "already on the list" in response.content.decode()
    Subscriber.objects.create(email="erased@example.org", source="form").erase()
    response = add(officer, email="erased@example.org", add_as="subscribed", consent_source="x")
    assert "This address was erased at the person" in response.content.decode()
    assert not Subscriber.objects.filter(email="erased@example.org").exists()


# Editing


def test_edit_offers_only_sensible_status_changes(officer, people):
    html = officer.get(f"{BASE}edit/{people['john'].pk}/").content.decode()
    assert 'value="bounced"' in html and 'value="complained"' in html
    assert 'value="pending"' not in html
    html = officer.get(f"{BASE}edit/{people['pending'].pk}/").content.decode()
    assert 'value="bounced"' not in html


def edit(client, subscriber, **data):
    fields = {
        "name": subscriber.name,
        "language": subscriber.language,
        "status": subscriber.status,
        **data,
    }
    return client.post(f"{BASE}edit/{subscriber.pk}/", fields)


def test_marking_bounced_and_changing_language_are_logged(officer, people):
    john = people["john"]
    assert edit(officer, john, status="bounced", language="bn").status_code == 302
    john.refresh_from_db()
    assert (john.status, john.language) == ("bounced", "bn")
    actions = list(ModelLogEntry.objects.for_instance(john).values_list("action", flat=True))
    assert sorted(actions) == ["newsletter.bounce", "newsletter.language"]


def test_nobody_becomes_subscribed_without_a_new_consent_record(officer, people):
    gone = people["gone"]
    response = edit(officer, gone, status="subscribed")
    assert response.status_code == 200
    gone.refresh_from_db()
    assert gone.status == "unsubscribed"
    response = edit(officer, gone, status="subscribed", new_consent_source="E-mail of 3 March")
    assert response.status_code == 302
    gone.refresh_from_db()
    assert (gone.status, gone.consent_source) == ("subscribed", "E-mail of 3 March")
    assert gone.unsubscribed_at is None and gone.confirmed_at
    entry = ModelLogEntry.objects.for_instance(gone).get(action="newsletter.confirm")
    assert entry.data["consent_source"] == "E-mail of 3 March"


def test_a_pending_status_cannot_be_posted_onto_a_subscribed_person(officer, people):
    response = edit(officer, people["john"], status="pending")
    assert response.status_code == 200
    people["john"].refresh_from_db()
    assert people["john"].status == "subscribed"


# Who may see it


def test_officers_see_the_newsletter_menu(officer, people):
    html = officer.get("/admin/").content.decode()
    assert "Newsletter" in html and BASE in html


def test_translators_cannot_see_subscribers(client, people):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    assert BASE not in client.get("/admin/").content.decode()
    for url in [
        BASE,
        f"{BASE}?export=csv",
        f"{BASE}edit/{people['amina'].pk}/",
        f"{BASE}history/{people['amina'].pk}/",
        f"{BASE}new/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"amina@example.org" not in response.content
    response = client.post(bulk_url("delete", people["amina"]))
    assert response.status_code in (302, 403)
    assert Subscriber.objects.filter(pk=people["amina"].pk).exists()
