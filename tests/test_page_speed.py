"""Page speed: queries per page type in both languages, and what every page shares (menu, footer,
language links, translation notice) never showing stale content.

Each test starts with an empty cache (conftest.py). Budgets are counted on the second request for a
URL (`test_first_request_fills_the_fragments_once` bounds the first).
"""

import pytest
from django.test import Client
from wagtail.models import Locale, Page, PageViewRestriction

from events.models import EventIndexPage, EventPage
from newsletter.models import NewsletterIssuePage
from stories.models import NewsIndexPage, NewsPage, StoriesIndexPage, StoryPage
from tests.test_production import publish
from website.models import HomePage, SiteSettings, SiteText

PAGE_TYPES = {
    "home": HomePage,
    "news index": NewsIndexPage,
    "news article": NewsPage,
    "stories index": StoriesIndexPage,
    "story": StoryPage,
    "events index": EventIndexPage,
    "event": EventPage,
    "newsletter issue": NewsletterIssuePage,
}
# Queries of a page served by Django from its fragments (the HTTP cache in front serves it most of
# the time): Wagtail's own (the site, the active locale, the home page in it and the page reached,
# the two of the view-restriction check), the listings' articles (`public()` reads the
# restrictions) and the Bangla home page. What the path leads to, the listings' choices and
# counts, and the search results are remembered with the fragments (website/cache.py).
BUDGETS = {
    ("home", "en"): 5,
    ("home", "bn"): 6,
    ("news index", "en"): 7,
    ("news index", "bn"): 8,
    ("news article", "en"): 6,
    ("news article", "bn"): 7,
    ("stories index", "en"): 7,
    ("stories index", "bn"): 8,
    ("story", "en"): 6,
    ("story", "bn"): 7,
    ("events index", "en"): 7,
    ("events index", "bn"): 8,
    ("event", "en"): 6,
    ("event", "bn"): 7,
    ("newsletter issue", "en"): 6,
    ("newsletter issue", "bn"): 7,
    ("search", "en"): 1,
    ("search", "bn"): 1,
}


def url_of(kind, language):
    if kind == "search":
        return f"/{language}/search/?q=garment"
    model = PAGE_TYPES[kind]
    return model.objects.live().filter(locale__language_code=language).order_by("path")[0].url


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "language"), list(BUDGETS))
def test_queries_per_page_type_and_language(demo, kind, language, django_assert_max_num_queries):
    url = url_of(kind, language)
    client = Client()
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(BUDGETS[kind, language]):
        again = client.get(url)
    assert again.content == first.content  # what is cached changes nothing on the page


