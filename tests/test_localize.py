"""website.localize: one rule for showing translatable objects in a language, else the source."""

import pytest
from wagtail.models import Locale, Page

from stories.models import NewsPage
from website.localize import localize, pick_localized
from website.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def locales(demo):
    return Locale.objects.get(language_code="en"), Locale.objects.get(language_code="bn")


def test_localize_swaps_for_the_translation_and_keeps_the_rest(locales, django_assert_num_queries):
    en, bn = locales
    topics = list(Topic.objects.filter(locale=en).order_by("pk")[:2])
    untranslated = Topic.objects.create(name="Only in English", locale=en)
    with django_assert_num_queries(1):
        result = localize([topics[0], None, untranslated, topics[1]], bn, Topic.objects.all())
    assert [t.locale_id if t else None for t in result] == [bn.pk, None, en.pk, bn.pk]
    assert result[0].translation_key == topics[0].translation_key
    assert result[2] is untranslated  # no translation: the source itself
    with django_assert_num_queries(0):  # already in the language: no query at all
        assert localize(result[:1], bn, Topic.objects.all()) == result[:1]


def test_localize_respects_the_queryset(locales):
    en, bn = locales
    page = NewsPage.objects.live().filter(locale=en).first()
    translation = page.get_translation(bn)
    translation.unpublish()
    assert localize([page], bn, Page.objects.live()) == [page]  # the draft is not shown
    assert localize([page], bn, Page.objects.all())[0].pk == translation.pk


def test_pick_localized_prefers_the_language_then_the_source(locales):
    en, bn = locales
    page = NewsPage.objects.live().filter(locale=en).first()
    key = page.translation_key
    candidates = Page.objects.filter(translation_key=key)
    assert pick_localized(candidates, bn)[key].locale_id == bn.pk
    assert pick_localized(candidates, en)[key].pk == page.pk
    fr = Locale.objects.create(language_code="fr")
    assert pick_localized(candidates, fr)[key].pk == page.pk  # the source, not the Bangla copy
    assert pick_localized(Page.objects.none(), bn) == {}
