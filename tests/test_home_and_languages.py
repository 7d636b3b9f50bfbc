"""Visitors read the home page in English and Bangla, and move between the two."""

import re

import pytest
from bs4 import BeautifulSoup, Comment, Doctype

from website.cache import renew_fragments

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("/en/", "en", "Decent work and a competitive garment industry"),
        ("/bn/", "bn", "শোভন কাজ ও প্রতিযোগিতামূলক পোশাকশিল্প"),
    ],
)
def test_home_page_is_served_in_each_language_with_its_lang(client, demo, path, lang, heading):
    soup = soup_of(client.get(path))
    assert soup.html["lang"] == lang
    assert soup.h1.get_text(strip=True) == heading


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("bn-BD,bn;q=0.9,en;q=0.5", "/bn/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-FR", "/en/"),
        ("", "/en/"),
    ],
)
def test_root_sends_visitors_to_their_browser_language(client, demo, accept_language, expected):
    response = client.get("/", headers={"accept-language": accept_language})
    assert response.status_code == 302
    assert response["Location"] == expected


def test_root_follows_a_remembered_language_choice(client, demo):
    client.post("/i18n/setlang/", {"language": "bn", "next": "/bn/"})
    response = client.get("/", headers={"accept-language": "en"})
    assert response["Location"] == "/bn/"


def switcher_links(soup):
    nav = soup.select_one("nav.language-switcher")
    return {a["hreflang"]: a for a in nav.select("a[hreflang]")}


def test_switcher_links_each_home_page_to_its_translation(client, demo, bn_home):
    en_links = switcher_links(soup_of(client.get("/en/")))
    assert set(en_links) == {"bn"}
    assert en_links["bn"]["href"] == f"{bn_home.url}?language=bn" == "/bn/?language=bn"
    assert en_links["bn"]["data-translation"] == "page"
    assert en_links["bn"]["lang"] == "bn"

    bn_soup = soup_of(client.get("/bn/"))
    assert switcher_links(bn_soup)["en"]["href"] == "/en/?language=en"
    assert bn_soup.select_one(".language-switcher [aria-current]").get_text() == "বাংলা"


def test_switcher_falls_back_to_the_home_page_without_a_translation(client, demo):
    from website.models import HomePage

    page = demo.add_child(
        instance=HomePage(title="Only in English", slug="only-english", hero_heading="Only here")
    )
    page.save_revision().publish()
    link = switcher_links(soup_of(client.get("/en/only-english/")))["bn"]
    assert link["href"] == "/bn/?language=bn"  # the home page, remembering the choice
    assert link["data-translation"] == "home"
    assert link["title"]  # tells the visitor why they land on the home page


def test_bangla_home_shows_bengali_figures_dates_and_footer(client, demo):
    soup = soup_of(client.get("/bn/"))
    values = [v.get_text(strip=True) for v in soup.select(".statistics__value")]
    assert values == ["৪৩৭", "৪৭", "১২.৬ লাখ", "৫০%"]
    assert "৩১ ডিসেম্বর ২০২২" in soup.select_one(".statistics__meta").get_text()
    footer = soup.select_one("footer").get_text(" ", strip=True)
    assert "ঢাকা-১২০৭" in footer
    assert "সুইজারল্যান্ড সরকার" in footer
    assert "আমাদের নিউজলেটার পান" in footer


def test_english_home_keeps_figures_as_written(client, demo):
    soup = soup_of(client.get("/en/"))
    values = [v.get_text(strip=True) for v in soup.select(".statistics__value")]
    assert values == ["437", "47", "1.26 million", "50%"]
    assert "As of 31 December 2022" in soup.select_one(".statistics__meta").get_text(
        " ", strip=True
    )
    footer = soup.select_one("footer").get_text(" ", strip=True)
    assert "Dhaka-1207" in footer
    assert "Government of Switzerland" in footer


def test_no_english_interface_text_leaks_into_the_bangla_page(client, demo):
    soup = soup_of(client.get("/bn/"))
    for tag in soup(["script", "style"]):
        tag.decompose()
    # Text in Latin letters is allowed only where it is marked as another language
    # (e.g. lang="en" on "English" in the switcher) or is an e-mail address / brand name.
    allowed = re.compile(r"^[\w.+-]+@[\w.-]+$|^(Facebook|X|Instagram|YouTube)$")
    leaks = []
    for text in soup.find_all(string=re.compile(r"[A-Za-z]{3,}")):
        if isinstance(text, Doctype | Comment):
            continue
        if text.find_parent(attrs={"lang": "en"}) or allowed.match(text.strip()):
            continue
        leaks.append(text.strip())
    assert leaks == []


def test_skip_link_and_landmarks(client, demo):
    soup = soup_of(client.get("/en/"))
    skip = soup.select_one("a.skip-link")
    assert skip["href"] == "#main"
    assert soup.select_one("main#main") is not None
    assert soup.select_one('meta[name="viewport"]')["content"].startswith("width=device-width")


def test_unknown_page_is_a_404_in_the_visitors_language(client, demo):
    response = client.get("/bn/no-such-page/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.html["lang"] == "bn"
    assert soup.h1.get_text(strip=True) == "পাতাটি পাওয়া যায়নি"


def test_css_has_a_bengali_font_stack(client):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("website/css/site.css")).read_text(encoding="utf-8")
    assert '"Noto Sans Bengali"' in css
    assert "font-family: var(--font)" in css


def test_home_page_queries_do_not_grow_with_the_content(client, demo):
    """One card per home section costs as many queries as three (and 40 more articles)."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from events.models import EventPage
    from stories.models import NewsPage, StoryPage
    from tests.test_events import add_event
    from tests.test_stories import add_articles
    from website.models import HomePage

    def queries():
        renew_fragments()  # the rows changed without a publish
        client.get("/en/")  # warm caches that a real server keeps between requests
        renew_fragments()  # the page rendered, not served from its fragments
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/")
        soup = BeautifulSoup(response.content.decode(), "html.parser")
        return len(captured), len(soup.select("main .card"))

    home = HomePage.objects.get(pk=demo.pk)
    events_index = home.get_children().get(slug="events").specific
    news_index = home.get_children().get(slug="news").specific
    en_news = NewsPage.objects.filter(locale=home.locale).order_by("-date")
    NewsPage.objects.filter(pk__in=list(en_news.values_list("pk", flat=True)[1:])).update(
        live=False
    )
    en_stories = StoryPage.objects.filter(locale=home.locale, featured=True).order_by("-date")
    StoryPage.objects.filter(pk__in=list(en_stories.values_list("pk", flat=True)[1:])).update(
        featured=False
    )
    soon = timezone.now() + datetime.timedelta(days=3)
    add_event(events_index, "Upcoming 0", soon)
    one_each, cards = queries()
    assert cards == 3

    add_articles(news_index, 40, first_day=datetime.date(2024, 1, 1), images=True)
    StoryPage.objects.filter(locale=home.locale).update(featured=True)
    for n in range(1, 20):
        add_event(events_index, f"Upcoming {n}", soon + datetime.timedelta(days=n))
    three_each, cards = queries()
    assert cards == 9
    assert three_each == one_each
    assert EventPage.objects.filter(locale=home.locale).count() > 20
