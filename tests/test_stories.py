"""News and stories: pages in both languages, listings and their filters, feeds, admin, demo."""

import datetime
import re
import time
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from stories.feeds import publication_datetime
from stories.listing import ListingFilters, parse_year
from stories.models import (
    NewsIndexPage,
    NewsPage,
    NewsPageTopic,
    StoriesIndexPage,
    StoryPage,
    localize_topics,
)
from tests.conftest import DEMO_PASSWORD, SESSION
from website.cache import renew_fragments
from website.models import CustomImage, HomePage, Topic

pytestmark = pytest.mark.django_db

BASE = "https://betterwork.example.org"  # WAGTAILADMIN_BASE_URL in the test settings
STRATEGY = "/news/strategy-2022-2027-launched/"
SIXTEEN_DAYS = "/stories/sixteen-days-of-activism-apex-holding/"
YEAR_2022 = "/news/better-work-in-2022/"


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def card_titles(soup):
    return [a.get_text(strip=True) for a in soup.select(".article-card__title a")]


@pytest.fixture
def bn():
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def news_index(demo):
    return NewsIndexPage.objects.get(locale=demo.locale)


@pytest.fixture
def empty_index(demo):
    """A news index of its own, so tests decide exactly which articles it lists."""
    index = NewsIndexPage(title="Test news", slug="test-news")
    demo.add_child(instance=index)
    return index


def add_articles(index, count, *, first_day=datetime.date(2020, 1, 1), images=False, topic=None):
    """`count` live articles, one a day from `first_day`, optionally with images and a topic."""
    pages = []
    for number in range(count):
        image = None
        if images:
            image = CustomImage.objects.create(
                title=f"Test image {number}",
                file=get_test_image_file(f"test-{number}.png", size=(96, 54)),
                credit="© ILO",
            )
        page = NewsPage(
            title=f"Article {number}",
            slug=f"article-{number}",
            summary=f"Summary of article {number}.",
            date=first_day + datetime.timedelta(days=number),
            hero_image=image,
            topics=[NewsPageTopic(topic=topic)] if topic else [],
        )
        index.add_child(instance=page)
        pages.append(page)
    return pages


# Pages in both languages


@pytest.mark.parametrize(
    ("path", "lang", "heading", "text"),
    [
        ("/en/news/", "en", "News", "3 November 2022"),
        ("/bn/news/", "bn", "খবর", "৩ নভেম্বর ২০২২"),
        ("/en/stories/", "en", "Stories", "10 December 2022"),
        ("/bn/stories/", "bn", "গল্প", "১০ ডিসেম্বর ২০২২"),
        (
            f"/en{STRATEGY}",
            "en",
            "Strategy 2022–2027 launched at the Business Forum in Dhaka",
            "3 November 2022",
        ),
        (f"/bn{STRATEGY}", "bn", "ঢাকায় বিজনেস ফোরামে কৌশলপত্র ২০২২–২০২৭ উন্মোচন", "৩ নভেম্বর ২০২২"),
        (
            f"/en{SIXTEEN_DAYS}",
            "en",
            "Speaking up against harassment: 16 Days of Activism at Apex Holding",
            "10 December 2022",
        ),
        (
            f"/bn{SIXTEEN_DAYS}",
            "bn",
            "হয়রানির বিরুদ্ধে সোচ্চার: অ্যাপেক্স হোল্ডিংয়ে ১৬ দিনের প্রচারাভিযান",
            "১০ ডিসেম্বর ২০২২",
        ),
    ],
)
def test_every_page_type_is_served_in_both_languages(client, demo, path, lang, heading, text):
    soup = soup_of(client.get(path))
    assert soup.html["lang"] == lang
    assert soup.h1.get_text(strip=True) == heading
    assert text in soup.main.get_text(" ", strip=True)
    assert soup.select_one('link[rel="stylesheet"][href$="stories/stories.css"]')


