"""What a visitor meets on both sites (issue 22): subscription pages, HEAD, feeds, the language
switcher on views that are not pages, calendars, image credits and the readable data download."""

import html
import re
from collections import Counter

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from newsletter.models import Status, Subscriber
from newsletter.tokens import confirmation_token, link_token
from stories.models import NewsPage
from website.models import CustomImage

pytestmark = pytest.mark.django_db
BASE = "https://betterwork.example.org"
FORUM = "/events/business-forum-2022/"
STRATEGY = "/news/strategy-2022-2027-launched/"


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def duplicate_ids(soup):
    counts = Counter(tag["id"] for tag in soup.find_all(id=True))
    return sorted(name for name, count in counts.items() if count > 1)


def english_words(element):
    """Latin words in `element` outside passages marked `lang="en"`."""
    words = []
    for text in element.find_all(string=re.compile(r"[A-Za-z]{2,}")):
        if text.find_parent(attrs={"lang": "en"}) or text.find_parent(["script", "style"]):
            continue
        words += re.findall(r"[A-Za-z]{2,}", re.sub(r"\S+@example\.org", "", text))
    return words


@pytest.fixture
def subscriber():
    return Subscriber.objects.create(
        email="sabina@example.org", source="form", language="bn", status=Status.SUBSCRIBED
    )


# Subscription pages: no second sign-up form, unique ids


def subscription_pages(client, subscriber):
    """(name, response) of every page a subscriber's link or a sign-up leads to."""
    token = link_token(subscriber)
    pending = Subscriber.objects.create(email="new@example.org", source="form", language="bn")
    confirm = f"/bn/newsletter/confirm/{confirmation_token(pending)}/"
    yield "subscribe", client.get("/bn/newsletter/subscribe/")
    yield "subscribe (errors)", client.post("/bn/newsletter/subscribe/", {"email": "x"})
    yield "check inbox", client.get("/bn/newsletter/check-your-inbox/")
    yield "confirm", client.get(confirm)
    yield "confirmed", client.post(confirm)
    yield "preferences", client.get(f"/bn/newsletter/preferences/{token}/")
    yield "my data", client.get(f"/bn/newsletter/preferences/{token}/data/")
    yield "unsubscribe", client.get(f"/bn/newsletter/unsubscribe/{token}/")
    yield "unsubscribed", client.post(f"/bn/newsletter/unsubscribe/{token}/")
    yield "link problem", client.get("/bn/newsletter/preferences/nonsense/")
    yield (
        "erased",
        client.post(f"/bn/newsletter/preferences/{token}/", {"action": "erase", "confirm": "on"}),
    )


def test_subscription_pages_have_no_footer_sign_up_form_and_unique_ids(client, demo, subscriber):
    seen = []
    for name, response in subscription_pages(client, subscriber):
        assert response.status_code in (200, 400), name
        soup = soup_of(response)
        assert soup.html["lang"] == "bn", name
        assert soup.select(".site-footer .signup-form") == [], name
        assert soup.select(".site-footer") != [], name  # the rest of the footer stays
        assert duplicate_ids(soup) == [], name
        assert english_words(soup.main) == [], name
        seen.append(name)
    assert len(seen) == 11
    # the page's own sign-up form stays where it is the point of the page
    page = soup_of(client.get("/bn/newsletter/subscribe/"))
    assert len(page.select("main .signup-form")) == 1


def test_every_sign_up_form_on_a_page_has_its_own_ids(client, demo):
    """The footer's form beside a sign-up block in an article: each with its own radio ids."""
    page = NewsPage.objects.get(url_path__endswith=STRATEGY, locale__language_code="en")
    page.body.append(("newsletter_signup", {"heading": "Sign up", "text": ""}))
    page.save_revision().publish()
    soup = soup_of(client.get(f"/en{STRATEGY}"))
    assert len(soup.select(".signup-form")) == 2
    assert duplicate_ids(soup) == []
    for radio in soup.select('.signup-form input[name="language"]'):
        assert soup.select_one(f'label:has(> input[id="{radio["id"]}"])') is not None


# HEAD wherever GET


def test_head_is_answered_wherever_get_is(client, demo, subscriber):
    token = link_token(subscriber)
    paths = [
        "/bn/newsletter/check-your-inbox/",
        f"/bn/newsletter/preferences/{token}/data/",
        "/en/news/feed/rss/",
        "/bn/stories/feed/atom/",
        "/en/newsletter/feed/rss/",
        "/bn/newsletter/feed/atom/",
        "/bn/events/ical/",
        f"/bn{FORUM}",
        "/sitemap.xml",
        "/o/nonsense.gif",
    ]
    for path in paths:
        page, head = client.get(path), client.head(path)
        assert page.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b"", path


# Feeds: plain text marked as text


