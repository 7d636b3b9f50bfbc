"""The demo translator's admin, walked page by page: all in Bangla (issue 21).

The translator's account says Bangla (the demo sets it, and the account form saves it), and every
page on their path (login, dashboard, explorer, search, the translation editor of a page and of a
snippet, the page editor once an officer has stopped a synced translation, history, reports, their
account, "permission denied" and an admin 404) shows no English sentence and no Latin digit, names
and addresses aside (page titles, people, the site's name, Wagtail's, time zones, URLs). The
browser sends `Accept-Language: en`: what makes the admin Bangla is the account's preference.
"""

import datetime
import re

import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Workflow
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringTranslation, Translation

from events.models import EventCategory
from stories.models import NewsIndexPage, NewsPage, StoriesIndexPage, StoryPage
from tests.conftest import DEMO_PASSWORD, load_demo
from tests.test_translation_handoff import submit_for_translation
from tests.test_translation_workflow import editor_props, put_string, string_segment
from website.admin_language import bengali_digits_in_html
from website.formatting import format_date
from website.models import DonorPartner, Topic

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en"}
# Names of things, not sentences: kept as they are written
FIXED_NAMES = ["Better Work Bangladesh", "Wagtail", "XLSX", "CSV", "PO"]
VERSION = re.compile(r"Wagtail \d+(?:\.\d+)*")
URL_OR_ADDRESS = re.compile(r"\S*(?:https?://|/|@)\S*")
ATTRIBUTES = ["title", "aria-label", "placeholder", "alt"]
# Lists of names the translator chooses from: time zones, languages named in themselves
NAME_LISTS = "select[name='locale-current_time_zone'], select[name='locale-preferred_language']"


@pytest.fixture
def bn(demo):
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def translator(client, demo):
    assert client.login(username="translator", password=DEMO_PASSWORD)
    return client


def names():
    """Everything the admin may show as a name, longest first (a title holds shorter names)."""
    found = set(FIXED_NAMES)
    found.update(Page.objects.values_list("title", flat=True))
    for model in [Topic, EventCategory]:
        found.update(model.objects.values_list("name", flat=True))
    found.update(DonorPartner.objects.values_list("name", flat=True))
    found.update(get_image_model().objects.values_list("title", flat=True))
    found.update(Workflow.objects.values_list("name", flat=True))
    for user in get_user_model().objects.all():
        found.update([user.get_full_name(), user.get_username(), user.email])
    return sorted((name for name in found if name), key=len, reverse=True)


