"""Handing a page over to the translators (issue 21): "Translate this page" makes a draft that
visitors do not see, the translators are told and find it on their dashboard, they publish it;
only officers may stop a synced translation."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile
from wagtail_localize.models import Translation

from stories.models import NewsIndexPage, NewsPage
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TITLE = "Wage digitisation reaches 300 factories"
SLUG = "wage-digitisation-300"


@pytest.fixture
def bn(demo):
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def article(demo):
    """A new English article, published by an officer."""
    index = NewsIndexPage.objects.get(locale=demo.locale)
    page = NewsPage(
        title=TITLE,
        slug=SLUG,
        summary="Mobile wallets replace cash envelopes in partner factories.",
        date=datetime.date.today(),
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def submit_for_translation(client, page, locale, capture, **extra):
    """The officer's "Translate this page" (wagtail-localize's submit view), committed."""
    login(client, "officer")
    with capture(execute=True):
        response = client.post(
            reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
            {"locales": [locale.pk], **extra},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return page.get_translation(locale)


def visitor_sees(client, url, status=200):
    client.logout()
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_translate_this_page_makes_a_draft_visitors_do_not_see(
    client, article, bn, django_capture_on_commit_callbacks
):
    bn_page = submit_for_translation(client, article, bn, django_capture_on_commit_callbacks)
    assert not bn_page.live and bn_page.has_unpublished_changes
    assert Translation.objects.get(source__object_id=article.translation_key).enabled  # synced

    # its URL: the 404 page linking to the English original, as for any page missing in Bangla
    soup = BeautifulSoup(visitor_sees(client, f"/bn/news/{SLUG}/", 404), "html.parser")
    assert soup.select_one("a.english-original")["href"] == f"/en/news/{SLUG}/"
    for url in [
        "/bn/",
        "/bn/news/",
        "/bn/news/feed/rss/",
        "/bn/news/feed/atom/",
        "/bn/search/?q=digitisation",
        "/sitemap.xml",
    ]:
        html = visitor_sees(client, url)
        assert TITLE not in html, url
        assert f"/bn/news/{SLUG}/" not in html, url
    assert TITLE in visitor_sees(client, "/en/news/")  # the English page is live all along


def test_the_translator_publishes_and_visitors_see_it(
    client, article, bn, django_capture_on_commit_callbacks
):
    bn_page = submit_for_translation(client, article, bn, django_capture_on_commit_callbacks)
    login(client, "translator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/{bn_page.pk}/edit/", {"action": "publish"})
    assert response.status_code == 302
    assert Page.objects.get(pk=bn_page.pk).live
    assert f"/bn/news/{SLUG}/" in visitor_sees(client, "/bn/news/")
    visitor_sees(client, f"/bn/news/{SLUG}/")


def test_translating_subpages_makes_drafts_too(
    client, demo, bn, django_capture_on_commit_callbacks
):
    """The other way wagtail-localize creates Bangla pages in numbers: a section with its pages."""
    index = NewsIndexPage.objects.get(locale=demo.locale)
    section = index.add_child(
        instance=NewsPage(title="Section", slug="section", summary="S.", date=datetime.date.today())
    )
    section.save_revision().publish()
    child = section.add_child(
        instance=NewsPage(title="Below", slug="below", summary="B.", date=datetime.date.today())
    )
    child.save_revision().publish()
    submit_for_translation(
        client, section, bn, django_capture_on_commit_callbacks, include_subtree="on"
    )
    bn_child = child.get_translation(bn)
    assert not bn_child.live


def test_translators_are_emailed_in_their_admin_language(
    client, article, bn, django_capture_on_commit_callbacks
):
    translator = get_user_model().objects.get(username="translator")
    profile = UserProfile.get_for_user(translator)
    profile.preferred_language = "bn"
    profile.save()
    mail.outbox.clear()
    bn_page = submit_for_translation(client, article, bn, django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [[translator.email]]  # not the officers
    message = mail.outbox[0]
    assert message.subject == f'অনুবাদের জন্য (বাংলা): "{TITLE}"'
    assert "অনুবাদের জন্য পাঠিয়েছেন" in message.body
    assert f"/admin/pages/{bn_page.pk}/edit/" in message.body


def test_translators_who_turned_notifications_off_are_not_emailed(
    client, article, bn, django_capture_on_commit_callbacks
):
    translator = get_user_model().objects.get(username="translator")
    profile = UserProfile.get_for_user(translator)
    profile.submitted_notifications = False
    profile.save()
    mail.outbox.clear()
    submit_for_translation(client, article, bn, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_demo_loader_tells_nobody(demo):
    """Its translations are published in the same transaction: nothing waits."""
    assert mail.outbox == []
    assert not Page.objects.filter(locale__language_code="bn", live=False).exists()


def test_waiting_pages_are_on_the_translators_dashboard(
    client, article, bn, django_capture_on_commit_callbacks
):
    bn_page = submit_for_translation(client, article, bn, django_capture_on_commit_callbacks)
    login(client, "translator")
    soup = BeautifulSoup(client.get("/admin/").content, "html.parser")
    panel = soup.select_one("#waiting-for-translation-section")
    assert panel is not None
    link = panel.select_one(f"a[href='/admin/pages/{bn_page.pk}/edit/']")
    assert link.get_text(strip=True) == TITLE

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/pages/{bn_page.pk}/edit/", {"action": "publish"})
    soup = BeautifulSoup(client.get("/admin/").content, "html.parser")
    assert soup.select_one("#waiting-for-translation-section") is None  # nothing waits any more


def test_translators_cannot_stop_a_synced_translation(client, demo, bn):
    translation = Translation.objects.get(source__object_id=demo.translation_key, target_locale=bn)
    stop_url = reverse("wagtail_localize:stop_translation", args=[translation.pk])
    bn_home = demo.get_translation(bn)

    login(client, "translator")
    editor = client.get(f"/admin/pages/{bn_home.pk}/edit/").content.decode()
    assert '[data-w-action-url-value$="/disable/"] { display: none; }' in editor
    assert client.post(stop_url).status_code == 403
    translation.refresh_from_db()
    assert translation.enabled

    login(client, "officer")
    editor = client.get(f"/admin/pages/{bn_home.pk}/edit/").content.decode()
    assert "display: none" not in editor
    assert client.post(stop_url, {"next": "/admin/"}).status_code == 302
    translation.refresh_from_db()
    assert not translation.enabled