def test_bangla_article_shows_bengali_date_topics_and_figures(client, demo):
    soup = soup_of(client.get(f"/bn{YEAR_2022}"))
    date = soup.select_one(".article-header__date time")
    assert date.get_text(strip=True) == "২০ ডিসেম্বর ২০২২"
    assert date["datetime"] == "2022-12-20"
    topics = {
        a.get_text(strip=True): a["href"] for a in soup.select(".article-header .topic-list a")
    }
    assert topics == {
        "দক্ষতা ও প্রশিক্ষণ": "/bn/news/?topic=skills-and-training",
        "তথ্য ও স্বচ্ছতা": "/bn/news/?topic=data-and-transparency",
    }
    values = [v.get_text(strip=True) for v in soup.select(".page-body .statistics__value")]
    assert values[:5] == ["২৬০", "১,৯১৬", "১৯৯", "৫,৯১১", "৫৫%"]
    assert "১২.৬ লাখ" in values


def test_bangla_story_shows_its_subject_hero_and_links_in_bangla(client, demo):
    soup = soup_of(client.get(f"/bn{SIXTEEN_DAYS}"))
    subject = soup.select_one(".article-subject")
    assert subject.select_one(".article-subject__name").get_text(strip=True) == "সাবিনা আক্তার"
    assert "অ্যাপেক্স হোল্ডিং লিমিটেড" in subject.get_text()
    hero = soup.select_one(".article-hero img")
    assert hero["alt"] == "চিত্রণ: একটি কারখানার সামনে জড়ো হওয়া শ্রমিকেরা"
    assert hero["sizes"] == "(min-width: 50rem) 46rem, 100vw"
    assert len(hero["srcset"].split(",")) == 3
    assert (
        soup.select_one(".article-hero .credit").get_text(strip=True) == "© আইএলও"
    )  # translated with the page (issue 22)
    # the call to action and the related page point at the Bangla translation
    assert soup.select_one(".call-to-action a")["href"] == "/bn/stories/mothers-at-work/"
    related = soup.select_one(".related-pages a")
    assert related["href"] == "/bn/stories/mothers-at-work/"
    assert not related.has_attr("lang")
    assert soup.select_one(".article-header__section a")["href"] == "/bn/stories/"
    quote = soup.select_one(".block-quote")
    assert "সাহায্যের জন্য" in quote.get_text() and "সাবিনা আক্তার" in quote.get_text()


def test_story_body_image_keeps_its_translated_alt_text(client, demo):
    alts = [
        img["alt"] for img in soup_of(client.get(f"/bn{SIXTEEN_DAYS}")).select(".block-image img")
    ]
    assert alts == ["চিত্রণ: কারখানা ভবনের বাইরে জড়ো হওয়া শ্রমিকেরা"]
    alts = [
        img["alt"] for img in soup_of(client.get(f"/en{SIXTEEN_DAYS}")).select(".block-image img")
    ]
    assert alts == ["Illustration: workers gathered outside factory buildings"]


def test_related_pages_show_only_live_ones_and_fall_back_to_the_source(client, demo, bn):
    strategy = NewsPage.objects.get(locale=demo.locale, slug="strategy-2022-2027-launched")
    data_story = StoryPage.objects.get(locale=demo.locale, slug="trade-unions-empowered-with-data")
    links = soup_of(client.get(f"/bn{STRATEGY}")).select(".related-pages a")
    assert [a["href"] for a in links] == [
        "/bn/stories/trade-unions-empowered-with-data/",
        "/bn/stories/amfori-master-trainers/",
    ]
    # Without a live Bangla translation, the English page is linked and marked as English.
    data_story.get_translation(bn).unpublish()
    links = soup_of(client.get(f"/bn{STRATEGY}")).select(".related-pages a")
    assert links[0]["href"] == "/en/stories/trade-unions-empowered-with-data/"
    assert links[0]["lang"] == links[0]["hreflang"] == "en"
    # An unpublished page is not linked at all.
    data_story.unpublish()
    links = soup_of(client.get(f"/bn{STRATEGY}")).select(".related-pages a")
    assert [a["href"] for a in links] == ["/bn/stories/amfori-master-trainers/"]
    assert strategy.related_pages.count() == 2


