"""Translation status report (Reports → Translation status) and translators' rights on snippets."""

import csv
import datetime
import io
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail import hooks
from wagtail.models import Locale, Page
from wagtail.permissions import policy_registry
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, TranslationSource

from events.models import EventCategory
from stories.models import NewsIndexPage, NewsPage
from website.demo.users import OFFICERS, TRANSLATORS
from website.models import DonorPartner, SiteText, Topic
from website.translation_report import action_for, type_choices
from website.translation_status import (
    ENGLISH_ONLY,
    MISSING,
    NOT_LIVE,
    NOT_REPUBLISHED,
    NOT_TRANSLATED,
    OUT_OF_DATE,
    SOURCE_CHANGED,
    TRANSLATED,
    UNTRANSLATED_STRINGS,
    item_statuses,
    summarise,
)

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/translation-status/"
STRATEGY_TITLE = "Strategy 2022–2027 launched at the Business Forum in Dhaka"


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def bn():
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def officer(client, demo):
    client.force_login(user("officer"))
    return client


@pytest.fixture
def translator(client, demo):
    client.force_login(user("translator"))
    return client


def status_of(model, pk):
    (status,) = [s for s in item_statuses() if s.model is model and s.source_pk == pk]
    return status


def add_english_article(title="Untranslated news", slug="untranslated-news"):
    index = NewsIndexPage.objects.get(locale=Locale.get_default())
    page = NewsPage(title=title, slug=slug, summary="Only in English.", date=datetime.date.today())
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(content)))


# Counts


def test_demo_is_fully_translated(demo):
    statuses = item_statuses()
    english_pages = Page.objects.filter(locale=demo.locale, depth__gt=1, live=True).count()
    english_snippets = sum(
        model.objects.filter(locale=demo.locale).count()
        for model in (Topic, EventCategory, SiteText, DonorPartner)
    )
    assert len(statuses) == english_pages + english_snippets
    assert {s.status for s in statuses} == {TRANSLATED}
    rows, totals = summarise(statuses)
    (total,) = totals
    assert (total.sources, total.translated, total.missing, total.out_of_date) == (
        len(statuses),
        len(statuses),
        0,
        0,
    )
    assert total.percent == 100
    topics = next(row for row in rows if row.model is Topic)
    assert topics.sources == topics.translated == Topic.objects.filter(locale=demo.locale).count()
    assert {row.model for row in rows} >= {NewsPage, Topic, EventCategory, SiteText, DonorPartner}


def test_report_shows_the_summary_and_nothing_to_do(officer):
    response = officer.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "100%" in html
    (total,) = response.context["totals"]
    assert total.percent == 100
    assert list(response.context["object_list"]) == []  # no problem rows


def test_status_queries_do_not_grow_with_pages(demo):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            item_statuses()
        return len(captured.captured_queries)

    before = queries()
    for number in range(3):
        add_english_article(f"More news {number}", f"more-news-{number}")
    assert queries() == before


# Missing


def test_new_english_page_is_listed_missing_with_a_translate_link(officer):
    page = add_english_article()
    status = status_of(NewsPage, page.pk)
    assert (status.status, status.reasons) == (MISSING, [NOT_TRANSLATED])
    (total,) = summarise(item_statuses())[1]
    assert total.missing == 1 and total.percent == (total.sources - 1) * 100 // total.sources
    assert total.percent < 100

    response = officer.get(REPORT)
    rows = list(response.context["object_list"])
    assert [row.title for row in rows] == ["Untranslated news"]
    translate_url = reverse("wagtail_localize:submit_page_translation", args=[page.pk])
    assert rows[0].action_url == translate_url
    assert f'href="{translate_url}"' in response.content.decode()


def test_translators_see_the_report_without_links_to_officers_actions(translator):
    page = add_english_article()
    response = translator.get(REPORT)
    assert response.status_code == 200
    (row,) = response.context["object_list"]
    assert row.source_pk == page.pk
    assert row.action_url is None
    submit_url = reverse("wagtail_localize:submit_page_translation", args=[page.pk])
    assert submit_url not in response.content.decode()


def admin_user_without_page_rights(*codenames):
    nobody = get_user_model().objects.create_user("nobody", "nobody@example.org", "x")
    nobody.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )
    return nobody


def test_report_is_refused_to_admin_users_without_page_rights(client, demo):
    client.force_login(admin_user_without_page_rights())
    response = client.get(REPORT)
    assert response.status_code in (302, 403)
    assert "object_list" not in (response.context or {})
    dashboard = client.get("/admin/").content.decode()
    assert 'id="translation-status-section"' not in dashboard


