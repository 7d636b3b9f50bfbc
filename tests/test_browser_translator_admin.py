"""The demo translator's Bangla admin in Chromium (issue 21): the parts the browser draws."""

import re

import pytest

from tests.test_browser import chromium, log_in, site  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_translation_editor_speaks_bangla_to_the_demo_translator(site, chromium):  # noqa: F811
    """No account change first: the demo translator's admin is Bangla. The React editor's tab
    heading and each string's note (date, tool) are Bangla too."""
    from stories.models import StoryPage

    story = StoryPage.objects.get(locale__language_code="bn", slug="mothers-at-work")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, site, "translator")
    assert page.get_attribute("html", "lang") == "bn"
    # the menu, drawn in the browser, counts in Bengali digits ("এই মেনুতে ২টি নতুন আইটেম")
    page.locator("#wagtail-sidebar a").first.wait_for()
    menu = page.inner_text("#wagtail-sidebar")
    assert not re.search(r"[0-9]", menu), menu
    assert "নতুন আইটেম" not in menu or re.search(r"[০-৯]টি নতুন আইটেম", menu), menu

    page.goto(f"{site}/admin/pages/{story.pk}/edit/")
    page.locator("h3", has_text="ইংরেজি থেকে বাংলা অনুবাদ").first.wait_for()
    text = page.inner_text(".js-translation-editor")
    assert " translation" not in text and "load_demo" not in text
    assert "More actions" not in text and "আরও কাজ" in text  # read out by screen readers
    assert "তারিখে ডেমোর অনুবাদ ফাইল দিয়ে অনূদিত" in text
    context.close()
