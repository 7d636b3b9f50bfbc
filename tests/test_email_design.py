"""The designed e-mail: masthead, sections, footer, preheader and plain text, in both editions.

The demo's December 2022 issue is the subject. How it looks in a browser (light and dark, phone
and desktop widths) is measured in tests/test_email_browser.py.
"""

import re

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Locale

from newsletter.editions import PREHEADER_FILLER, render_bilingual
from newsletter.links import PLACEHOLDERS, recipient_links
from newsletter.models import NewsletterIssuePage, Status, Subscriber

pytestmark = pytest.mark.django_db
BASE = "https://betterwork.example.org"

FOOTER = {
    "en": {
        "organisation": "© 2022 Better Work Bangladesh",
        "address": "Plot 17/B&C",
        "social": ["Facebook", "X", "Instagram", "YouTube"],
        "language": "Receive it in Bangla",
        "unsubscribe": "Unsubscribe",
        "privacy": "Privacy",
    },
    "bn": {
        "organisation": "© ২০২২ বেটার ওয়ার্ক বাংলাদেশ",
        "address": "প্লট ১৭/বি&সি",
        "social": ["ফেসবুক", "এক্স", "ইনস্টাগ্রাম", "ইউটিউব"],
        "language": "ইংরেজিতে পেতে চাই",
        "unsubscribe": "সাবস্ক্রিপশন বাতিল করুন",
        "privacy": "গোপনীয়তা",
    },
}


@pytest.fixture
def issues(demo):
    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    return {"en": en, "bn": en.get_translation(Locale.objects.get(language_code="bn"))}


# Abbreviations the site also writes in Latin letters in Bangla (file types and sizes).
LATIN_ABBREVIATIONS = {"PDF", "KB", "MB"}


def english_words(element):
    """Latin words in `element` outside passages marked `lang="en"` (addresses and the
    abbreviations aside)."""
    words = []
    for text in element.find_all(string=re.compile(r"[A-Za-z]{2,}")):
        if text.find_parent(attrs={"lang": "en"}) or text.find_parent(["script", "style"]):
            continue
        if type(text).__name__ == "Comment":  # Outlook's conditional comments
            continue
        words += re.findall(r"[A-Za-z]{2,}", re.sub(r"\S+@example\.org", "", text))
    return [word for word in words if word not in LATIN_ABBREVIATIONS]


def link_to(soup, label):
    found = [a for a in soup.find_all("a", href=True) if " ".join(a.get_text().split()) == label]
    assert len(found) == 1, (label, found)
    return found[0]


@pytest.mark.parametrize("language", ["en", "bn"])
def test_masthead_has_the_logo_with_alt_text_and_the_name_as_text(issues, language):
    issue = issues[language]
    soup = BeautifulSoup(issue.edition().html, "html.parser")
    logo = soup.find("img")  # the first image
    programme = FOOTER[language]["organisation"].split(" ", 2)[2]
    assert logo["src"] == f"{BASE}/static/newsletter/email/logo.png"
    assert programme in logo["alt"] and (logo["width"], logo["height"]) == ("48", "48")
    # with images off, the alt text is white on the masthead's blue, and the name is text beside
    assert "color:#ffffff" in logo["style"].replace(" ", "")
    names = [a for a in soup.find_all("a") if a.get_text(strip=True) == programme]
    assert names and names[0]["href"] == f"{BASE}/{language}/"
    title = soup.find("h1")
    assert " ".join(title.get_text().split()) == issue.title
    date = "২০ ডিসেম্বর ২০২২" if language == "bn" else "20 December 2022"
    assert date in " ".join(soup.get_text().split())


@pytest.mark.parametrize("language", ["en", "bn"])
def test_sections_have_headings_of_one_kind(issues, language):
    html = issues[language].edition().html
    # no text in a zero-size cell (mj-spacer's hair space), which rspamd scores ZERO_FONT
    assert "\u200a" not in html and "&#8202;" not in html
    soup = BeautifulSoup(html, "html.parser")
    headings = [h for h in soup.find_all("h2") if h.find_previous_sibling(class_="bw-bar")]
    # two statistics blocks, the section heading and the call to action
    assert len(headings) == 4, [h.get_text() for h in headings]