def test_feeds_mark_plain_summaries_as_text(client, demo):
    page = NewsPage.objects.get(url_path__endswith=STRATEGY, locale__language_code="en")
    page.summary = "Wages & <b>bonuses</b> rose by 5% <script>x</script>"
    page.save_revision().publish()

    atom = client.get("/en/news/feed/atom/").content.decode()
    assert '<summary type="text">Wages &amp; &lt;b&gt;bonuses&lt;/b&gt;' in atom
    entry = next(e for e in feedparser.parse(atom).entries if e.link.endswith(STRATEGY))
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == page.summary

    rss = client.get("/en/news/feed/rss/").content.decode()
    # RSS descriptions are HTML: the text is escaped as HTML, then as XML
    assert "<description>Wages &amp;amp; &amp;lt;b&amp;gt;bonuses" in rss
    entry = next(e for e in feedparser.parse(rss).entries if e.link.endswith(STRATEGY))
    assert html.unescape(entry.summary) == page.summary


# The newsletter archive's feeds


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("language", ["en", "bn"])
def test_newsletter_archive_has_feeds_in_each_language(client, demo, kind, language):
    from newsletter.models import NewsletterIssuePage

    response = client.get(f"/{language}/newsletter/feed/{kind}/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    issues = NewsletterIssuePage.objects.live().filter(locale__language_code=language)
    assert len(feed.entries) == issues.count() > 0
    assert feed.feed.link == f"{BASE}/{language}/newsletter/"
    newest = issues.order_by("-issue_date").first()
    entry = feed.entries[0]
    assert entry.title == newest.title
    assert entry.link == f"{BASE}{newest.url}"
    assert entry.summary == newest.preheader
    assert entry.published_parsed.tm_year == newest.issue_date.year
    if language == "bn":
        assert re.search("[\u0980-\u09ff]", feed.feed.title)
    archive = soup_of(client.get(f"/{language}/newsletter/"))
    rss = archive.select_one('link[rel="alternate"][type="application/rss+xml"]')
    atom = archive.select_one('link[rel="alternate"][type="application/atom+xml"]')
    assert rss["href"] == f"{BASE}/{language}/newsletter/feed/rss/"
    assert atom["href"] == f"{BASE}/{language}/newsletter/feed/atom/"
    assert archive.select_one(f'main a[href="{BASE}/{language}/newsletter/feed/rss/"]')


# The language switcher on views that are not pages


def switcher_link(soup, language):
    return soup.select_one(f'nav.language-switcher a[hreflang="{language}"]')["href"]


def test_switcher_keeps_the_view_and_the_query_on_search_and_subscribe(client, demo):
    soup = soup_of(client.get("/bn/search/", {"q": "শ্রমিক", "page": "2"}))
    link = switcher_link(soup, "en")
    assert link.startswith("/en/search/?")
    assert "q=%E0%A6%B6%E0%A7%8D%E0%A6%B0%E0%A6%AE%E0%A6%BF%E0%A6%95" in link
    assert "page=2" in link and "language=en" in link
    follow = client.get(link, follow=True)
    assert follow.redirect_chain[-1][0].startswith("/en/search/?q=")
    assert soup_of(follow).html["lang"] == "en"

    for path in ["/newsletter/subscribe/", "/newsletter/check-your-inbox/"]:
        soup = soup_of(client.get(f"/en{path}"))
        assert switcher_link(soup, "bn") == f"/bn{path}?language=bn"


def test_switcher_on_subscriber_pages_switches_their_language(client, demo, subscriber):
    token = link_token(subscriber)
    soup = soup_of(client.get(f"/bn/newsletter/preferences/{token}/"))
    link = switcher_link(soup, "en")
    assert link == f"/en/newsletter/preferences/{token}/?language=en"
    page = client.get(link, follow=True)
    assert page.redirect_chain == [(f"/en/newsletter/preferences/{token}/", 302)]
    assert soup_of(page).html["lang"] == "en"
    assert soup_of(page).h1.get_text() == "Newsletter preferences"
    # a link from an old e-mail in another language still opens in the subscriber's language
    assert Client().get(f"/en/newsletter/preferences/{token}/").status_code == 302


# Calendars


def test_events_page_offers_a_calendar_subscription_per_language(client, demo):
    for language in ["en", "bn"]:
        soup = soup_of(client.get(f"/{language}/events/"))
        subscribe = soup.select_one(".events__subscribe a[href^='webcal://']")
        assert subscribe["href"] == f"webcal://betterwork.example.org/{language}/events/ical/"
        address = soup.select_one(".events__subscribe input[readonly]")
        assert address["value"] == f"{BASE}/{language}/events/ical/"
        label = soup.select_one(f'label[for="{address["id"]}"]')
        assert label is not None and label.get_text(strip=True)
    assert "ক্যালেন্ডার" in soup.select_one(".events__subscribe").get_text()


def test_event_page_shows_start_and_end_times_in_dhaka_time(client, demo):
    """The Business Forum runs from 9:30 on 2 November to 17:00 on 3 November (Dhaka)."""
    times = soup_of(client.get(f"/en{FORUM}")).select_one(".event__facts .event__times")
    lines = [" ".join(li.get_text().split()) for li in times.select("li")]
    assert lines == ["Starts 2 November 2022, 9:30 AM", "Ends 3 November 2022, 5:00 PM"]
    moments = [t["datetime"] for t in times.select("time")]
    assert moments == ["2022-11-02T09:30:00+06:00", "2022-11-03T17:00:00+06:00"]
    times = soup_of(client.get(f"/bn{FORUM}")).select_one(".event__facts .event__times")
    lines = [" ".join(li.get_text().split()) for li in times.select("li")]
    assert lines == ["শুরু ২ নভেম্বর ২০২২, সকাল ৯:৩০", "শেষ ৩ নভেম্বর ২০২২, বিকাল ৫:০০"]


# Image credits


def test_hero_image_credit_is_translated_with_the_page(client, demo):
    en = soup_of(client.get(f"/en{STRATEGY}")).select_one(".article-hero .credit")
    bn = soup_of(client.get(f"/bn{STRATEGY}")).select_one(".article-hero .credit")
    assert en.get_text() == "© ILO"
    assert bn.get_text() == "© আইএলও"
    event = soup_of(client.get(f"/bn{FORUM}")).select_one(".event__hero .credit")
    assert event.get_text() == "© আইএলও"
    body_credits = soup_of(client.get("/bn/stories/mothers-at-work/")).select(".page-body .credit")
    assert body_credits and {c.get_text() for c in body_credits} == {"© আইএলও"}


def test_the_image_credit_is_the_fallback_when_the_page_gives_none(client, demo):
    page = NewsPage.objects.get(url_path__endswith=STRATEGY, locale__language_code="en")
    page.hero_image_credit = ""
    page.save_revision().publish()
    image = CustomImage.objects.get(pk=page.hero_image_id)
    credit = soup_of(client.get(f"/en{STRATEGY}")).select_one(".article-hero .credit")
    assert credit.get_text() == image.credit


# "Download my data" as a page


def test_my_data_is_a_readable_page_in_the_subscribers_language(client, demo, subscriber):
    from website.models import Topic

    subscriber.group = "factory"
    subscriber.save()
    subscriber.topics.set(Topic.objects.filter(locale__language_code="en")[:1])
    token = link_token(subscriber)
    preferences = soup_of(client.get(f"/bn/newsletter/preferences/{token}/"))
    link = preferences.select_one(f'a[href="/bn/newsletter/preferences/{token}/data/"]')
    assert link is not None

    response = client.get(f"/en/newsletter/preferences/{token}/data/")
    assert response.status_code == 302  # in the subscriber's language
    response = client.get(f"/bn/newsletter/preferences/{token}/data/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    soup = soup_of(response)
    assert soup.html["lang"] == "bn"
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    main = soup.main.get_text(" ")
    assert "sabina@example.org" in main
    assert "কারখানা" in main  # the stakeholder group, in Bangla
    assert not re.search(r"[0-9]", main.replace("sabina@example.org", ""))
    # the JSON download beside it
    form = soup.select_one('main form[method="post"]')
    assert form.select_one('input[name="action"]')["value"] == "download"
    data = client.post(f"/bn/newsletter/preferences/{token}/", {"action": "download"})
    assert data.json()["email"] == "sabina@example.org"
    for key in ["deliveries", "clicks", "stakeholder_group", "topics", "labels"]:
        assert key in data.json()


def test_my_data_of_a_bad_link_is_the_link_problem_page(client, demo):
    response = client.get("/bn/newsletter/preferences/nonsense/data/")
    assert response.status_code == 400


# Bengali digits everywhere on /bn/


def bangla_paths(client):
    """Every /bn/ page of the sitemap, a later listing page, search results and the newsletter's
    pages that are not in the sitemap."""
    from defusedxml import ElementTree as ET

    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    paths = [loc.removeprefix(BASE) for loc in locs if loc.startswith(f"{BASE}/bn/")]
    return [
        *paths,
        "/bn/news/?page=2",
        "/bn/search/?q=শ্রমিক",
        "/bn/search/?q=শ্রমিক&page=2",
        "/bn/newsletter/subscribe/",
        "/bn/newsletter/check-your-inbox/",
        "/bn/no-such-page/",
    ]


def test_bangla_pages_show_no_latin_digits(client, demo, subscriber):
    token = link_token(subscriber)
    paths = [
        *bangla_paths(client),
        f"/bn/newsletter/preferences/{token}/",
        f"/bn/newsletter/preferences/{token}/data/",
    ]
    assert len(paths) >= 25
    leaks = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        main = soup_of(response).main
        for tag in main(["script", "style"]):
            tag.decompose()
        found = [
            text.strip()
            for text in main.find_all(string=re.compile("[0-9]"))
            if not text.find_parent(attrs={"lang": "en"})
            and not re.fullmatch(r"\S+@example\.org", text.strip())
        ]
        if found:
            leaks[path] = found
    assert leaks == {}