@pytest.mark.django_db
def test_first_request_fills_the_fragments_once(demo, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(55):
        client.get("/bn/news/")
    with django_assert_max_num_queries(BUDGETS["news index", "bn"]):
        client.get("/bn/news/")


# Nothing stale: each change shows on the next anonymous request


@pytest.mark.django_db
def test_a_new_section_appears_in_every_menu(demo, django_capture_on_commit_callbacks):
    client = Client()
    assert "Factory directory" not in client.get("/en/news/").content.decode()
    section = NewsIndexPage(title="Factory directory", slug="factories", show_in_menus=True)
    with django_capture_on_commit_callbacks(execute=True):
        demo.add_child(instance=section)
        section.save_revision().publish()
    html = client.get("/en/news/").content.decode()
    assert '<a href="/en/factories/">Factory directory</a>' in html
    assert client.get("/en/factories/").status_code == 200


@pytest.mark.django_db
def test_a_renamed_section_shows_its_new_title_and_url(demo, django_capture_on_commit_callbacks):
    news = NewsIndexPage.objects.get(locale=demo.locale)
    client = Client()
    assert client.get("/en/news/").status_code == 200
    client.get("/en/events/")
    publish(news, django_capture_on_commit_callbacks, title="Press room", slug="press")
    moved = client.get("/en/news/")  # not the remembered route: Wagtail's redirect to the new slug
    assert moved.status_code == 301 and moved["Location"] == "/en/press/"
    assert client.get("/en/press/").status_code == 200
    assert '<a href="/en/press/">Press room</a>' in client.get("/en/events/").content.decode()


@pytest.mark.django_db
def test_site_texts_and_settings_show_at_once(demo, django_capture_on_commit_callbacks):
    client = Client()
    client.get("/bn/events/")
    text = SiteText.objects.get(locale__language_code="bn")
    text.partnership_text = "নতুন অংশীদারিত্বের কথা"
    settings = SiteSettings.objects.get()
    settings.contact_email = "changed@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        text.save()
        settings.save()
    html = client.get("/bn/events/").content.decode()
    assert "নতুন অংশীদারিত্বের কথা" in html
    assert "mailto:changed@example.org" in html


@pytest.mark.django_db
def test_an_unpublished_translation_leaves_the_switcher_and_hreflang(
    demo, django_capture_on_commit_callbacks
):
    english = StoryPage.objects.live().filter(locale=demo.locale).order_by("path")[0]
    bangla = english.get_translation(Locale.objects.get(language_code="bn"))
    client = Client()
    html = client.get(english.url).content.decode()
    assert f'hreflang="bn" href="{bangla.full_url}"' in html
    assert f'href="{bangla.url}?language=bn"' in html
    with django_capture_on_commit_callbacks(execute=True):
        bangla.unpublish()
    html = client.get(english.url).content.decode()
    assert 'hreflang="bn" href=' not in html
    assert 'href="/bn/?language=bn"' in html and 'data-translation="home"' in html
    assert client.get(bangla.url).status_code == 404


@pytest.mark.django_db
def test_a_restricted_translation_leaves_hreflang(demo):
    english = NewsPage.objects.live().filter(locale=demo.locale).order_by("path")[0]
    bangla = english.get_translation(Locale.objects.get(language_code="bn"))
    client = Client()
    alternate = f'hreflang="bn" href="{bangla.full_url}"'
    assert alternate in client.get(english.url).content.decode()
    PageViewRestriction.objects.create(page=bangla, restriction_type="login")
    assert alternate not in client.get(english.url).content.decode()
    assert client.get(bangla.url).status_code == 302  # to the login page, never a cached route


@pytest.mark.django_db
def test_a_restricted_page_leaves_listings_and_asks_for_a_login(demo):
    """While no page is restricted, view restrictions cost no query; the first one counts."""
    article = NewsPage.objects.live().filter(locale=demo.locale).order_by("-date")[0]
    client = Client()
    assert article.title in client.get("/en/news/").content.decode()
    assert article.title in client.get("/en/").content.decode()
    assert client.get(article.url).status_code == 200
    PageViewRestriction.objects.create(page=article, restriction_type="login")
    assert article.title not in client.get("/en/news/").content.decode()
    assert article.title not in client.get("/en/").content.decode()
    assert client.get(article.url).status_code == 302


@pytest.mark.django_db
def test_the_translation_notice_follows_the_translations(demo):
    from wagtail_localize.models import StringTranslation

    bangla = StoryPage.objects.live().filter(locale__language_code="bn").order_by("path")[0]
    client = Client()
    assert "translation-notice" not in client.get(bangla.url).content.decode()
    StringTranslation.objects.filter(locale=bangla.locale).delete()
    html = client.get(bangla.url).content.decode()
    assert "translation-notice" in html and '<main id="main" tabindex="-1" lang="en">' in html


@pytest.mark.django_db
def test_a_page_unpublished_behind_wagtails_back_is_not_served_from_a_remembered_route(demo):
    article = NewsPage.objects.live().filter(locale=demo.locale).order_by("path")[0]
    client = Client()
    assert client.get(article.url).status_code == 200
    Page.objects.filter(pk=article.pk).update(live=False)  # no signal
    assert client.get(article.url).status_code == 404


@pytest.mark.django_db
def test_editors_still_get_their_user_bar(demo, admin_client):
    """Fragments are data, not HTML: a logged-in editor's page is rendered for them."""
    article = NewsPage.objects.live().filter(locale=demo.locale).order_by("path")[0]
    anonymous = Client().get(article.url).content.decode()
    assert "wagtail-userbar" not in anonymous
    response = admin_client.get(article.url)
    assert response.status_code == 200 and "wagtail-userbar" in response.content.decode()


@pytest.mark.django_db
def test_purge_page_cache_purges_every_live_page(demo, purged):
    """After a restore or an upgrade, data changed without signals: the release step purges."""
    from django.core.management import call_command

    call_command("purge_page_cache", stdout=None)
    for url in ("/en/", "/bn/", "/en/events/", "/bn/news/feed/rss/"):
        assert url in purged(), url