def add_translated_stories(demo, bn, count):
    """`count` live stories, each with a live Bangla translation."""
    index = StoriesIndexPage.objects.get(locale=demo.locale)
    stories = []
    for number in range(count):
        story = StoryPage(
            title=f"Linked story {number}",
            slug=f"linked-story-{number}",
            summary=f"Summary of linked story {number}.",
        )
        index.add_child(instance=story)
        story.copy_for_translation(bn).save_revision().publish()
        stories.append(story)
    return stories


def article_body(pages, images, documents):
    """One block of every kind for each page: a paragraph linking it and a document, an image,
    a call to action to it, a document to download, a video with a thumbnail, and so on."""
    blocks = []
    for page, image, document in zip(pages, images, documents, strict=True):
        chosen_image = {"image": image.pk, "alt_text": image.title, "decorative": False}
        links = (
            f'<p><a linktype="page" id="{page.pk}">{page.title}</a> and '
            f'<a linktype="document" id="{document.pk}">{document.title}</a>.</p>'
        )
        blocks += [
            ("heading", {"text": page.title, "level": "h2"}),
            ("paragraph", links),
            ("image", {"image": chosen_image, "caption": "A caption", "credit": ""}),
            ("quote", {"quote": "Words.", "name": "A worker", "role": "", "organisation": ""}),
            (
                "statistics",
                {
                    "heading": "Figures",
                    "as_of": "2022-12-31",
                    "source": "",
                    "figures": [{"value": "55", "unit": "%", "label": "women", "note": ""}],
                },
            ),
            (
                "video",
                {"url": "https://vimeo.com/1", "title": "A video", "thumbnail": chosen_image},
            ),
            (
                "call_to_action",
                {"heading": "Read on", "button_label": "Read", "page": page.pk, "url": ""},
            ),
            ("document", {"document": document.pk, "label": ""}),
            ("newsletter_signup", {"heading": "Our newsletter", "text": ""}),
        ]
    return [{"type": kind, "value": value} for kind, value in blocks]


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize(
    ("model", "slug"),
    [
        (NewsPage, "strategy-2022-2027-launched"),
        (StoryPage, "sixteen-days-of-activism-apex-holding"),
    ],
)
def test_article_page_queries_do_not_grow_with_related_pages_topics_and_blocks(
    client, demo, bn, model, slug, lang
):
    """An article with 1 related page, topic and block of each kind costs as many queries as
    one with 8 of each: topics, links in paragraphs and calls to action are looked up together.
    (The related pages are all stories: each further page type adds one query, Wagtail's
    `specific()`.)"""
    page = model.objects.get(locale__language_code=lang, slug=slug)
    stories = add_translated_stories(demo, bn, 8)
    extra_topic = Topic.objects.create(name="Wages", slug="wages", locale=demo.locale)
    bn_topic = extra_topic.copy_for_translation(bn)
    bn_topic.name = "মজুরি"
    bn_topic.save()
    topics = [*Topic.objects.filter(locale=demo.locale).exclude(pk=extra_topic.pk), extra_topic]
    images = [
        CustomImage.objects.create(
            title=f"Body image {number}",
            file=get_test_image_file(f"body-{number}.png", size=(96, 54)),
        )
        for number in range(8)
    ]
    documents = [
        get_document_model().objects.create(
            title=f"Report {number}", file=ContentFile(b"%PDF-1.4", name=f"report-{number}.pdf")
        )
        for number in range(8)
    ]
    related_model = model._meta.get_field("related_pages").related_model
    topic_model = model._meta.get_field("topics").related_model

    def queries_for(count):
        related_model.objects.filter(page=page).delete()
        topic_model.objects.filter(page=page).delete()
        for number in range(count):
            related_model.objects.create(page=page, related_page=stories[number])
            topic_model.objects.create(page=page, topic=topics[number])
        page.body = article_body(stories[:count], images[:count], documents[:count])
        page.save(update_fields=["body"], clean=False)
        renew_fragments()  # the rows changed without a publish
        client.get(page.url)  # the first visit makes the image renditions
        renew_fragments()  # the page rendered, not served from its fragments
        with CaptureQueriesContext(connection) as context:
            soup = soup_of(client.get(page.url))
        related = [a["href"] for a in soup.select(".related-pages a")]
        assert related == [f"/{lang}/stories/linked-story-{n}/" for n in range(count)]
        assert len(soup.select(".article-header .topic-list a")) == count
        assert len(soup.select(".page-body .block-image img")) == count
        assert len(soup.select(".page-body .block-video img")) == count
        assert len(soup.select(".page-body .block-document a")) == count
        links = [a["href"] for a in soup.select(".page-body .rich-text a")]
        assert links[::2] == related  # each paragraph's page link, in the reader's language
        assert [a["href"] for a in soup.select(".call-to-action a")] == related
        return len(context.captured_queries)

    assert queries_for(1) == queries_for(8)