def foreign_text(html, known_names):
    """The pieces of visible text (and of attributes read aloud or shown on hover) that hold
    English words or Latin digits once names and addresses are taken out."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "template", "textarea"]):
        tag.decompose()
    for tag in soup.select(f"[data-side-panel-toggle-counter], {NAME_LISTS}"):
        tag.decompose()  # the counter's text is JavaScript's (a number), not the server's
    pieces = [
        " ".join(text.split())
        for text in soup.find_all(string=True)
        if not isinstance(text, (Comment, Doctype))
    ]
    for tag in soup.find_all(True):
        pieces.extend(tag.get(attribute, "") for attribute in ATTRIBUTES)
    problems = []
    for piece in pieces:
        rest = VERSION.sub(" ", piece)
        for name in known_names:
            rest = rest.replace(name, " ")
        rest = URL_OR_ADDRESS.sub(" ", rest)
        if re.search(r"[A-Za-z]{2,}|[0-9]", rest):
            problems.append(piece)
    return sorted(set(problems))


def walk(client, url, status=200):
    response = client.get(url, follow=True, **ENGLISH_BROWSER)
    assert response.status_code == status, url
    assert BeautifulSoup(response.content, "html.parser").html["lang"] == "bn", url
    return response


def test_the_demo_translator_has_a_name_and_a_bangla_admin(demo):
    translator = get_user_model().objects.get(username="translator")
    assert translator.get_full_name()
    assert UserProfile.get_for_user(translator).preferred_language == "bn"
    for user in get_user_model().objects.all():
        assert user.first_name and user.last_name, user.username


def test_the_account_form_saves_the_admin_language(translator):
    """Account → Preferred language: Wagtail's form needs a name, which the demo users have."""
    response = translator.get("/admin/account/")
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("form[method='POST'], form[method='post']")
    data = {}
    for field in form.select("input[name]"):
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        data[field["name"]] = field.get("value", "")
    for select in form.select("select[name]"):
        chosen = select.select_one("option[selected]")
        data[select["name"]] = chosen["value"] if chosen else ""
    assert data["name_email-first_name"] and data["name_email-last_name"]
    data["locale-preferred_language"] = "en"
    response = translator.post("/admin/account/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="translator")
    assert UserProfile.get_for_user(user).preferred_language == "en"
    data["locale-preferred_language"] = "bn"
    assert translator.post("/admin/account/", data).status_code == 302
    assert BeautifulSoup(translator.get("/admin/").content, "html.parser").html["lang"] == "bn"


def test_the_translators_pages_are_all_in_bangla(translator, demo, bn):
    bn_home = demo.get_translation(bn)
    stories = StoriesIndexPage.objects.get(locale=bn)
    story = StoryPage.objects.get(locale=bn, slug="mothers-at-work")
    english_story = story.get_translation(demo.locale)
    topic = Topic.objects.filter(locale=bn).first()
    pages = {
        "dashboard": "/admin/",
        "explorer": "/admin/pages/",
        "Bangla home": f"/admin/pages/{bn_home.pk}/",
        "stories": f"/admin/pages/{stories.pk}/",
        "search": "/admin/pages/search/?q=মা",
        "translation editor": f"/admin/pages/{story.pk}/edit/",
        "home page's translation editor": f"/admin/pages/{bn_home.pk}/edit/",
        "history": f"/admin/pages/{story.pk}/history/",
        "topics": "/admin/snippets/website/topic/",
        "topic's translation editor": f"/admin/snippets/website/topic/edit/{topic.pk}/",
        "translation status": "/admin/reports/translation-status/",
        "site history": "/admin/reports/site-history/",
        "account": "/admin/account/",
        "permission denied": f"/admin/pages/{english_story.pk}/edit/",
        "images (not theirs)": "/admin/images/",
    }
    known_names = names()
    found = {}
    for name, url in pages.items():
        found[name] = foreign_text(walk(translator, url).content, known_names)
    found["404"] = foreign_text(
        walk(translator, "/admin/pages/999999/edit/", status=404).content, known_names
    )
    # the page editor, which the translator meets once an officer stops the synced translation
    Translation.objects.filter(source__object_id=story.translation_key, target_locale=bn).update(
        enabled=False
    )
    found["page editor"] = foreign_text(
        walk(translator, f"/admin/pages/{story.pk}/edit/").content, known_names
    )
    problems = {name: pieces for name, pieces in found.items() if pieces}
    assert problems == {}


def test_permission_denied_is_said_in_bangla(translator, demo, bn):
    english_story = StoryPage.objects.get(locale=bn, slug="mothers-at-work").get_translation(
        demo.locale
    )
    response = walk(translator, f"/admin/pages/{english_story.pk}/edit/")
    text = BeautifulSoup(response.content, "html.parser").select_one(".messages").get_text()
    assert "দুঃখিত, আপনার এই এলাকায় প্রবেশ করার অনুমতি নেই।" in text


def test_counts_and_times_in_bengali_digits(translator, bn):
    stories = StoriesIndexPage.objects.get(locale=bn)
    text = BeautifulSoup(
        walk(translator, f"/admin/pages/{stories.pk}/").content, "html.parser"
    ).get_text(" ")
    assert re.search(r"[০-৯]+-[০-৯]+ \(মোট [০-৯]+টি পাতা\)", " ".join(text.split()))


def test_an_admin_404_stays_in_the_admin(translator):
    response = translator.get("/admin/no-such-thing/", **ENGLISH_BROWSER)
    assert response.status_code == 404  # not a redirect to /en/admin/... on the public site
    assert "page404" in response.content.decode()


def test_the_loader_names_users_it_made_before_names_and_keeps_choices(
    demo, demo_env, django_capture_on_commit_callbacks
):
    """A database loaded before the demo had names gets them on the next run; a name or an admin
    language someone chose since is kept."""
    User = get_user_model()
    User.objects.filter(username="translator").update(first_name="", last_name="")
    UserProfile.objects.filter(user__username="translator").update(preferred_language="")
    User.objects.filter(username="officer").update(first_name="Rina", last_name="")
    load_demo(django_capture_on_commit_callbacks)
    translator = User.objects.get(username="translator")
    assert translator.get_full_name() == "Nusrat Jahan"
    assert UserProfile.get_for_user(translator).preferred_language == "bn"
    assert User.objects.get(username="officer").first_name == "Rina"


def test_bengali_digits_only_in_prose():
    html = (
        '<p title="3 দিন আগে">মোট 18টি পাতা, 13:15</p><p>Wagtail 8.0.1</p>'
        '<input value="2026-12-03 13:15"><script>var n = 18;</script>'
        "<textarea>12</textarea><span>&#x27;4&#x27; &amp; 5</span><i>14:03-এ, Farzana Ahmed</i>"
    )
    assert bengali_digits_in_html(html) == (
        '<p title="৩ দিন আগে">মোট ১৮টি পাতা, ১৩:১৫</p><p>Wagtail 8.0.1</p>'
        '<input value="2026-12-03 13:15"><script>var n = 18;</script>'
        "<textarea>12</textarea><span>&#x27;৪&#x27; &amp; ৫</span><i>১৪:০৩-এ, Farzana Ahmed</i>"
    )


def test_the_translation_editors_notes_give_date_and_tool_in_bangla(translator, bn):
    """wagtail-localize writes "3 December 2026 তারিখে load_demo দিয়ে অনূদিত" under each string."""
    story = StoryPage.objects.get(locale=bn, slug="mothers-at-work")
    props = editor_props(translator, story)
    notes = [t["comment"] for t in props["initialStringTranslations"]]
    loaded = format_date(demo_translated_on(bn), "bn")  # wagtail-localize's date: UTC
    assert notes and set(notes) == {f"{loaded} তারিখে ডেমোর অনুবাদ ফাইল দিয়ে অনূদিত"}

    segment = string_segment(props, "Seven minimum standards")
    saved = put_string(translator, segment, "সাতটি ন্যূনতম মান")
    assert saved.status_code == 200
    today = format_date(datetime.datetime.now(datetime.UTC).date(), "bn")
    assert saved.json()["comment"] == f"{today} তারিখে হাতে অনূদিত"


def test_an_english_admin_reads_the_notes_in_english(client, bn):
    assert client.login(username="officer", password=DEMO_PASSWORD)
    UserProfile.objects.filter(user__username="officer").update(preferred_language="en")
    story = StoryPage.objects.get(locale=bn, slug="mothers-at-work")
    notes = {t["comment"] for t in editor_props(client, story)["initialStringTranslations"]}
    loaded = format_date(demo_translated_on(bn), "en")
    assert notes == {f"Translated with the demo's translation file on {loaded}"}


def demo_translated_on(bn):
    return StringTranslation.objects.filter(locale=bn).latest("updated_at").updated_at.date()


def test_a_page_waiting_for_translation_in_bangla(
    translator, demo, bn, django_capture_on_commit_callbacks
):
    """The dashboard's "Waiting for translation" and the new draft's translation editor."""
    index = NewsIndexPage.objects.get(locale=demo.locale)
    article = index.add_child(
        instance=NewsPage(
            title="Wage digitisation reaches 300 factories",
            slug="wage-digitisation-300",
            summary="Mobile wallets replace cash envelopes in partner factories.",
            date=datetime.date(2026, 12, 3),
        )
    )
    article.save_revision().publish()
    officer = Client()
    bn_page = submit_for_translation(officer, article, bn, django_capture_on_commit_callbacks)
    known_names = names()
    dashboard = walk(translator, "/admin/")
    assert BeautifulSoup(dashboard.content, "html.parser").select_one(
        "#waiting-for-translation-section"
    )
    assert foreign_text(dashboard.content, known_names) == []
    editor = walk(translator, f"/admin/pages/{bn_page.pk}/edit/")
    assert foreign_text(editor.content, known_names) == []


def test_an_admin_error_page_in_the_users_admin_language(translator, monkeypatch):
    """A failing admin view answers with the 500 page in the translator's Bangla."""
    from wagtail.admin.views import home

    def fail(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(home.HomeView, "get", fail)
    translator.raise_request_exception = False
    response = translator.get("/admin/", **ENGLISH_BROWSER)
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "bn" and "কিছু একটা ভুল হয়েছে" in soup.h1.get_text()


def test_dates_on_hover_are_unambiguous_in_both_admins(translator, client, bn):
    """The tooltip of "এইমাত্র" / "Just now" in listings: day first, 24-hour clock."""
    stories = StoriesIndexPage.objects.get(locale=bn)
    url = f"/admin/pages/{stories.pk}/"
    soup = BeautifulSoup(walk(translator, url).content, "html.parser")
    tooltip = soup.select_one(".w-human-readable-date")["data-w-tooltip-content-value"]
    assert re.fullmatch(r"[০-৯]{1,2} \S+ [০-৯]{4}, [০-৯]{2}:[০-৯]{2}", tooltip), tooltip
    assert client.login(username="officer", password=DEMO_PASSWORD)
    UserProfile.objects.filter(user__username="officer").update(preferred_language="en")
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    tooltip = soup.select_one(".w-human-readable-date")["data-w-tooltip-content-value"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", tooltip), tooltip
