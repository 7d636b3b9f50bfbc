"""Editorial groups: officers run the site; translators translate into Bangla only."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from wagtail.models import Page

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def user(username):
    return get_user_model().objects.get(username=username)


def test_translator_cannot_publish_or_edit_english_pages(demo):
    perms = demo.permissions_for_user(user("translator"))
    assert not perms.can_publish()
    assert not perms.can_edit()
    assert not perms.can_add_subpage()


def test_translator_can_edit_and_publish_bangla_pages(bn_home):
    perms = bn_home.permissions_for_user(user("translator"))
    assert perms.can_edit()
    assert perms.can_publish()


def test_translator_cannot_delete_a_bangla_page(client, bn_home):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    page = Page.objects.get(locale=bn_home.locale, slug="mothers-at-work")
    assert page.is_leaf()  # Wagtail itself refuses to delete pages with children
    response = client.post(f"/admin/pages/{page.pk}/delete/", follow=True)
    assert Page.objects.filter(pk=page.pk).exists()
    with translation.override("bn"):  # the translator's admin language
        refusal = translation.gettext(
            "Only communications officers can delete pages. Ask one if this page should go."
        )
    assert refusal in response.content.decode()


def test_officer_can_edit_and_publish_in_both_languages(demo, bn_home):
    for page in (demo, bn_home):
        perms = page.permissions_for_user(user("officer"))
        assert perms.can_edit() and perms.can_publish()


def test_translator_publish_request_for_an_english_page_is_refused(client, demo):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    revisions_before = demo.revisions.count()
    response = client.post(
        f"/admin/pages/{demo.pk}/edit/",
        {"title": "Hijacked", "slug": "home", "hero_heading": "Hijacked", "action-publish": "1"},
    )
    assert response.status_code in (302, 403)
    page = Page.objects.get(pk=demo.pk).specific
    assert page.title == "Better Work Bangladesh"
    assert page.hero_heading != "Hijacked"
    assert page.revisions.count() == revisions_before


def test_translator_opens_the_bangla_translation_editor(client, bn_home):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    response = client.get(f"/admin/pages/{bn_home.pk}/edit/")
    assert response.status_code == 200
    # wagtail-localize replaces the page editor of a synced translation with its own
    assert b"translation-editor" in response.content or b"w-translation" in response.content


def test_admin_logs_in_and_sees_the_dashboard(client, demo):
    response = client.post(
        "/admin/login/", {"username": "admin", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/"
    assert response.context["user"].username == "admin"