ALLOWED_LATIN = set()  # the photo credit is translated with the page: "© আইএলও"


@pytest.mark.parametrize(
    "path",
    [
        "/bn/stories/",
        "/bn/news/",
        f"/bn{SIXTEEN_DAYS}",
        "/bn/stories/mothers-at-work/",
        "/bn/stories/amfori-master-trainers/",
        "/bn/stories/trade-unions-empowered-with-data/",
        f"/bn{STRATEGY}",
        "/bn/news/first-year-94-factories-joined/",
    ],
)
def test_no_english_words_in_the_main_part_of_bangla_pages(client, demo, path):
    main = soup_of(client.get(path)).main
    for tag in main(["script", "style"]):
        tag.decompose()
    leaks = []
    for text in main.find_all(string=re.compile(r"[A-Za-z]{2,}")):
        if isinstance(text, Doctype | Comment) or text.find_parent(attrs={"lang": "en"}):
            continue
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN
        if words:
            leaks.append(text.strip())
    assert leaks == []


# Listings


def test_listing_is_newest_first_in_the_index_language(client, demo):
    soup = soup_of(client.get("/en/news/"))
    assert card_titles(soup) == [
        "Better Work in 2022: a year in review",
        "Strategy 2022–2027 launched at the Business Forum in Dhaka",
        "Beyond garments: a consultation with ten industries",
        "One year on: 94 factories have joined Better Work Bangladesh",
    ]
    bn_soup = soup_of(client.get("/bn/news/"))
    assert card_titles(bn_soup)[0] == "২০২২ সালে বেটার ওয়ার্ক: ফিরে দেখা বছর"
    assert all(a["href"].startswith("/bn/news/") for a in bn_soup.select(".article-card__title a"))


def test_listing_leaves_out_drafts_and_uses_lazy_small_card_images(client, demo, news_index):
    NewsPage.objects.get(locale=demo.locale, slug="better-work-in-2022").unpublish()
    soup = soup_of(client.get("/en/news/"))
    assert "Better Work in 2022: a year in review" not in card_titles(soup)
    image = soup.select_one(".article-card img")
    assert image["loading"] == "lazy"
    assert [part.split()[1] for part in image["srcset"].split(", ")] == ["320w", "640w"]


def test_listing_is_paginated_by_ten_and_keeps_filters(client, empty_index):
    topic = Topic.objects.get(slug="gender", locale__language_code="en")
    add_articles(empty_index, 23, topic=topic)
    first = soup_of(client.get("/en/test-news/", {"topic": "gender"}))
    assert len(card_titles(first)) == 10
    assert card_titles(first)[0] == "Article 22"
    nav = first.select_one("nav.pagination")
    assert nav.select_one("[aria-current]").get_text(strip=True) == "Page 1 of 3"
    assert nav.select_one('a[rel="next"]')["href"] == "?topic=gender&page=2"
    last = soup_of(client.get("/en/test-news/", {"topic": "gender", "page": "3"}))
    assert card_titles(last) == ["Article 2", "Article 1", "Article 0"]
    assert last.select_one('a[rel="prev"]')["href"] == "?topic=gender&page=2"


