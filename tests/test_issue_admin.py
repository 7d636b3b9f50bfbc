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


# "Send test": readable, honest about what it did not send, and no mail relay


def trial_url(page):
    return reverse("newsletter_issue_test", args=[page.pk])


def subjects(server):
    return sorted(str(message["Subject"]) for _rcpt, message in server.received)


def allow_test_domains(domains):
    from wagtail.models import Site

    from newsletter.models import NewsletterSettings

    NewsletterSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"test_domains": domains}
    )


def untranslated_issue():
    archive = NewsletterArchivePage.objects.get(locale=Locale.get_default())
    page = archive.add_child(
        instance=NewsletterIssuePage(title="January 2027", slug="january-2027", subject="Jan 2027")
    )
    page.save_revision().publish()
    return page


def test_the_send_test_button_draws_its_icon_small_beside_its_label(officer, issue):
    button = soup(officer.get(trial_url(issue))).select_one("[data-send-test]")
    assert "Send test" in button.get_text()
    assert "button--icon" in button["class"] and button.select_one(".icon-wrapper svg")


def test_both_editions_of_an_untranslated_issue_says_bangla_was_not_sent(officer, server):
    page = untranslated_issue()
    response = officer.post(
        trial_url(page), {"addresses": "officer@example.org", "editions": "all"}, follow=True
    )
    shown = [str(message).strip() for message in response.context["messages"]]
    assert "1 test message sent (English)." in shown
    assert "Bangla edition not sent: the issue is not translated yet." in shown
    assert subjects(server) == ["[TEST] Jan 2027"]


def test_tests_go_only_to_admin_users_or_allowed_domains(officer, issue, server):
    stranger = {"addresses": "officer@example.org, someone@elsewhere.example", "editions": "en"}
    response = officer.post(trial_url(issue), stranger)
    assert response.status_code == 200
    assert "Not allowed: someone@elsewhere.example" in response.content.decode()
    assert server.received == []

    allow_test_domains("ilo.example, @Elsewhere.example")
    assert officer.post(trial_url(issue), stranger).status_code == 302
    assert sorted(rcpt for rcpt, _m in server.received) == [
        "officer@example.org",
        "someone@elsewhere.example",
    ]


def test_a_translator_can_test_only_the_bangla_edition(client, issue, server):
    """The translator's admin is in Bangla: the messages are read in Bangla."""
    with translation.override("bn"):
        refusal = "%(language)s edition not sent: only those who may edit it can test it."
        not_sent = translation.gettext(refusal) % {"language": translation.gettext("English")}
        not_sent_both = translation.gettext(refusal) % {
            "language": translation.gettext("Bangla and English")
        }
        sent = translation.ngettext(
            "%(count)s test message sent (%(editions)s).",
            "%(count)s test messages sent (%(editions)s).",
            1,
        ) % {"count": "১", "editions": translation.gettext("Bangla")}
    assert client.login(username="translator", password=DEMO_PASSWORD)
    bn = issue.get_translation(Locale.objects.get(language_code="bn"))
    assert client.get(trial_url(issue)).status_code in (302, 403)  # the English issue: refused
    refused = client.post(trial_url(bn), {"addresses": "translator@example.org", "editions": "en"})
    assert not_sent in refused.content.decode()
    assert server.received == []

    response = client.post(
        trial_url(bn), {"addresses": "translator@example.org", "editions": "all"}, follow=True
    )
    shown = [str(message).strip() for message in response.context["messages"]]
    assert sent in shown
    assert not_sent in shown
    assert subjects(server) == [f"[TEST] {bn.subject}"]
    both = client.post(trial_url(bn), {"addresses": "translator@example.org", "editions": "both"})
    assert not_sent_both in both.content.decode()
    assert len(server.received) == 1


def test_each_user_has_a_daily_limit_of_test_messages(officer, issue, server, settings):
    settings.NEWSLETTER_TEST_DAILY_LIMIT = 3
    data = {"addresses": "officer@example.org", "editions": "all"}
    assert officer.post(trial_url(issue), data).status_code == 302  # 2 messages
    page = soup(officer.get(trial_url(issue)))
    assert "1 left for you now" in page.select_one("[data-test-limit]").get_text()
    refused = officer.post(trial_url(issue), data)
    assert "would send 2 messages, and you have sent 2 of your 3" in refused.content.decode()
    assert len(server.received) == 2
    assert officer.post(trial_url(issue), {**data, "editions": "en"}).status_code == 302
    assert len(server.received) == 3


# Page choosers of issue items: the English tree only


ITEM_TYPES = "stories.newspage,stories.storypage,events.eventpage"


def test_item_choosers_list_only_english_pages(officer, demo):
    from wagtail.search import index

    from stories.models import NewsIndexPage, NewsPage

    news = NewsIndexPage.objects.get(locale=Locale.get_default())
    article = news.add_child(instance=NewsPage(title="Wage digitalisation pilot", summary="."))
    article.save_revision().publish()
    copy = article.copy_for_translation(Locale.objects.get(language_code="bn"))  # English title
    copy.save_revision().publish()
    for page in (article, copy):
        index.insert_or_update_object(page)

    search = officer.get(
        "/admin/choose-page/search/", {"q": "digitalisation", "page_type": ITEM_TYPES}
    )
    assert search.status_code == 200
    page = BeautifulSoup(search.content.decode(), "html.parser")
    rows = page.select("tbody tr")
    assert len(rows) == 1 and "English" in rows[0].get_text()  # not the Bangla copy

    browse = BeautifulSoup(
        officer.get("/admin/choose-page/", {"page_type": ITEM_TYPES}).json()["html"], "html.parser"
    )
    homes = [row.get_text(" ", strip=True) for row in browse.select("tbody tr")[1:]]
    assert len(homes) == 1 and "English" in homes[0]

    # other choosers (links, the home page's features) still offer both languages
    anything = BeautifulSoup(officer.get("/admin/choose-page/").json()["html"], "html.parser")
    assert len(anything.select("tbody tr")[1:]) == 2


def test_a_test_goes_in_the_editions_a_segments_first_recipients_read(officer, issue, server):
    from newsletter.models import Segment, Subscriber

    for subscriber in subscribe(3, "bn"):
        subscriber.group = "union"
        subscriber.save()
    subscribe(4, "en")  # not in the segment
    unions = Segment.objects.create(name="Trade unions", rules={"groups": ["union"]})
    data = {"addresses": "officer@example.org", "editions": "all", "segment": unions.pk}
    assert officer.post(trial_url(issue), data).status_code == 302
    bangla = issue.get_translation(Locale.objects.get(language_code="bn"))
    assert subjects(server) == [f"[TEST] {bangla.subject}"]  # the Bangla edition only

    Subscriber.objects.filter(group="union").update(group="media")
    refused = officer.post(trial_url(issue), data)
    assert refused.status_code == 200
    assert "This segment matches nobody" in refused.content.decode()
    assert len(server.received) == 1
