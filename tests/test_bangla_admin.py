"""The admin in Bangla for a translator whose Wagtail preference is Bangla (issue 4).

Wagtail's and wagtail-localize's own Bangla catalogues are thin, so the project's catalogues
(LOCALE_PATHS, which Django merges over every app's) carry the rest: the django domain at the end
of website/locale/bn/LC_MESSAGES/django.po, the JavaScript (djangojs) domain in djangojs.po. Both
JavaScript catalogues the admin loads (Wagtail's /admin/jsi18n/ and wagtail-localize's, which the
translation editor's React app reads) serve the user's preferred language and include ours.

The requests send `Accept-Language: en`: what makes the admin Bangla is the user's preference.
"""

import gettext
import json
import re
from io import StringIO
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from stories.models import StoriesIndexPage, StoryPage
from tests.conftest import DEMO_PASSWORD
from website.models import Topic

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en"}
PACKAGES = Path(__import__("wagtail").__file__).parent.parent


@pytest.fixture
def bn(demo):
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def translator(client):
    """The demo translator, logged in, with the admin set to Bangla in their account."""
    user = get_user_model().objects.get(username="translator")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "bn"
    profile.save()
    assert client.login(username="translator", password=DEMO_PASSWORD)
    return client


def page_text(response):
    """The visible text of an admin page, scripts and styles left out, whitespace collapsed."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "bn"
    for tag in soup(["script", "style", "template"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def assert_bangla(text, bangla, english):
    assert [s for s in bangla if s not in text] == []
    assert [s for s in english if s in text] == []


def js_catalogue(response):
    """msgid -> translation, as Django's JavaScriptCatalog view hands them to gettext()."""
    assert response.status_code == 200
    match = re.search(r"newcatalog = (\{.*?\n\s*\});", response.content.decode(), re.S)
    return json.loads(match.group(1)) if match else {}  # none at all for English


def menu_labels(props):
    if isinstance(props, dict):
        if isinstance(props.get("label"), str):
            yield props["label"]
        props = list(props.values())
    if isinstance(props, list):
        for item in props:
            yield from menu_labels(item)


def test_login_page_in_bangla_for_a_bangla_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="bn")
    text = page_text(response)
    assert_bangla(
        text,
        ["Wagtail-এ প্রবেশ করুন", "সদস্যনাম", "পাসওয়ার্ড", "পাসওয়ার্ড ভুলে গেছেন?", "আমাকে মনে রাখুন"],
        ["Sign in", "Password", "Forgotten password?", "Remember me"],
    )


def test_dashboard_and_main_menu_in_bangla(translator):
    response = translator.get("/admin/", **ENGLISH_BROWSER)
    text = page_text(response)
    assert_bangla(text, ["সাইটের সারসংক্ষেপ"], ["Site summary", "Pages created in"])
    assert 'placeholder="সব পাতায় খুঁজুন…"' in response.content.decode()

    # the sidebar is drawn by JavaScript from JSON props: its menu labels come from the server
    soup = BeautifulSoup(response.content, "html.parser")
    props = json.loads(soup.select_one("#wagtail-sidebar-props").string)
    labels = set(menu_labels(props))
    assert {"সাহায্য", "অ্যাকাউন্ট", "লগ আউট", "সম্পাদকের নির্দেশিকা"} <= labels
    assert not {"Help", "Account", "Log out", "Editor Guide", "Reports"} & labels


def test_page_explorer_in_bangla(translator, bn):
    stories = StoriesIndexPage.objects.get(locale=bn)
    text = page_text(translator.get(f"/admin/pages/{stories.pk}/", **ENGLISH_BROWSER))
    assert_bangla(
        text,
        ["দেখছেন", "হালনাগাদ", "পাতার ধরন", "উপপাতা আছে", "প্রকাশিত"],
        ["Exploring", "Updated", "Page type", "Has child pages", "Sort menu order"],
    )