@pytest.mark.parametrize("language", ["en", "bn"])
def test_footer_links_and_texts_in_the_edition_language(issues, language):
    edition = issues[language].edition()
    soup = BeautifulSoup(edition.html, "html.parser")
    words = " ".join(soup.get_text(" ").split())
    expected = FOOTER[language]
    assert expected["organisation"] in words
    for label in expected["social"]:
        assert link_to(soup, label)["href"].startswith("https://")
    assert link_to(soup, "bangladesh@example.org")["href"] == "mailto:bangladesh@example.org"
    signup = f"{BASE}/{language}/newsletter/subscribe/"
    assert link_to(soup, expected["privacy"])["href"] == f"{signup}#privacy"
    assert len(soup.find_all("a", href=signup)) == 1  # for readers of a forwarded copy
    assert link_to(soup, expected["language"])["href"] == PLACEHOLDERS["language"]
    assert link_to(soup, expected["unsubscribe"])["href"] == PLACEHOLDERS["unsubscribe"]
    assert soup.find("a", href=PLACEHOLDERS["preferences"])
    # never broken inside: a short piece of the address, each link's label
    assert soup.find("span", string=expected["address"])["style"] == "white-space:nowrap;"
    label = link_to(soup, expected["unsubscribe"]).span
    assert label["style"] == "white-space:nowrap;"
    if language == "bn":
        assert english_words(soup.body) == [], english_words(soup.body)
        text = re.sub(r"https?://\S+|\S+@example\.org|%%\w+%%", "", edition.text)
        latin = set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_ABBREVIATIONS
        assert latin == set(), latin


def test_the_bilingual_footer_offers_one_language(issues):
    edition = render_bilingual(issues["bn"], issues["en"])
    soup = BeautifulSoup(edition.html, "html.parser")
    assert link_to(soup, "একটি ভাষায় পেতে চান")["href"] == PLACEHOLDERS["language"]
    assert len(soup.find_all("h1")) == 2


def test_privacy_and_language_anchors_exist(client, issues):
    for language in ("en", "bn"):
        page = BeautifulSoup(
            client.get(f"/{language}/newsletter/subscribe/").content, "html.parser"
        )
        notice = page.find(id="privacy")
        assert notice is not None and notice.find_next_sibling(class_="privacy-notice")
    subscriber = Subscriber.objects.create(
        email="reader@example.org", language="bn", status=Status.SUBSCRIBED
    )
    links = recipient_links(subscriber)
    assert links["language"].endswith("#language")
    page = BeautifulSoup(client.get(links["language"]).content, "html.parser")
    assert page.find(id="language").name == "h2" and page.find(id="your-data").name == "h2"


@pytest.mark.parametrize("language", ["en", "bn"])
def test_preheader_is_followed_by_filler(issues, language):
    issue = issues[language]
    html = issue.edition().html
    soup = BeautifulSoup(html, "html.parser")
    hidden = soup.body.find("div", style=re.compile("display:none"))
    preview = hidden.get_text().replace("\n", " ")  # long lines are wrapped at spaces
    assert preview == issue.preheader + PREHEADER_FILLER
    assert len(PREHEADER_FILLER) >= 200  # longer than any inbox's preview line


@pytest.mark.parametrize("language", ["en", "bn"])
def test_plain_text_layout(issues, language):
    issue = issues[language]
    text = issue.edition().personalize({}).text
    lines = text.splitlines()
    footer = lines[lines.index("-" * 60) + 1 :]
    for line in footer:
        assert len(line) <= 78 or re.fullmatch(r"\s*https?://\S+", line), line
    # one heading style; nothing in capitals (Bangla has no case)
    headings = [line for line in lines if line.startswith("==")]
    assert len(headings) >= 8
    assert all(line.endswith("==") for line in headings)
    assert f"== {issue.title} ==" in " ".join(lines)
    if language == "en":
        assert issue.title.upper() not in text
    # list summaries indented on every line, under their title
    item = next(i for i, line in enumerate(lines) if line.startswith("* "))
    block = lines[item + 1 : lines.index("", item)]
    assert len(block) >= 4 and all(line.startswith("  ") for line in block), block
