"""The translator's work through the admin's own HTTP views, and the translation memory.

The translation editor is a React app on wagtail-localize's views: the page's edit view renders
the editor with its segments as JSON props, each string is saved with a PUT to its `editUrl`, and
publishing posts `action=publish` back to the edit view. These tests make the same requests as
the editor, logged in as the demo users, and read the result on the public Bangla page.
"""

import json

import polib
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone, translation
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from stories.models import StoriesIndexPage, StoryPage
from tests.conftest import DEMO_PASSWORD
from website.translation_memory import TOOL_NAME, fill_from_memory

pytestmark = pytest.mark.django_db

STORY = "mothers-at-work"
HEADING = "Seven minimum standards"  # a heading block in the story's body
HEADING_BN = "সাতটি ন্যূনতম মানদণ্ড"  # its Bangla in the demo


@pytest.fixture
def bn(demo):
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def story(demo):
    return StoryPage.objects.get(locale=demo.locale, slug=STORY)


@pytest.fixture
def bn_story(story, bn):
    return story.get_translation(bn)


@pytest.fixture
def translator(client):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def officer(client):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def publishing(django_capture_on_commit_callbacks):
    """wagtail-localize publishes a translated page on commit: run it as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def translation_of(page, locale):
    return Translation.objects.get(source__object_id=page.translation_key, target_locale=locale)


def editor_props(client, page):
    """The translation editor's props, as the admin's edit view of a Bangla page renders them."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    editor = BeautifulSoup(response.content, "html.parser").select_one(".js-translation-editor")
    assert editor is not None, "the page editor is not wagtail-localize's translation editor"
    return json.loads(editor["data-props"])


def string_segment(props, source):
    [segment] = [s for s in props["segments"] if s["type"] == "string" and s["source"] == source]
    return segment


def saved_translation(props, segment):
    """The translation the editor shows for `segment`, or None when it is still to do."""
    found = [t for t in props["initialStringTranslations"] if t["segment_id"] == segment["id"]]
    return found[0] if found else None


def put_string(client, segment, value):
    """What the editor's Save button sends for one string."""
    return client.put(
        segment["editUrl"], encode_multipart(BOUNDARY, {"value": value}), MULTIPART_CONTENT
    )


def download_po(client, translation):
    response = client.get(f"/admin/localize/translate/{translation.pk}/pofile/download/")
    assert response.status_code == 200
    return polib.pofile(response.content.decode())


def upload_po(client, translation, po, **data):
    upload = SimpleUploadedFile("upload-bn.po", str(po).encode(), "text/x-gettext-translation")
    url = f"/admin/localize/translate/{translation.pk}/pofile/upload/"
    return client.post(url, {"file": upload, **data})


def sync_url(page):
    """The officer's "Sync translated pages" (wagtail-localize's update translations view)."""
    return f"/admin/localize/update/{TranslationSource.objects.get_for_instance(page).pk}/"


def sources_in_editor(props):
    return [s["source"] for s in props["segments"] if s["type"] == "string"]


def publish_in_editor(client, page, publishing):
    with publishing():
        response = client.post(f"/admin/pages/{page.pk}/edit/", {"action": "publish"})
    assert response.status_code == 302
    return response