def test_translation_editor_page_in_bangla(translator, bn):
    story = StoryPage.objects.get(locale=bn, slug="mothers-at-work")
    response = translator.get(f"/admin/pages/{story.pk}/edit/", **ENGLISH_BROWSER)
    text = page_text(response)
    assert_bangla(
        text,
        ["বাংলা অনুবাদ:", "অবস্থা:", "ভাষা:", "পার্শ্ব প্যানেল", "ইতিহাস দেখুন"],
        ["Translation of", "Status:", "Locale:", "Side panels", "View history"],
    )
    # the React app's strings come from wagtail-localize's JavaScript catalogue
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = [tag["src"] for tag in soup.select("script[src]")]
    assert reverse("wagtail_localize:javascript_catalog") in scripts
    assert soup.select_one(".js-translation-editor") is not None


def test_snippet_translation_editor_in_bangla(translator, bn):
    """Translators also translate snippets (topics here) in the same editor."""
    topic = Topic.objects.filter(locale=bn).first()
    response = translator.get(f"/admin/snippets/website/topic/edit/{topic.pk}/", **ENGLISH_BROWSER)
    assert_bangla(page_text(response), ["বাংলা অনুবাদ:"], ["Translation of"])
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = [tag["src"] for tag in soup.select("script[src]")]
    assert reverse("wagtail_localize:javascript_catalog") in scripts


def test_translation_editor_javascript_catalogue_in_bangla(translator):
    catalogue = js_catalogue(
        translator.get(reverse("wagtail_localize:javascript_catalog"), **ENGLISH_BROWSER)
    )
    assert len(catalogue) > 100  # both packages' strings, not only the handful they translate
    assert catalogue["Publish in "] == "প্রকাশ করুন: "
    assert catalogue["Download PO file"] == "PO ফাইল ডাউনলোড করুন"
    assert catalogue["Upload PO file"] == "PO ফাইল আপলোড করুন"
    assert catalogue["segments translated"] == "অংশ অনূদিত"
    # the labels the browser test clicks keep the wording wagtail-localize's Bangla gave them
    assert catalogue["Edit"] == "সম্পাদনা করুন"
    assert catalogue["Save"] == "সংরক্ষণ"


def test_admin_javascript_catalogue_in_bangla(translator):
    catalogue = js_catalogue(translator.get(reverse("wagtailadmin_javascript_catalog")))
    assert catalogue["Dashboard"] == "ড্যাশবোর্ড"
    assert catalogue["Main menu"] == "প্রধান মেনু"
    assert catalogue["%(num)s error"] == ["%(num)sটি ত্রুটি", "%(num)sটি ত্রুটি"]


def test_admin_stays_english_for_an_english_user(client):
    user = get_user_model().objects.get(username="officer")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    assert client.login(username="officer", password=DEMO_PASSWORD)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="bn")
    assert BeautifulSoup(response.content, "html.parser").html["lang"] == "en"
    assert "Site summary" in response.content.decode()
    catalogue = js_catalogue(client.get(reverse("wagtail_localize:javascript_catalog")))
    assert catalogue.get("Publish in ", "") == ""


@pytest.mark.parametrize(
    "package", ["wagtail_localize/locale", "wagtail/admin/locale"], ids=["localize", "admin"]
)
def test_every_admin_javascript_string_has_bangla(package):
    """An upgrade that adds a string to the editor or the admin's scripts fails here."""
    source = polib.pofile(str(PACKAGES / package / "en" / "LC_MESSAGES" / "djangojs.po"))
    ours = polib.pofile(
        str(settings.BASE_DIR / "website" / "locale" / "bn" / "LC_MESSAGES" / "djangojs.po")
    )
    translated = {entry.msgid for entry in ours if entry.translated()}
    assert sorted({entry.msgid for entry in source} - translated) == []


def test_setup_compiles_the_javascript_catalogue():
    """`make test` and `make run` compile every catalogue, the JavaScript one included."""
    out = StringIO()
    call_command("compile_catalogues", "--force", stdout=out)
    assert "compiled website/locale/bn/LC_MESSAGES/djangojs.po" in out.getvalue()
    mo = settings.BASE_DIR / "website" / "locale" / "bn" / "LC_MESSAGES" / "djangojs.mo"
    with mo.open("rb") as catalogue:
        assert gettext.GNUTranslations(catalogue).gettext("Publish in ") == "প্রকাশ করুন: "