def test_topic_filter_matches_translated_pages_through_the_source_topic(client, demo):
    en = soup_of(client.get("/en/stories/", {"topic": "gender"}))
    assert card_titles(en) == [
        "Speaking up against harassment: 16 Days of Activism at Apex Holding",
        "Mothers@Work: helping factories support working mothers",
    ]
    bn = soup_of(client.get("/bn/stories/", {"topic": "gender"}))
    assert len(card_titles(bn)) == 2
    assert bn.select_one("#filter-topic option[selected]").get_text() == "জেন্ডার সমতা"
    assert "২টি লেখা" in bn.select_one(".article-index__count").get_text()
    assert bn.select_one('meta[name="robots"]')["content"] == "noindex, follow"


def test_year_filter_and_year_choices(client, demo):
    soup = soup_of(client.get("/en/news/", {"year": "2014"}))
    assert card_titles(soup) == ["One year on: 94 factories have joined Better Work Bangladesh"]
    options = [o["value"] for o in soup.select("#filter-year option")]
    assert options == ["", "2022", "2014"]
    bn = soup_of(client.get("/bn/news/", {"year": "2022"}))
    assert len(card_titles(bn)) == 3
    assert bn.select_one("#filter-year option[selected]").get_text() == "২০২২"


def test_filters_are_labelled_get_forms(client, demo):
    form = soup_of(client.get("/bn/news/")).select_one("form.article-filters")
    assert form["method"] == "get"
    for select in form.select("select"):
        label = form.select_one(f'label[for="{select["id"]}"]')
        assert label is not None and label.get_text(strip=True)
    assert {s["name"] for s in form.select("select")} == {"topic", "year"}


@pytest.mark.parametrize(
    "query",
    [
        {"topic": "no-such-topic"},
        {"year": "abc"},
        {"year": "99999"},
        {"year": "-3"},
        {"page": "999"},
        {"page": "abc"},
        {"page": "0"},
        {"topic": "x" * 500, "year": "2022", "page": "-1"},
        {"topic": "<script>"},
    ],
)
def test_bad_filter_values_are_answered_gracefully(client, demo, query):
    response = client.get("/en/news/", query)
    soup = soup_of(response)
    assert soup.select_one("form.article-filters")
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_unknown_topic_gives_a_friendly_empty_list(client, demo):
    soup = soup_of(client.get("/bn/news/", {"topic": "no-such-topic"}))
    assert card_titles(soup) == []
    assert "এমন কোনো বিষয় নেই" in soup.select_one(".article-index__count").get_text()
    assert soup.select_one(".article-index__empty a")["href"] == "/bn/news/"


def test_unreadable_year_is_ignored_and_page_beyond_the_end_shows_the_last(client, empty_index):
    add_articles(empty_index, 12)
    assert len(card_titles(soup_of(client.get("/en/test-news/", {"year": "abc"})))) == 10
    assert card_titles(soup_of(client.get("/en/test-news/", {"page": "999"}))) == [
        "Article 1",
        "Article 0",
    ]


def test_empty_index_says_so(client, empty_index):
    soup = soup_of(client.get("/en/test-news/"))
    assert soup.select_one(".article-index__empty").get_text(strip=True) == (
        "Nothing has been published here yet."
    )


