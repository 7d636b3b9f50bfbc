"""Language behaviour: the visitor's choice is remembered, error pages speak the URL's language, and
no Bangla URL shows English without saying so.

This module is also a URLconf (`@pytest.mark.urls(__name__)`): the site's URLs and error handlers
plus a view that fails, to see the 500 page.
"""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.conf.urls.i18n import i18n_patterns
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path
from wagtail.models import Locale, Page

from website import urls as website_urls
from website.models import HomePage

pytestmark = pytest.mark.django_db


def fail(request):
    raise RuntimeError("a view that fails")


urlpatterns = [
    *i18n_patterns(path("fail/", fail), prefix_default_language=True),
    path("fail/", fail),
    *website_urls.urlpatterns,
]
handler404 = website_urls.handler404
handler500 = website_urls.handler500


def soup_of(response, status=200):
    assert response.status_code == status
    return BeautifulSoup(response.content.decode(), "html.parser")


def switcher_link(soup, code):
    return soup.select_one(f"nav.language-switcher a[hreflang='{code}']")


@pytest.fixture
def bn():
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def news_index(demo):
    return demo.get_children().get(slug="news").specific


def add_english_article(news_index, slug="only-in-english", title="Only in English"):
    from stories.models import NewsPage

    page = NewsPage(
        title=title,
        slug=slug,
        summary="A summary nobody has translated.",
        date=datetime.date(2024, 5, 1),
    )
    news_index.add_child(instance=page)
    page.save_revision().publish()
    return page


# The remembered choice


def test_choosing_bangla_in_the_switcher_is_remembered_for_the_root(client, demo):
    link = switcher_link(soup_of(client.get("/en/")), "bn")
    assert link["href"] == "/bn/?language=bn"

    response = client.get(link["href"])
    assert response.status_code == 302
    assert response["Location"] == "/bn/"
    cookie = response.cookies["language"]
    assert cookie.value == "bn"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60

    root = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert root["Location"] == "/bn/"


def test_choosing_english_again_replaces_the_choice(client, demo):
    client.get("/bn/?language=bn")
    english = switcher_link(soup_of(client.get("/bn/")), "en")["href"]
    assert english == "/en/?language=en"
    client.get(english)
    assert client.get("/", headers={"accept-language": "bn"})["Location"] == "/en/"


def test_the_redirect_that_stores_the_choice_is_never_cached(client, demo):
    response = client.get("/bn/?language=bn")
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert "max-age=0" in cache_control


def test_the_switcher_links_to_the_translated_page_itself(client, demo, bn):
    from stories.models import StoryPage

    story = StoryPage.objects.get(locale__language_code="en", slug="mothers-at-work")
    bn_story = story.get_translation(bn)
    link = switcher_link(soup_of(client.get(story.url)), "bn")
    assert link["href"] == f"{bn_story.url}?language=bn"
    response = client.get(link["href"])
    assert response["Location"] == bn_story.url == "/bn/stories/mothers-at-work/"


def test_storing_the_choice_keeps_the_other_query_parameters(client, demo):
    response = client.get("/bn/search/?q=নারী&language=bn&page=2")
    assert response.status_code == 302
    assert response["Location"].startswith("/bn/search/?")
    assert "language=" not in response["Location"]
    assert "page=2" in response["Location"]
    assert response.cookies["language"].value == "bn"


@pytest.mark.parametrize("url", ["/en/?language=bn", "/newsletter/one-click/x/?language=bn"])
def test_only_the_language_of_the_url_prefix_can_be_stored(client, demo, url):
    response = client.get(url)
    assert response.status_code != 302
    assert "language" not in response.cookies


def test_a_post_with_the_parameter_is_not_turned_into_a_redirect(client, demo):
    response = client.post("/bn/newsletter/subscribe/?language=bn", {})
    assert "language" not in response.cookies