def public_page(client, page):
    client.logout()  # what a visitor sees, not a preview
    response = client.get(Page.objects.get(pk=page.pk).url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def public_text(client, page):
    return public_page(client, page).get_text(" ")


def public_headings(client, page):
    """The section headings of the page's body."""
    return [h.get_text(strip=True) for h in public_page(client, page).select("main h2, main h3")]


def first_heading(client, page):
    """The page's first section heading: the one these tests change."""
    return public_headings(client, page)[0]


# The translator's workflow


def test_translator_saves_a_string_in_the_editor_and_publishes_it(translator, bn_story, publishing):
    props = editor_props(translator, bn_story)
    heading = string_segment(props, HEADING)
    assert saved_translation(props, heading)["data"] == HEADING_BN

    response = put_string(translator, heading, "কর্মজীবী মায়েদের সাত অধিকার")
    assert response.status_code == 200
    assert response.json()["data"] == "কর্মজীবী মায়েদের সাত অধিকার"
    assert response.json()["last_translated_by"] is not None
    # saved, not yet published
    assert first_heading(translator, bn_story) == HEADING_BN

    assert translator.login(username="translator", password=DEMO_PASSWORD)
    publish_in_editor(translator, bn_story, publishing)
    assert first_heading(translator, bn_story) == "কর্মজীবী মায়েদের সাত অধিকার"


def test_po_download_edit_upload_changes_the_bangla_page(translator, bn_story, bn, publishing):
    translation = translation_of(bn_story, bn)
    response = translator.get(f"/admin/localize/translate/{translation.pk}/pofile/download/")
    assert response["Content-Disposition"].endswith("-bn.po")
    po = download_po(translator, translation)
    [entry] = [e for e in po if e.msgid == HEADING]
    assert entry.msgstr == HEADING_BN
    entry.msgstr = "কর্মজীবী মায়েদের জন্য সাতটি মান"

    edit_url = f"/admin/pages/{bn_story.pk}/edit/"
    response = upload_po(translator, translation, po, next=edit_url)
    assert response.status_code == 302 and response["Location"] == edit_url
    stored = StringTranslation.objects.get(
        translation_of__data=HEADING, locale=bn, context__object_id=bn_story.translation_key
    )
    assert (stored.data, stored.tool_name) == ("কর্মজীবী মায়েদের জন্য সাতটি মান", "PO File")
    assert stored.last_translated_by.username == "translator"

    publish_in_editor(translator, bn_story, publishing)
    assert first_heading(translator, bn_story) == "কর্মজীবী মায়েদের জন্য সাতটি মান"


def test_a_po_file_of_another_translation_is_refused(translator, bn_story, bn, demo):
    po = download_po(translator, translation_of(demo.get_translation(bn), bn))
    for entry in po:
        entry.msgstr = "ভুল"
    response = upload_po(translator, translation_of(bn_story, bn), po, next="/admin/")
    with translation.override("bn"):  # the translator's admin language
        refusal = translation.gettext(
            "Cannot import PO file that was created for a different translation."
        )
    assert refusal in translator.get(response["Location"]).content.decode()
    assert not StringTranslation.objects.filter(data="ভুল").exists()


def change_heading(page, new_text):
    """The officer edits a heading of the English page and publishes it."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="officer")
    page = StoryPage.objects.get(pk=page.pk)
    for block in page.body:
        if block.block_type == "heading" and block.value["text"] == HEADING:
            block.value["text"] = new_text
    page.save_revision(user=user).publish(user=user)
    return page


def test_changed_source_string_needs_translation_after_sync(
    client, story, bn_story, bn, publishing
):
    changed = "Seven minimum standards for working mothers"
    change_heading(story, changed)

    # the translator sees nothing new before the officer syncs
    assert client.login(username="translator", password=DEMO_PASSWORD)
    assert changed not in sources_in_editor(editor_props(client, bn_story))
    # ...and cannot sync themselves (wagtail_localize.submit_translation is the officers')
    refused = client.post(sync_url(story), {}, follow=True)
    with translation.override("bn"):  # the translator's admin language
        refusal = translation.gettext("Sorry, you do not have permission to access this area.")
    assert refusal in refused.content.decode()
    assert HEADING in sources_in_editor(editor_props(client, bn_story))

    assert client.login(username="officer", password=DEMO_PASSWORD)
    assert client.get(sync_url(story)).status_code == 200
    with publishing():
        assert client.post(sync_url(story), {}).status_code == 302

    bn_translation = translation_of(bn_story, bn)
    total, translated = bn_translation.get_progress()
    assert translated == total - 1
    assert not StringTranslation.objects.filter(translation_of__data=changed, locale=bn).exists()

    assert client.login(username="translator", password=DEMO_PASSWORD)
    props = editor_props(client, bn_story)
    assert saved_translation(props, string_segment(props, changed)) is None  # still to do
    assert HEADING not in sources_in_editor(props)
    # the old translation stays in the PO file for reference, marked obsolete
    po = download_po(client, bn_translation)
    assert [e.msgstr for e in po if e.msgid == changed] == [""]
    assert [e.msgstr for e in po.obsolete_entries() if e.msgid == HEADING] == [HEADING_BN]
    # not published by the sync: the Bangla page still reads as before
    assert first_heading(client, bn_story) == HEADING_BN


# Translation memory

SHARED = "Workers in partner factories earn their full wage on time."


def add_story(slug, *, summary, title=None, body=None):
    index = StoriesIndexPage.objects.get(locale=Locale.get_default())
    page = StoryPage(
        title=title or slug.replace("-", " ").capitalize(),
        slug=slug,
        summary=summary,
        body=body or [],
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def submit_for_translation(client, page, locale, publishing):
    """The officer's "Translate this page" into Bangla."""
    assert client.login(username="officer", password=DEMO_PASSWORD)
    with publishing():
        response = client.post(f"/admin/localize/submit/page/{page.pk}/", {"locales": [locale.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    return page.get_translation(locale)


def translate_in_editor(client, page, source_text, value):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    segment = string_segment(editor_props(client, page), source_text)
    assert put_string(client, segment, value).status_code in (200, 201)


def test_a_string_translated_on_one_page_is_prefilled_on_another(client, bn, publishing):
    bangla = "অংশীদার কারখানার শ্রমিকেরা সময়মতো পুরো মজুরি পান।"
    page_a = add_story("wages-on-time", summary=SHARED)
    bn_a = submit_for_translation(client, page_a, bn, publishing)
    translate_in_editor(client, bn_a, SHARED, bangla)

    # the same sentence in another field (a paragraph) of another page
    page_b = add_story(
        "wage-digitisation",
        summary="Factories pay by mobile money.",
        body=[("paragraph", f"<p>{SHARED}</p>")],
    )
    bn_b = submit_for_translation(client, page_b, bn, publishing)
    translation_b = translation_of(page_b, bn)

    # the translator finds it done in the editor, marked as coming from memory
    assert client.login(username="translator", password=DEMO_PASSWORD)
    props = editor_props(client, bn_b)
    prefilled = saved_translation(props, string_segment(props, SHARED))
    assert prefilled["data"] == bangla
    assert "অনুবাদ স্মৃতি" in prefilled["comment"]  # the tool named in the translator's Bangla
    assert prefilled["last_translated_by"] is not None  # credited to whoever translated it
    # the other strings of page B are still to do
    assert saved_translation(props, string_segment(props, "Factories pay by mobile money.")) is None
    # in the PO download too
    po = download_po(client, translation_b)
    assert [e.msgstr for e in po if e.msgid == SHARED] == [bangla]
    # and the Bangla page, a draft until the translator publishes it, has it
    publish_in_editor(client, bn_b, publishing)
    assert bangla in public_text(client, bn_b)


def test_text_new_in_a_synced_source_is_prefilled_from_memory(client, bn, publishing):
    bangla = "অংশীদার কারখানার শ্রমিকেরা সময়মতো পুরো মজুরি পান।"
    page_a = add_story("wages-on-time", summary=SHARED)
    bn_a = submit_for_translation(client, page_a, bn, publishing)
    translate_in_editor(client, bn_a, SHARED, bangla)
    page_b = add_story("wage-digitisation", summary="Factories pay by mobile money.")
    submit_for_translation(client, page_b, bn, publishing)
    assert not StringTranslation.objects.filter(
        context__object_id=page_b.translation_key, translation_of__data=SHARED
    ).exists()

    # the officer adds the sentence to page B's English source, publishes and syncs
    page_b = StoryPage.objects.get(pk=page_b.pk)
    page_b.body = [("paragraph", f"<p>{SHARED}</p>")]
    page_b.save_revision().publish()
    assert client.login(username="officer", password=DEMO_PASSWORD)
    with publishing():
        response = client.post(sync_url(page_b), {"publish_translations": "on"})
    assert response.status_code == 302

    copied = StringTranslation.objects.get(
        context__object_id=page_b.translation_key, translation_of__data=SHARED, locale=bn
    )
    assert (copied.data, copied.tool_name) == (bangla, TOOL_NAME)
    assert bangla in public_text(client, page_b.get_translation(bn))


def test_memory_never_overwrites_an_existing_translation(client, bn, publishing):
    page_a = add_story("wages-on-time", summary=SHARED)
    page_b = add_story("wage-digitisation", summary=SHARED)
    # page B's summary already has its own Bangla, made before page B was submitted
    source_b, _ = TranslationSource.get_or_create_from_instance(page_b)
    segment_b = StringSegment.objects.get(source=source_b, context__path="summary")
    own = StringTranslation.objects.create(
        translation_of=segment_b.string,
        locale=bn,
        context=segment_b.context,
        data="মজুরি সময়মতো ও পুরোপুরি দেওয়া হয়।",
        translation_type="manual",
    )
    # a newer, different translation of the same sentence on page A
    bn_a = submit_for_translation(client, page_a, bn, publishing)
    translate_in_editor(client, bn_a, SHARED, "অংশীদার কারখানার শ্রমিকেরা সময়মতো পুরো মজুরি পান।")

    bn_b = submit_for_translation(client, page_b, bn, publishing)
    own.refresh_from_db()
    assert (own.data, own.tool_name) == ("মজুরি সময়মতো ও পুরোপুরি দেওয়া হয়।", "")
    assert client.login(username="translator", password=DEMO_PASSWORD)
    publish_in_editor(client, bn_b, publishing)
    assert "মজুরি সময়মতো ও পুরোপুরি দেওয়া হয়।" in public_text(client, bn_b)
    # running the memory again changes nothing either
    assert fill_from_memory(translation_of(page_b, bn)) == 0
    own.refresh_from_db()
    assert own.data == "মজুরি সময়মতো ও পুরোপুরি দেওয়া হয়।"


def test_memory_uses_the_most_recent_translation_and_skips_errors(bn, publishing, client):
    page_a = add_story("wages-on-time", summary=SHARED)
    page_c = add_story("wages-and-overtime", summary=SHARED)
    page_b = add_story("wage-digitisation", summary=SHARED)
    bn_a = submit_for_translation(client, page_a, bn, publishing)
    translate_in_editor(client, bn_a, SHARED, "পুরোনো অনুবাদ।")
    bn_c = submit_for_translation(client, page_c, bn, publishing)
    translate_in_editor(client, bn_c, SHARED, "নতুন অনুবাদ।")  # more recent than page A's
    # a still newer translation that wagtail-localize flagged as an error is not offered
    StringTranslation.objects.filter(context__object_id=page_a.translation_key).update(
        data="<b>ভুল", has_error=True, updated_at=timezone.now()
    )

    submit_for_translation(client, page_b, bn, publishing)
    copied = StringTranslation.objects.get(
        context__object_id=page_b.translation_key, translation_of__data=SHARED, locale=bn
    )
    assert copied.data == "নতুন অনুবাদ।"