def test_listing_queries_do_not_grow_with_the_articles_shown(client, demo):
    """2 articles or 10 or 60 (of which 10 are shown): the same number of queries."""
    topic = Topic.objects.get(slug="gender", locale__language_code="en")

    def queries_for(count):
        index = NewsIndexPage(title=f"Listing {count}", slug=f"listing-{count}")
        demo.add_child(instance=index)
        add_articles(index, count, images=True, topic=topic)
        client.get(index.url)  # the first visit makes the image renditions
        with CaptureQueriesContext(connection) as context:
            soup = soup_of(client.get(index.url))
        assert len(soup.select(".article-card img")) == min(count, 10)
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(10) == queries_for(60)


# Feeds


def parse_feed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_english_feed_lists_articles_with_absolute_links_and_dhaka_dates(client, demo, kind):
    response, feed = parse_feed(client, f"/en/news/feed/{kind}/")
    assert response["Content-Type"].startswith(f"application/{kind}+xml")
    assert not feed.bozo
    assert feed.feed.title == "News · Better Work Bangladesh"
    assert feed.feed.link == f"{BASE}/en/news/"
    assert [e.title for e in feed.entries][:2] == [
        "Better Work in 2022: a year in review",
        "Strategy 2022–2027 launched at the Business Forum in Dhaka",
    ]
    strategy = feed.entries[1]
    assert strategy.link == f"{BASE}/en{STRATEGY}"
    assert strategy.id == f"{BASE}/en{STRATEGY}"
    assert strategy.summary.startswith("About 400 representatives")
    # noon in Dhaka (UTC+6) is 06:00 UTC, on the article's own date
    assert time.strftime("%Y-%m-%d %H:%M", strategy.published_parsed) == "2022-11-03 06:00"
    assert [tag.term for tag in strategy.tags] == ["Social dialogue", "Responsible business"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_bangla_feed_is_in_bangla_with_links_under_bn(client, demo, kind):
    _, feed = parse_feed(client, f"/bn/stories/feed/{kind}/")
    assert not feed.bozo
    assert feed.feed.title == "গল্প · বেটার ওয়ার্ক বাংলাদেশ"
    language = feed.feed.get("language") or feed.feed.title_detail.get("language")
    assert language == "bn"
    assert len(feed.entries) == 4
    assert all(e.link.startswith(f"{BASE}/bn/stories/") for e in feed.entries)
    assert feed.entries[0].title.startswith("হয়রানির বিরুদ্ধে সোচ্চার")
    assert [tag.term for tag in feed.entries[0].tags] == ["জেন্ডার সমতা"]


def test_feed_has_the_twenty_latest_of_its_own_index(client, empty_index):
    add_articles(empty_index, 25)
    _, feed = parse_feed(client, "/en/test-news/feed/rss/")
    titles = [e.title for e in feed.entries]
    assert len(titles) == 20
    assert titles[0] == "Article 24" and titles[-1] == "Article 5"


def test_index_page_links_its_feeds(client, demo):
    soup = soup_of(client.get("/bn/news/"))
    rss = soup.select_one('head link[rel="alternate"][type="application/rss+xml"]')
    atom = soup.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert rss["href"] == f"{BASE}/bn/news/feed/rss/"
    assert atom["href"] == f"{BASE}/bn/news/feed/atom/"
    assert "আরএসএস" in rss["title"]
    assert client.get(rss["href"].removeprefix(BASE)).status_code == 200


def test_unknown_route_under_an_index_is_a_404(client, demo):
    assert client.get("/en/news/feed/").status_code == 404
    assert client.get("/en/news/feed/json/").status_code == 404


# Models and helpers


def test_translated_articles_keep_the_source_slug_date_and_topics(demo, bn):
    for page in [*NewsPage.objects.filter(locale=bn), *StoryPage.objects.filter(locale=bn)]:
        source = page.get_translation(demo.locale)
        assert page.slug == source.slug
        assert page.date == source.date
        assert [t.topic_id for t in page.topics.all()] == [t.topic_id for t in source.topics.all()]


def test_listing_queryset_and_featured_stories(demo, bn):
    en_news = list(NewsPage.objects.listing(demo.locale))
    assert [p.date for p in en_news] == sorted((p.date for p in en_news), reverse=True)
    assert {p.locale_id for p in en_news} == {demo.locale.pk}
    featured = StoryPage.objects.listing(bn).featured()
    assert 2 <= featured.count() <= 3
    assert all(page.locale_id == bn.pk for page in featured)


def test_localize_topics_uses_one_query_for_all_pages(demo, bn, django_assert_num_queries):
    stories = list(StoryPage.objects.listing(bn).prefetch_related("topics__topic"))
    with django_assert_num_queries(1):
        localize_topics(stories, bn)
    names = {name for page in stories for name in (t.name for t in page.topic_list)}
    assert "কর্মজীবী মা" in names and "Working mothers" not in names


def test_filters_read_from_the_query_string(demo, bn):
    filters = ListingFilters.from_query({"topic": "gender", "year": "2022"}, bn)
    assert filters.topic.locale == bn and filters.topic.name == "জেন্ডার সমতা"
    assert filters.year == 2022 and filters.active and not filters.unknown_topic
    assert ListingFilters.from_query({"topic": "nope"}, bn).unknown_topic
    assert not ListingFilters.from_query({}, bn).active


@pytest.mark.parametrize(
    ("value", "year"),
    [("2022", 2022), (" 2014 ", 2014), ("abc", None), ("0", None), ("10000", None), (None, None)],
)
def test_parse_year(value, year):
    assert parse_year(value) == year


def test_publication_moment_is_noon_in_dhaka():
    moment = publication_datetime(datetime.date(2022, 11, 3))
    assert moment.tzinfo == ZoneInfo("Asia/Dhaka")
    assert moment.astimezone(datetime.UTC) == datetime.datetime(2022, 11, 3, 6, tzinfo=datetime.UTC)


# Demo content


def test_demo_has_bilingual_news_and_stories_without_missing_bangla(demo, bn):
    output = SESSION.get("first_load_output", "")
    assert "! no Bangla" not in output
    for model, minimum in [(NewsPage, 4), (StoryPage, 4)]:
        assert model.objects.filter(locale=demo.locale, live=True).count() >= minimum
        assert model.objects.filter(locale=bn, live=True).count() == (
            model.objects.filter(locale=demo.locale).count()
        )
    assert (
        Topic.objects.filter(locale=bn).count()
        == Topic.objects.filter(locale=demo.locale).count()
        >= 6
    )
    year = NewsPage.objects.get(locale=demo.locale, slug="better-work-in-2022")
    figures = [
        (str(f["value"]), f["unit"])
        for block in year.body
        if block.block_type == "statistics"
        for f in block.value["figures"]
    ]
    assert figures[:5] == [("260", ""), ("1916", ""), ("199", ""), ("5911", ""), ("55", "%")]
    assert NewsPage.objects.get(slug="first-year-94-factories-joined", locale=bn).date.year == 2014


def test_bangla_sections_are_reachable_in_the_page_tree(demo, bn_home):
    # the Bangla home and index pages know their children (see stories.demo.recount_children)
    for page in [bn_home, *bn_home.get_children().type(NewsIndexPage, StoriesIndexPage)]:
        assert page.numchild == page.get_children().count() > 0


# Admin


class AdminCreationTests(WagtailPageTestCase):
    """Officers create each page type in the admin; the page tree rules hold."""

    def setUp(self):
        assert self.client.login(username="admin", password=DEMO_PASSWORD)
        self.home = HomePage.objects.get(locale=Locale.get_default())
        self.news_index = NewsIndexPage.objects.get(locale=self.home.locale)
        self.stories_index = StoriesIndexPage.objects.get(locale=self.home.locale)
        self.topic = Topic.objects.get(slug="gender", locale=self.home.locale)

    def test_page_tree_rules(self):
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanCreateAt(HomePage, StoriesIndexPage)
        self.assertCanCreateAt(NewsIndexPage, NewsPage)
        self.assertCanCreateAt(StoriesIndexPage, StoryPage)
        self.assertCanNotCreateAt(NewsIndexPage, StoryPage)
        self.assertCanNotCreateAt(StoriesIndexPage, NewsPage)
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertAllowedSubpageTypes(NewsPage, {})
        # one news section per home page
        self.assertFalse(NewsIndexPage.can_create_at(self.home))

    def article_data(self, **extra):
        related = Page.objects.get(locale=self.home.locale, slug="mothers-at-work")
        return nested_form_data(
            {
                "title": "Factories open breastfeeding corners",
                "slug": "breastfeeding-corners",
                "summary": "More partner factories now have a quiet room for mothers.",
                "date": "2023-03-08",
                "hero_image_alt": "",
                "body": streamfield(
                    [
                        ("heading", {"text": "A quiet room", "level": "h2"}),
                        ("paragraph", rich_text("<p>Mothers can feed their babies.</p>")),
                    ]
                ),
                "topics": inline_formset([{"topic": self.topic.pk}]),
                "related_pages": inline_formset([{"related_page": related.pk}]),
                "comments": inline_formset([]),
                **extra,
            }
        )

    def test_officer_creates_a_news_article(self):
        self.assertCanCreate(self.news_index, NewsPage, self.article_data())
        page = NewsPage.objects.get(slug="breastfeeding-corners")
        self.assertTrue(page.live)
        self.assertEqual(page.date, datetime.date(2023, 3, 8))
        self.assertEqual([t.topic for t in page.topics.all()], [self.topic])
        self.assertEqual([b.block_type for b in page.body], ["heading", "paragraph"])
        self.assertEqual(page.related_pages.get().related_page.slug, "mothers-at-work")
        response = self.client.get("/en/news/")
        self.assertContains(response, "Factories open breastfeeding corners")

    def test_officer_creates_a_story(self):
        data = self.article_data(
            subject_name="Rina Begum", subject_role="Welfare officer", featured="on"
        )
        self.assertCanCreate(self.stories_index, StoryPage, data)
        page = StoryPage.objects.get(slug="breastfeeding-corners")
        self.assertTrue(page.featured)
        self.assertEqual(page.subject_role, "Welfare officer")
        self.assertContains(self.client.get(page.url), "Rina Begum")
        self.assertPageIsPreviewable(page, post_data=data)

    def test_every_page_type_renders_edits_and_previews(self):
        # (assertPageIsRoutable does not know the /en/ and /bn/ prefixes: routing is tested above)
        bn = Locale.objects.get(language_code="bn")
        pages = [
            self.news_index,
            self.stories_index.get_translation(bn),
            NewsPage.objects.get(locale=bn, slug="better-work-in-2022"),
            StoryPage.objects.get(locale=self.home.locale, slug="mothers-at-work"),
        ]
        for page in pages:
            with self.subTest(page=page):
                self.assertPageIsRenderable(page)
                # English pages open in the page editor, Bangla ones in the translation editor
                edit = self.client.get(f"/admin/pages/{page.pk}/edit/")
                self.assertEqual(edit.status_code, 200)
        # Wagtail's helpers read the form back from the HTML, which they cannot do for a
        # StreamField (drawn by JavaScript): the index page round-trips, articles are posted above.
        admin = get_user_model().objects.get(username="admin")
        self.assertPageIsEditable(self.news_index, user=admin)
        self.assertPageIsPreviewable(self.news_index, user=admin)

    def test_officer_creates_index_pages_under_a_new_home(self):
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title="Second site", slug="second-site", hero_heading="Second")
        )
        for model, slug in [(NewsIndexPage, "news"), (StoriesIndexPage, "stories")]:
            data = nested_form_data(
                {
                    "title": f"More {slug}",
                    "slug": slug,
                    "intro": rich_text("<p>Introduction.</p>", features=["bold", "italic", "link"]),
                    "comments": inline_formset([]),
                }
            )
            self.assertCanCreate(home, model, data)
            self.assertTrue(model.objects.get(slug=slug, path__startswith=home.path).live)