@pytest.mark.parametrize("path", ["/en/", "/bn/", "/bn/stories/mothers-at-work/"])
def test_pages_are_the_same_for_every_visitor_and_set_no_cookie(client, demo, path):
    """What issue 8's page cache needs: no Set-Cookie and no HTML that depends on the cookie."""
    anonymous = client.get(path)
    assert anonymous.cookies == {}
    chooser = Client()
    chooser.cookies["language"] = "en" if path.startswith("/bn/") else "bn"
    chosen = chooser.get(path)
    assert chosen.cookies == {}
    assert chosen.content == anonymous.content


# The 500 page


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("path", "lang", "heading", "home"),
    [
        ("/en/fail/", "en", "Something went wrong", "/en/"),
        ("/bn/fail/", "bn", "কিছু একটা ভুল হয়েছে", "/bn/"),
    ],
)
def test_server_error_page_speaks_the_language_of_the_url(demo, path, lang, heading, home):
    client = Client(raise_request_exception=False)
    soup = soup_of(client.get(path, headers={"accept-language": "fr"}), status=500)
    assert soup.html["lang"] == lang
    assert soup.h1.get_text(strip=True) == heading
    assert soup.select_one(f"a[href='{home}']") is not None
    if lang == "bn":
        assert "Something" not in soup.get_text()


@pytest.mark.urls(__name__)
def test_server_error_without_a_language_prefix_follows_the_remembered_choice(demo):
    client = Client(raise_request_exception=False)
    client.cookies["language"] = "bn"
    soup = soup_of(client.get("/fail/"), status=500)
    assert soup.html["lang"] == "bn"


