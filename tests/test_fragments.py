"""Fragments of pages kept in the cache ({% wagtailpagecache %}, {% wagtailcache %}): served
byte for byte as rendered, and renewed by each thing they show (website/cache.py).

Every change goes through the API an editor's action uses and commits
(django_capture_on_commit_callbacks), as in the admin."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale, Page, PageViewRestriction, Site

from events.models import EventCategory, EventPage, EventRelatedPage
from stories.models import NewsPage, StoryPage
from website import cache as page_cache
from website.models import CustomImage, SiteSettings, SiteText, Topic

pytestmark = pytest.mark.django_db

# Queries of a page served from its fragments: the site, the locale, the home page and the page a
# path leads to, its view restrictions (Wagtail's), and for listings their articles' query.
# Rendering a page takes 25 to 60.
MOST_QUERIES_FROM_FRAGMENTS = 8


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def soup(client, url):
    return BeautifulSoup(html(client, url), "html.parser")


def latest_news(language="en"):
    return (
        NewsPage.objects.live().filter(locale__language_code=language).order_by("-date", "-pk")[0]
    )


def publish(page, commits, **changes):
    for field, value in changes.items():
        setattr(page, field, value)
    with commits(execute=True):
        page.save_revision().publish()


def demo_urls():
    pages = Page.objects.live().filter(depth__in=[2, 3]).specific()
    urls = {page.url for page in pages}
    for language in ("en", "bn"):
        urls.add(latest_news(language).url)
        urls.add(EventPage.objects.live().filter(locale__language_code=language).first().url)
        urls.add(StoryPage.objects.live().filter(locale__language_code=language).first().url)
    return sorted(urls)


def test_pages_are_served_from_their_fragments_as_rendered(client, demo):
    for url in demo_urls():
        first = html(client, url)
        with CaptureQueriesContext(connection) as queries:
            again = html(client, url)
        assert again == first, url
        assert len(queries) <= MOST_QUERIES_FROM_FRAGMENTS, (url, len(queries))
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert html(client, url) == first, url
        assert len(queries) > MOST_QUERIES_FROM_FRAGMENTS, (
            url
        )  # rendered: the figure means something


def test_query_strings_pages_do_not_read_share_the_fragments(client, demo):
    html(client, "/en/news/")
    with CaptureQueriesContext(connection) as plain:
        html(client, "/en/news/?utm_source=newsletter&x=1")
    html(client, "/en/news/?topic=no-such-topic-1")
    with CaptureQueriesContext(connection) as unknown:
        page = soup(client, "/en/news/?topic=no-such-topic-2")  # any unknown topic: one fragment
    assert len(plain) <= MOST_QUERIES_FROM_FRAGMENTS
    assert len(unknown) <= MOST_QUERIES_FROM_FRAGMENTS
    assert "There is no such topic" in page.select_one(".article-index__count").get_text()


def test_a_published_change_shows_on_the_page_and_every_page_that_shows_it(
    client, demo, django_capture_on_commit_callbacks
):
    article = latest_news()
    pages = [article.url, article.get_parent().url, "/en/"]
    for url in pages:
        assert article.title in html(client, url)
    publish(article, django_capture_on_commit_callbacks, title="Factories elect safety committees")
    for url in pages:
        assert "Factories elect safety committees" in html(client, url), url


def test_a_related_page_renamed_shows_on_the_event_that_links_it(
    client, demo, django_capture_on_commit_callbacks
):
    event = EventPage.objects.get(locale=demo.locale, slug="business-forum-2022")
    story = StoryPage.objects.live().filter(locale=demo.locale).order_by("pk")[0]
    EventRelatedPage.objects.filter(page=event).delete()
    EventRelatedPage.objects.create(page=event, related_page=story)
    publish(event, django_capture_on_commit_callbacks)
    assert story.title in soup(client, event.url).select_one(".event__related").get_text()
    publish(story, django_capture_on_commit_callbacks, title="A renamed story")
    assert "A renamed story" in soup(client, event.url).select_one(".event__related").get_text()


def test_unpublishing_and_restricting_take_a_page_off_the_listings(
    client, demo, django_capture_on_commit_callbacks
):
    article, second = (
        NewsPage.objects.live().filter(locale=demo.locale).order_by("-date", "-pk")[:2]
    )
    for url in ("/en/news/", "/en/"):
        assert article.title in html(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    for url in ("/en/news/", "/en/"):
        assert article.title not in html(client, url), url
    assert second.title in html(client, "/en/news/")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=second, restriction_type="login")
    assert second.title not in html(client, "/en/news/")


def test_a_translation_published_replaces_the_other_language_on_listings(
    client, demo, django_capture_on_commit_callbacks
):
    bangla = latest_news("bn")
    assert bangla.title in html(client, "/bn/news/")
    publish(bangla, django_capture_on_commit_callbacks, title="কারখানায় নিরাপত্তা কমিটির নির্বাচন")
    assert "কারখানায় নিরাপত্তা কমিটির নির্বাচন" in html(client, "/bn/news/")
    assert "কারখানায় নিরাপত্তা কমিটির নির্বাচন" in html(client, "/bn/")
    assert "কারখানায় নিরাপত্তা কমিটির নির্বাচন" not in html(client, "/en/news/")


def test_site_texts_and_settings_show_in_every_footer(
    client, demo, django_capture_on_commit_callbacks
):
    article = latest_news()
    for url in ("/en/", article.url):
        html(client, url)
    text = SiteText.objects.get(locale=demo.locale)
    text.postal_address = "House 99, Road 1, Gulshan, Dhaka"
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.contact_email = "press@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        text.save()
        settings.save()
    for url in ("/en/", article.url):
        footer = soup(client, url).select_one("footer").get_text()
        assert "House 99, Road 1" in footer and "press@example.org" in footer, url


def test_an_image_edited_renews_the_cards_that_show_it(
    client, demo, django_capture_on_commit_callbacks
):
    article = latest_news()
    assert article.hero_image_id, "the demo's latest news has a photo"
    # The card's alt text is the image's own when the page gives none.
    NewsPage.objects.filter(pk=article.pk).update(hero_image_alt="")
    page_cache.renew_fragments()
    assert soup(client, "/en/").select_one(f'.card a[href="{article.url}"]')
    image = CustomImage.objects.get(pk=article.hero_image_id)
    image.description = "Workers at a sewing line in Gazipur"
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    alts = [img["alt"] for img in soup(client, "/en/").select(".card img")]
    assert "Workers at a sewing line in Gazipur" in alts


def test_topics_and_categories_renamed_show_on_cards_and_pages(
    client, demo, django_capture_on_commit_callbacks
):
    article = NewsPage.objects.live().filter(locale=demo.locale, topics__isnull=False)[0]
    topic = Topic.objects.get(pk=article.topics.first().topic_id)
    html(client, article.url)
    html(client, "/en/news/")
    topic.name = "Renamed topic"
    with django_capture_on_commit_callbacks(execute=True):
        topic.save()
    assert "Renamed topic" in soup(client, article.url).select_one(".topic-list").get_text()
    assert "Renamed topic" in soup(client, "/en/news/").select_one(".article-list").get_text()

    event = EventPage.objects.live().filter(locale=demo.locale, category__isnull=False)[0]
    html(client, event.url)
    category = EventCategory.objects.get(pk=event.category_id)
    category.name = "Renamed category"
    with django_capture_on_commit_callbacks(execute=True):
        category.save()
    assert "Renamed category" in soup(client, event.url).select_one(".event__category").get_text()


def test_a_preview_shows_the_draft_not_the_cached_live_page(client, demo):
    article = latest_news()
    live = html(client, article.url)
    article.title = "A draft title"
    preview = article.make_preview_request().content.decode()
    assert "A draft title" in preview
    assert html(client, article.url) == live


def test_versions_follow_changes_and_never_come_back_older(monkeypatch, demo):
    first = page_cache.fragment_versions()
    assert page_cache.fragment_versions() == first  # nothing changed
    page_cache.renew_fragments()
    after_publish = page_cache.fragment_versions()
    assert after_publish["page"] != first["page"] and after_publish["card"] == first["card"]
    page_cache.renew_fragments(site_wide=True)
    after_settings = page_cache.fragment_versions()
    assert after_settings["card"] != first["card"]
    cache.delete(page_cache.PAGES_VERSION_KEY)  # evicted from the cache
    assert page_cache.fragment_versions()["page"] not in {first["page"], after_settings["page"]}
    # Page fragments renew each hour (an event over, no longer upcoming).
    now = page_cache.time.time()
    current = page_cache.fragment_versions()
    monkeypatch.setattr(page_cache.time, "time", lambda: now + 3600)
    later = page_cache.fragment_versions()
    assert later["page"] != current["page"] and later["card"] == current["card"]


def test_an_event_over_leaves_the_upcoming_list_within_the_hour(client, demo, monkeypatch):
    from tests.test_events import add_event

    events_index = EventPage.objects.live().filter(locale=demo.locale)[0].get_parent()
    start = timezone.now() + datetime.timedelta(minutes=30)
    add_event(events_index, "Factory safety training", start, start + datetime.timedelta(hours=1))
    page_cache.renew_fragments()
    assert "Factory safety training" in html(client, "/en/")
    later = timezone.now() + datetime.timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(page_cache.time, "time", lambda: later.timestamp())
    assert "Factory safety training" not in html(client, "/en/")


def test_translators_strings_renew_the_notice_of_english_text(client, demo):
    from wagtail_localize.models import StringTranslation

    bangla = StoryPage.objects.live().filter(locale__language_code="bn").order_by("path")[0]
    assert "translation-notice" not in html(client, bangla.url)
    StringTranslation.objects.filter(locale=Locale.objects.get(language_code="bn")).delete()
    assert "translation-notice" in html(client, bangla.url)


# What is worked out before the fragments are looked up: the page a path leads to, a listing's
# choices and count, search results. Each is kept under the page fragments' version.


def test_a_renamed_or_deleted_page_leaves_its_old_address(
    client, demo, django_capture_on_commit_callbacks
):
    article = latest_news()
    old_url = article.url
    assert client.get(old_url).status_code == 200  # the route is now remembered
    publish(article, django_capture_on_commit_callbacks, slug="safety-committees-elected")
    new_url = Page.objects.get(pk=article.pk).url
    assert new_url.endswith("/safety-committees-elected/")
    moved = client.get(old_url)  # Wagtail's redirect from the old address, not the page
    assert (moved.status_code, moved["Location"]) == (301, new_url)
    assert client.get(new_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=article.pk).delete()
    assert client.get(new_url).status_code == 404


def test_a_remembered_route_goes_on_to_a_routable_pages_own_routes(client, demo):
    assert client.get("/en/news/").status_code == 200
    for _ in range(2):  # the second time from the remembered route of /en/news/
        feed = client.get("/en/news/feed/rss/")
        assert feed.status_code == 200
        assert feed["Content-Type"].startswith("application/rss+xml")


def test_a_listings_count_and_choices_follow_publishing(
    client, demo, django_capture_on_commit_callbacks
):
    article = latest_news()
    url = f"/en/news/?year={article.date.year}"
    count = NewsPage.objects.live().filter(locale=demo.locale, date__year=article.date.year).count()

    def shown():
        return soup(client, url).select_one(".article-index__count").get_text(" ", strip=True)

    assert shown().startswith(f"{count} ")
    assert shown().startswith(f"{count} ")  # remembered
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert shown().startswith(f"{count - 1} ")

    event = EventPage.objects.live().filter(locale=demo.locale, category__isnull=False)[0]
    category = event.category
    others = EventPage.objects.live().filter(locale=demo.locale, category=category)
    events_url = event.get_parent().url
    assert f'value="{category.slug}"' in html(client, events_url)
    with django_capture_on_commit_callbacks(execute=True):
        for page in others:
            page.unpublish()
    assert f'value="{category.slug}"' not in html(client, events_url)


def test_search_results_follow_publishing(client, demo, django_capture_on_commit_callbacks):
    url = "/en/search/?q=Zephyrine"
    assert soup(client, url).select(".search-result") == []
    article = latest_news()
    title = "Zephyrine factory elects a committee"
    publish(article, django_capture_on_commit_callbacks, title=title)
    titles = [a.get_text() for a in soup(client, url).select(".search-result h2 a")]
    assert titles == [title]
    with CaptureQueriesContext(connection) as queries:
        assert "Zephyrine factory" in html(client, url)
    assert len(queries) <= 2  # the results, header and footer from their fragments