def test_report_is_in_the_reports_menu_and_on_the_dashboard(officer, rf):
    html = officer.get("/admin/").content.decode()
    assert 'id="translation-status-section"' in html  # the dashboard panel
    (item,) = [
        hook()
        for hook in hooks.get_hooks("register_reports_menu_item")
        if hook.__module__ == "website.wagtail_hooks"
    ]
    assert item.url == REPORT
    request = rf.get("/admin/")
    for username, shown in [("officer", True), ("translator", True)]:
        request.user = user(username)
        assert item.is_shown(request) is shown
    request.user = admin_user_without_page_rights()
    assert not item.is_shown(request)


def test_a_translation_published_untouched_is_not_translated_rather_than_out_of_date(
    client, bn, django_capture_on_commit_callbacks
):
    page = add_english_article()
    client.force_login(user("officer"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
            {"locales": [bn.pk]},
        )
    status = status_of(NewsPage, page.pk)
    assert (status.status, status.reasons) == (MISSING, [NOT_LIVE])  # a draft for translators

    # a translator publishes it before translating anything: still English only
    bangla = page.get_translation(bn)
    client.force_login(user("translator"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/pages/{bangla.pk}/edit/", {"action": "publish"})
    assert Page.objects.get(pk=bangla.pk).live
    status = status_of(NewsPage, page.pk)
    assert (status.status, status.reasons) == (MISSING, [ENGLISH_ONLY])
    assert status.status_label == "Not translated"
    assert status.reasons_label == "Published with the English text: no string translated yet"
    (row,) = client.get(REPORT).context["object_list"]
    assert row.status_label == "Not translated"


def test_type_names_are_the_models_plural_names_translated(translator):
    """Not the name with an "s" added ("News indexs", "খবরের তালিকাs")."""
    labels = {key: str(label) for key, label in type_choices()}
    assert labels["stories.newsindexpage"] == "News indexes"
    assert labels["website.homepage"] == "Home pages"
    for key, label in labels.items():
        assert not re.search(r"(index|x)s$", label), key
    with translation.override("bn"):
        bangla = {key: str(label) for key, label in type_choices()}
    assert bangla["stories.newsindexpage"] == "খবরের তালিকা"
    assert [label for label in bangla.values() if re.search("[A-Za-z]", label)] == []

    profile = UserProfile.get_for_user(user("translator"))
    profile.preferred_language = "bn"
    profile.save()
    html = translator.get(REPORT, {"status": "all"}).content.decode()
    assert "প্রথম পাতা" in html
    assert not re.search(r"[\u0980-\u09FF]s\b", html)


# Out of date


def sync(client, page, publish=False):
    """What an officer's "Sync translated pages" does: re-extract the English source."""
    source = TranslationSource.objects.get_for_instance(page)
    data = {"publish_translations": "on"} if publish else {}
    response = client.post(reverse("wagtail_localize:update_translations", args=[source.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return source


@pytest.mark.parametrize("publish_on_sync", [False, True])
def test_changed_english_page_is_out_of_date_until_the_bangla_is_republished(
    client, demo, bn, publish_on_sync, django_capture_on_commit_callbacks
):
    page = NewsPage.objects.get(locale=demo.locale, title=STRATEGY_TITLE)
    assert status_of(NewsPage, page.pk).status == TRANSLATED
    page.summary = "A new summary the translator has not seen."
    page.save_revision().publish()

    status = status_of(NewsPage, page.pk)
    assert (status.status, status.reasons) == (OUT_OF_DATE, [SOURCE_CHANGED])
    client.force_login(user("officer"))
    response = client.get(REPORT)
    (row,) = response.context["object_list"]
    assert row.action_label == "Sync translations"

    with django_capture_on_commit_callbacks(execute=True):
        source = sync(client, page, publish=publish_on_sync)
    status = status_of(NewsPage, page.pk)
    assert status.status == OUT_OF_DATE
    expected = (
        [UNTRANSLATED_STRINGS] if publish_on_sync else [NOT_REPUBLISHED, UNTRANSLATED_STRINGS]
    )
    assert status.reasons == expected
    assert status.untranslated_strings == 1
    bangla = page.get_translation(bn)
    for username in ("officer", "translator"):  # both go to the translation editor now
        label, url = action_for(status, user(username))
        assert (label, url) == ("Edit translation", f"/admin/pages/{bangla.pk}/edit/")

    # The translator translates the new string in the editor: still not republished...
    client.force_login(user("translator"))
    translation = source.translations.get(target_locale=bn)
    segment = StringSegment.objects.get(source=source, string__data=page.summary)
    response = client.put(
        reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
        urlencode({"value": "অনুবাদকের নতুন সারাংশ।"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 201)
    status = status_of(NewsPage, page.pk)
    assert status.reasons == ([] if publish_on_sync else [NOT_REPUBLISHED])
    if not publish_on_sync:
        assert status.status == OUT_OF_DATE

    # ...and publishes: up to date again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/{bangla.pk}/edit/", {"action": "publish"})
    assert response.status_code in (200, 302)
    assert NewsPage.objects.get(pk=bangla.pk).summary == "অনুবাদকের নতুন সারাংশ।"
    assert status_of(NewsPage, page.pk).status == TRANSLATED


def test_changed_english_snippet_is_out_of_date_with_a_sync_link(officer, demo):
    topic = Topic.objects.get(locale=demo.locale, slug="gender")
    topic.name = "Gender equality and inclusion"
    topic.save()
    status = status_of(Topic, topic.pk)
    assert (status.status, status.reasons) == (OUT_OF_DATE, [SOURCE_CHANGED])
    response = officer.get(REPORT, {"type": "website.topic"})
    (row,) = response.context["object_list"]
    assert row.title == "Gender equality and inclusion"
    source = TranslationSource.objects.get_for_instance(topic)
    assert row.action_url == reverse("wagtail_localize:update_translations", args=[source.pk])


# Filters and export


def test_filters_by_type_and_status(officer, demo):
    add_english_article()
    Topic.objects.filter(locale=demo.locale, slug="gender").update(name="Changed")
    titles = lambda response: sorted(row.title for row in response.context["object_list"])  # noqa: E731
    assert titles(officer.get(REPORT)) == ["Changed", "Untranslated news"]
    assert titles(officer.get(REPORT, {"type": "stories.newspage"})) == ["Untranslated news"]
    assert titles(officer.get(REPORT, {"status": "out_of_date"})) == ["Changed"]
    translated = officer.get(REPORT, {"status": "translated", "type": "website.topic"})
    assert "Changed" not in titles(translated)
    assert len(titles(translated)) == Topic.objects.filter(locale=demo.locale).count() - 1


def test_csv_export_lists_the_problem_rows_with_absolute_links(officer):
    page = add_english_article()
    page.refresh_from_db()
    rows = csv_rows(officer.get(REPORT, {"export": "csv"}))
    assert rows == [
        {
            "Type": "News articles",
            "Original": "Untranslated news",
            "Language": Locale.objects.get(language_code="bn").get_display_name(),
            "Status": "Not translated",
            "Details": "No translation yet",
            "Source published": page.last_published_at.isoformat(timespec="seconds"),
            "Source synced": "",
            "Translation published": "",
            "Strings without a translation": "0",
            "Next step": "Translate",
            "Link": "http://testserver"
            + reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        }
    ]


def test_csv_export_of_everything_has_a_row_per_source_item(officer):
    rows = csv_rows(officer.get(REPORT, {"export": "csv", "status": "all"}))
    assert len(rows) == len(item_statuses())
    assert {row["Status"] for row in rows} == {"Translated"}
    assert "Topics" in {row["Type"] for row in rows}


def test_csv_export_is_in_the_users_admin_language(translator):
    profile = UserProfile.get_for_user(user("translator"))
    profile.preferred_language = "bn"
    profile.save()
    rows = csv_rows(translator.get(REPORT, {"export": "csv", "status": "all"}))
    assert list(rows[0])[:4] == ["ধরন", "মূল", "ভাষা", "অবস্থা"]
    assert {row["অবস্থা"] for row in rows} == {"অনূদিত"}


# Translators and translatable snippets


@pytest.mark.parametrize("model", [Topic, EventCategory, SiteText, DonorPartner])
def test_translators_change_only_bangla_snippets_and_delete_none(demo, bn, model):
    policy = policy_registry.get_by_type(model)
    english = model.objects.filter(locale=demo.locale).first()
    bangla = english.get_translation(bn)
    translator, officer = user("translator"), user("officer")
    assert policy.user_has_permission_for_instance(translator, "change", bangla)
    assert not policy.user_has_permission_for_instance(translator, "change", english)
    assert not policy.user_has_permission_for_instance(translator, "delete", bangla)
    assert not policy.user_has_permission(translator, "add")
    changeable = policy.instances_user_has_permission_for(translator, "change")
    assert bangla in changeable and english not in changeable
    for instance in (english, bangla):
        assert policy.user_has_permission_for_instance(officer, "change", instance)
        # officers delete what their model permissions allow (site texts: never), in both languages
        may_delete = officer.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
        assert policy.user_has_permission_for_instance(officer, "delete", instance) is may_delete
    assert model is SiteText or officer.has_perm(
        f"{model._meta.app_label}.delete_{model._meta.model_name}"
    )


def test_translator_edits_and_publishes_a_bangla_topic(
    translator, demo, bn, django_capture_on_commit_callbacks
):
    english = Topic.objects.get(locale=demo.locale, slug="gender")
    bangla = english.get_translation(bn)
    edit_url = f"/admin/snippets/website/topic/edit/{bangla.pk}/"
    response = translator.get(edit_url)
    assert response.status_code == 200
    assert b"w-translation" in response.content or b"translation-editor" in response.content

    source = TranslationSource.objects.get_for_instance(english)
    translation = source.translations.get(target_locale=bn)
    segment = StringSegment.objects.get(source=source, string__data=english.name)
    response = translator.put(
        reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
        urlencode({"value": "জেন্ডার সমতা (সংশোধিত)"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = translator.post(edit_url, {"action": "publish"})
    assert response.status_code in (200, 302)
    assert Topic.objects.get(pk=bangla.pk).name == "জেন্ডার সমতা (সংশোধিত)"
    assert Topic.objects.get(pk=english.pk).name == english.name
    assert status_of(Topic, english.pk).status == TRANSLATED


def test_translator_cannot_edit_an_english_topic(translator, demo):
    english = Topic.objects.get(locale=demo.locale, slug="gender")
    edit_url = f"/admin/snippets/website/topic/edit/{english.pk}/"
    response = translator.get(edit_url, follow=True)
    assert response.redirect_chain[0][0] == "/admin/snippets/website/topic/"
    with translation.override("bn"):  # the translator's admin language
        refusal = translation.gettext(
            "Only communications officers can change or delete the English version. "
            "Translators edit the Bangla one."
        )
    assert refusal in response.content.decode()
    response = translator.post(edit_url, {"name": "Hijacked", "slug": "gender"})
    assert response.status_code == 302
    assert Topic.objects.get(pk=english.pk).name == english.name


def test_translator_cannot_delete_a_bangla_topic(translator, demo, bn):
    bangla = Topic.objects.get(locale=demo.locale, slug="gender").get_translation(bn)
    response = translator.post(f"/admin/snippets/website/topic/delete/{bangla.pk}/")
    assert response.status_code in (302, 403)
    assert Topic.objects.filter(pk=bangla.pk).exists()


def test_deleting_an_english_topic_needs_the_source_permission_too(client, demo, bn):
    editor = admin_user_without_page_rights("change_topic", "delete_topic")
    client.force_login(editor)
    english = Topic.objects.get(locale=demo.locale, slug="gender")
    response = client.post(f"/admin/snippets/website/topic/delete/{english.pk}/", follow=True)
    assert Topic.objects.filter(pk=english.pk).exists()
    assert "Only communications officers can change or delete" in response.content.decode()
    bangla = english.get_translation(bn)
    client.post(f"/admin/snippets/website/topic/delete/{bangla.pk}/")
    assert not Topic.objects.filter(pk=bangla.pk).exists()


def test_officer_still_edits_the_english_topic(officer, demo):
    english = Topic.objects.get(locale=demo.locale, slug="gender")
    response = officer.post(
        f"/admin/snippets/website/topic/edit/{english.pk}/",
        {"name": "Gender equality (edited)", "slug": "gender"},
    )
    assert response.status_code == 302
    assert Topic.objects.get(pk=english.pk).name == "Gender equality (edited)"


def test_load_demo_grants_the_snippet_rights(demo):
    translators = set(
        Group.objects.get(name=TRANSLATORS).permissions.values_list("codename", flat=True)
    )
    assert {"change_topic", "change_eventcategory", "change_sitetext", "change_donorpartner"} <= (
        translators
    )
    assert not {"delete_topic", "add_topic", "edit_source_snippets"} & translators
    officers = Group.objects.get(name=OFFICERS).permissions.values_list("codename", flat=True)
    assert "edit_source_snippets" in officers