def test_server_error_page_reads_no_database(django_assert_num_queries):
    from website.language import server_error

    request = RequestFactory().get("/bn/news/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert 'lang="bn"' in response.content.decode()


def test_server_error_page_never_raises_even_without_its_template(monkeypatch):
    from website import language

    def broken(*args, **kwargs):
        raise RuntimeError("templates are broken too")

    monkeypatch.setattr(language.loader, "get_template", broken)
    response = language.server_error(RequestFactory().get("/bn/news/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "কিছু একটা ভুল হয়েছে" in html


# Bangla pages that are missing


def test_missing_bangla_page_links_to_the_english_original(client, news_index):
    add_english_article(news_index)
    soup = soup_of(client.get("/bn/news/only-in-english/"), status=404)
    assert soup.html["lang"] == "bn"
    assert soup.h1.get_text(strip=True) == "এই পাতাটি এখনো বাংলায় নেই"
    link = soup.select_one("main a.english-original")
    assert link["href"] == "/en/news/only-in-english/"
    assert link["lang"] == "en"
    assert link["hreflang"] == "en"
    assert link.get_text(strip=True) == "Only in English"


def test_missing_page_without_a_live_english_original_is_a_plain_404(client, news_index):
    page = add_english_article(news_index)
    page.unpublish()
    soup = soup_of(client.get("/bn/news/only-in-english/"), status=404)
    assert soup.h1.get_text(strip=True) == "পাতাটি পাওয়া যায়নি"
    assert soup.select_one("a.english-original") is None


def test_english_404_does_not_look_for_an_original(client, news_index):
    with CaptureQueriesContext(connection) as english:
        client.get("/en/news/nothing-here/")
    with CaptureQueriesContext(connection) as bangla:
        client.get("/bn/news/nothing-here/")

    english_path = f"{HomePage.objects.get(locale__language_code='en').url_path}news/nothing-here/"

    def lookups(captured):
        return [q for q in captured if f"url_path\" = '{english_path}'" in q["sql"]]

    assert lookups(english) == []
    assert len(lookups(bangla)) == 1


def test_english_tree_is_not_served_under_bn_when_the_bangla_home_is_not_live(client, bn_home):
    Page.objects.filter(pk=bn_home.pk).update(live=False)
    soup = soup_of(client.get("/bn/news/"), status=404)
    assert soup.select_one("a.english-original")["href"] == "/en/news/"
    assert soup_of(client.get("/en/news/")).html["lang"] == "en"


# Bangla pages that wagtail-localize published with English in them


def translate_into(page, locale, capture_on_commit):
    """An officer's "Translate" (a draft in English), then a translator publishing it as it is:
    the Bangla page goes live with the English text."""
    from wagtail_localize.operations import translate_object

    with capture_on_commit(execute=True):
        translate_object(page, [locale])
        page.get_translation(locale).get_latest_revision().publish()
    return page.get_translation(locale)


def translate_strings(page, locale, share):
    """A translator translates `share` of the page's strings (without publishing)."""
    from wagtail_localize.models import StringSegment, StringTranslation, Translation

    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=locale
    )
    segments = list(StringSegment.objects.filter(source=translation.source).order_by("order"))
    for number, segment in enumerate(segments[: round(len(segments) * share)]):
        StringTranslation.objects.create(
            translation_of=segment.string,
            context=segment.context,
            locale=locale,
            data=f"বাংলা লেখা {number}",
            translation_type="manual",
        )
    return translation


def notice_of(soup):
    return soup.select_one("main .translation-notice")


def test_published_copy_still_in_english_says_so_in_bangla(
    client, news_index, bn, django_capture_on_commit_callbacks
):
    page = add_english_article(news_index)
    bn_page = translate_into(page, bn, django_capture_on_commit_callbacks)
    assert bn_page.live

    soup = soup_of(client.get("/bn/news/only-in-english/"))
    assert soup.html["lang"] == "bn"
    assert soup.h1.get_text(strip=True) == "Only in English"  # the English text, live under /bn/
    assert soup.main["lang"] == "en"
    notice = notice_of(soup)
    assert notice["lang"] == "bn"
    assert "এখনো বাংলায় অনুবাদ করা হয়নি" in notice.get_text()
    original = notice.select_one("a[hreflang='en']")
    assert original["href"] == "/en/news/only-in-english/"


def test_unpublished_translation_work_does_not_hide_the_notice(
    client, news_index, bn, django_capture_on_commit_callbacks
):
    page = add_english_article(news_index)
    translate_into(page, bn, django_capture_on_commit_callbacks)
    translation = translate_strings(page, bn, share=1)
    assert translation.get_progress()[0] == translation.get_progress()[1] > 0

    soup = soup_of(client.get("/bn/news/only-in-english/"))
    assert notice_of(soup) is not None  # the live page is still the English copy
    assert soup.main["lang"] == "en"

    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    soup = soup_of(client.get("/bn/news/only-in-english/"))
    assert notice_of(soup) is None
    assert not soup.main.has_attr("lang")
    assert soup.h1.get_text(strip=True).startswith("বাংলা লেখা")


def test_partly_translated_page_says_some_passages_are_in_english(
    client, news_index, bn, django_capture_on_commit_callbacks
):
    page = add_english_article(news_index)
    translate_into(page, bn, django_capture_on_commit_callbacks)
    translation = translate_strings(page, bn, share=0.67)
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)

    soup = soup_of(client.get("/bn/news/only-in-english/"))
    assert "আংশিক অনুবাদ" in notice_of(soup).get_text()
    assert not soup.main.has_attr("lang")  # mostly Bangla: the page's own lang stays


@pytest.mark.parametrize("path", ["/bn/", "/bn/stories/mothers-at-work/", "/bn/events/"])
def test_fully_translated_demo_pages_have_no_notice(client, demo, path):
    soup = soup_of(client.get(path))
    assert notice_of(soup) is None
    assert not soup.main.has_attr("lang")


def localize_queries(captured):
    return [q for q in captured if "wagtail_localize_stringsegment" in q["sql"]]


def test_translation_check_costs_one_query_and_none_in_english(client, demo):
    with CaptureQueriesContext(connection) as bangla:
        client.get("/bn/stories/mothers-at-work/")
    with CaptureQueriesContext(connection) as english:
        client.get("/en/stories/mothers-at-work/")
    assert len(localize_queries(bangla)) == 1
    assert localize_queries(english) == []
