"""Newsletter → Issues: where officers look for issues, as in Mailchimp's Campaigns. One row per
issue with its date, each language's state and the last send with its figures; "Add issue"
creates it under the archive of the source language."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from newsletter import sending
from newsletter.models import NewsletterArchivePage, NewsletterIssuePage
from tests import test_sending
from tests.conftest import DEMO_PASSWORD
from tests.test_sending import run, subscribe

pytestmark = pytest.mark.django_db
ISSUES = "/admin/newsletter/issues/"

server = test_sending.server
issue = test_sending.issue


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer(client, demo):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_the_newsletter_menu_starts_with_issues_then_sends_and_subscribers(officer):
    dashboard = officer.get("/admin/").content.decode()
    positions = [
        dashboard.index(f'"url": "/admin/newsletter/{name}/"')
        for name in ("issues", "sends", "subscribers")
    ]
    assert positions == sorted(positions)


def test_issues_are_listed_once_with_each_language_and_the_last_send(officer, issue, server):
    bn = issue.get_translation(Locale.objects.get(language_code="bn"))
    page = soup(officer.get(ISSUES))
    rows = page.select("tbody tr")
    assert len(rows) == NewsletterIssuePage.objects.filter(locale=Locale.get_default()).count()
    row = rows[0]
    assert issue.title in row.get_text() and bn.title not in page.get_text()  # English rows only
    assert f"{issue.issue_date.day} {issue.issue_date:%B %Y}" in row.get_text()  # not "3 years ago"
    states = {
        li["data-language"]: li.get_text(" ", strip=True)
        for li in row.select("[data-issue-languages] li")
    }
    assert states == {"en": "English: live", "bn": "Bangla: live"}
    assert "Not sent yet" in row.select_one("[data-issue-last-send]").get_text()
    send_link = row.select_one("[data-send-link]")["href"]
    assert send_link == reverse("newsletter_issue_send", args=[issue.pk])

    subscribe(2, "en")
    subscribe(1, "bn")
    run(sending.create_send(issue))
    bn.save_revision()  # a draft change in Bangla
    row = soup(officer.get(ISSUES)).select_one("tbody tr")
    last = row.select_one("[data-issue-last-send]")
    assert "Done" in last.get_text() and last.select_one("[data-figures]").get_text() == (
        "3 sent · 0 failed"
    )
    assert row.select_one("[data-language=bn]")["data-status"] == "changed"


def test_add_issue_creates_it_under_the_english_archive(officer):
    archive = NewsletterArchivePage.objects.get(locale=Locale.get_default())
    page = soup(officer.get(ISSUES))
    [add] = [link for link in page.find_all("a") if "Add issue" in link.get_text()]
    assert add["href"] == reverse(
        "wagtailadmin_pages:add", args=["newsletter", "newsletterissuepage", archive.pk]
    )
    form = officer.get(add["href"])
    assert form.status_code == 200


def test_translators_get_no_add_button_for_english_issues(client, demo):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    page = soup(client.get(ISSUES))
    assert "Add issue" not in page.get_text()  # they neither add nor send English issues
    assert page.select_one("[data-send-link]") is None
