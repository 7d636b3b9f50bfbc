"""Newsletter composition: both editions of an issue, as officers preview, test and export them.

The demo's December 2022 issue is the subject; messages go through a real SMTP server on loopback.
"""

import datetime
import email
import email.policy
import os
import re
import shutil
import subprocess
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image
from wagtail.models import Locale

from newsletter.blocks import is_video_url
from newsletter.editions import GMAIL_CLIP_BYTES, render_edition, wrap_lines
from newsletter.links import PLACEHOLDERS, recipient_links, sample_links
from newsletter.messages import edition_message
from newsletter.models import NewsletterIssuePage, Status, Subscriber
from newsletter.readiness import readiness
from stories.models import NewsIndexPage, NewsPage, StoryPage
from tests.test_subscriber_flow import smtp  # noqa: F401 (the loopback SMTP server fixture)
from website.models import CustomImage

pytestmark = pytest.mark.django_db
BASE = "https://betterwork.example.org"
BENGALI_DIGIT = re.compile(r"[০-৯]")


@pytest.fixture
def en_issue(demo):
    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


@pytest.fixture
def bn_issue(en_issue):
    return en_issue.get_translation(Locale.objects.get(language_code="bn"))


def item_pages(issue):
    """The pages the issue's featured items and lists point at, as chosen (English)."""
    pages = []
    for block in issue.body:
        if block.block_type == "featured_item":
            pages.append(block.value["page"].specific)
        elif block.block_type == "item_list":
            pages.extend(page.specific for page in block.value["pages"])
    return pages


def personal(edition):
    return edition.personalize(sample_links(edition.language))


def test_both_editions_render_in_their_language(en_issue, bn_issue):
    en, bn = en_issue.edition(), bn_issue.edition()
    assert re.search(r'<html lang="en"', en.html) and re.search(r'<html lang="bn"', bn.html)
    flat = " ".join(bn.html.split())  # long lines are wrapped at spaces
    assert f"<title>{bn_issue.subject}</title>" in flat
    assert en.subject == en_issue.subject and bn.subject == bn_issue.subject
    assert bn.subject != en.subject and BENGALI_DIGIT.search(bn.subject)
    assert bn_issue.preheader in flat  # hidden preview text
    assert "Noto Sans Bengali" in bn.html
    assert "<script" not in bn.html.lower() and "<link" not in bn.html.lower()
    assert "max-width:600px" in bn.html.replace(" ", "")
    assert "prefers-color-scheme: dark" in bn.html
    assert en.notes == () and bn.notes == ()


def test_bangla_edition_has_bengali_figures_and_no_english_item_text(en_issue, bn_issue):
    bn = bn_issue.edition()
    text = " ".join(BeautifulSoup(bn.html, "html.parser").get_text(" ").split())
    for figure in ("২৬০", "১,৯১৬", "৫,৯১১", "৪৩৭", "১২.৬ লাখ", "৫০%", "৩০ নভেম্বর ২০২২"):
        assert figure in text, figure
        assert figure in bn.text, figure
    for page in item_pages(en_issue):
        assert page.title not in text, f"English title in the Bangla edition: {page.title}"
        assert page.summary not in text
        translated = page.get_translation(bn_issue.locale)
        assert translated.title in text
    for english in ("Read more", "Unsubscribe", "Manage preferences", "Newsletter", "Source:"):
        assert english not in text, english


def test_items_resolve_to_the_edition_language_and_links_are_absolute(en_issue, bn_issue):
    bn = personal(bn_issue.edition())
    soup = BeautifulSoup(bn.html, "html.parser")
    logo, *images = soup.find_all("img")
    assert logo["src"] == f"{BASE}/static/newsletter/email/logo.png"
    assert logo["alt"] == "বেটার ওয়ার্ক বাংলাদেশ-এর লোগো" and logo["width"] == "48"
    assert len(images) >= 4
    for image in images:
        assert image.get("alt"), image
        assert "\\u{" not in image["alt"]  # mjml-python's escaping undone
        assert image.get("width", "").isdigit()
        assert image["src"].startswith(f"{BASE}/media/images/"), image["src"]
        assert ".fill-1120x630" in image["src"] or ".width-1120" in image["src"]
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert [href for href in hrefs if href.startswith("mailto:")] == [
        "mailto:bangladesh@example.org"
    ]
    hrefs = [href for href in hrefs if not href.startswith("mailto:")]
    assert hrefs and all(href.startswith("https://") for href in hrefs), hrefs
    for page in item_pages(en_issue):
        assert page.get_translation(bn_issue.locale).full_url.startswith(f"{BASE}/bn/")
        assert page.get_translation(bn_issue.locale).full_url in hrefs
        assert page.full_url not in hrefs  # never the English page when a translation exists


def test_text_part_lists_every_item_with_its_link(en_issue, bn_issue):
    for issue in (en_issue, bn_issue):
        edition = personal(issue.edition())
        words = " ".join(edition.text.split())  # titles are wrapped at 76 characters
        for page in item_pages(en_issue):
            localized = page.get_translation(issue.locale)
            assert localized.title in words
            assert localized.full_url in edition.text
        assert "<" not in re.sub(r"<https?://[^>]+>", "", edition.text)  # no HTML left
        assert max(len(line) for line in edition.text.splitlines()) < 200
        assert issue.signatory_name in edition.text


def test_missing_and_unpublished_items_are_reported(en_issue, bn_issue):
    index = NewsIndexPage.objects.get(locale=en_issue.locale)
    untranslated = index.add_child(
        instance=NewsPage(title="Only in English", summary="Not yet translated.", slug="only-en")
    )
    untranslated.save_revision().publish()
    story = StoryPage.objects.get(locale=bn_issue.locale, slug="mothers-at-work")
    for version in StoryPage.objects.filter(translation_key=story.translation_key):
        version.unpublish()  # in every language: nothing to fall back to
    bn_issue.body.append(
        (
            "featured_item",
            {"page": untranslated, "heading": "", "summary": "", "image": None, "button_label": ""},
        )
    )
    bn_issue.save_revision()

    edition = render_edition(bn_issue)
    assert [(n.title, n.language) for n in edition.fallbacks] == [("Only in English", "en")]
    english_story = StoryPage.objects.get(locale=en_issue.locale, slug="mothers-at-work")
    assert [n.title for n in edition.unpublished] == [english_story.title]  # as chosen
    flat = " ".join(edition.html.split())
    assert "Only in English" in flat
    assert 'lang="en"' in flat  # the English passage says so
    assert story.title not in flat

    report = {entry.language: entry for entry in readiness(en_issue)}
    assert report["en"].edition.fallbacks == [] and len(report["en"].edition.unpublished) == 1
    assert not report["en"].ready and not report["bn"].ready
    assert report["bn"].edition.fallbacks[0].title == "Only in English"


def test_readiness_warns_of_editorial_slips_without_blocking(rf, en_issue, bn_issue):
    report = {entry.language: entry for entry in readiness(en_issue)}
    for language in ("en", "bn"):  # the demo issue has none
        edition = report[language].edition
        assert edition.figures_after_issue == [] and edition.not_videos == []
        assert not report[language].unsigned_letter and report[language].ready

    bn_issue.issue_date = datetime.date(2022, 11, 1)  # before the figures' 30 November
    bn_issue.signatory_name = ""
    body = list(bn_issue.body.raw_data)
    video = next(block for block in body if block["type"] == "video")
    video["value"]["url"] = "https://betterwork.org/bangladesh/"  # the programme's page
    bn_issue.body = body
    bn_issue.save_revision()

    entry = {entry.language: entry for entry in readiness(en_issue)}["bn"]
    positions = [i for i, block in enumerate(body, start=1) if block["type"] == "statistics"]
    assert [note.block for note in entry.edition.figures_after_issue] == positions
    assert [note.title for note in entry.edition.not_videos] == ["ভিডিওতে বিজনেস ফোরাম ২০২২"]
    assert entry.unsigned_letter
    assert entry.ready  # warnings: the officer decides
    with translation.override("bn"):
        table = render_to_string("newsletter/admin/readiness_table.html", {"report": [entry]})
    warnings = BeautifulSoup(table, "html.parser").select("li.readiness-warning")
    assert len(warnings) == 4
    assert all(text.get_text().startswith("সতর্কতা") for text in warnings)


@pytest.mark.parametrize(
    "url, video",
    [
        ("https://www.youtube.com/watch?v=aaaaaaaaaaa", True),
        ("https://youtu.be/aaaaaaaaaaa", True),
        ("https://vimeo.com/123456", True),
        ("https://video.example.org/forum.mp4", True),
        ("https://betterwork.org/bangladesh/", False),
        ("https://betterwork.example.org/en/news/strategy-2022-2027-launched/", False),
    ],
)
def test_a_video_address_is_a_video(url, video):
    assert is_video_url(url) is video


def test_the_video_thumbnail_carries_a_play_mark(bn_issue):
    soup = BeautifulSoup(bn_issue.edition().html, "html.parser")
    thumbnail = soup.find("img", alt="ভিডিওতে বিজনেস ফোরাম ২০২২")
    assert ".playmark." in thumbnail["src"]
    name = thumbnail["src"].split("/media/", 1)[1]
    image = CustomImage.objects.get(renditions__file=name)
    with image.get_rendition("fill-1120x630-c75|playmark").file.open() as marked:
        centre = Image.open(marked).convert("RGB").getpixel((560 - 10, 315))
    with image.get_rendition("fill-1120x630-c75").file.open() as plain:
        before = Image.open(plain).convert("RGB").getpixel((560 - 10, 315))
    assert min(centre) > 240 and centre != before  # the white triangle of the play button


def test_ten_item_bangla_issue_fits_gmail(en_issue, bn_issue):
    pages = [p.get_translation(bn_issue.locale) for p in item_pages(en_issue)]
    body = list(bn_issue.body.raw_data)
    while sum(1 for b in body if b["type"] == "featured_item") < 10:
        page = pages[len(body) % len(pages)]
        body.append(
            {"type": "featured_item", "value": {"page": page.pk, "button_label": "আরও পড়ুন"}}
        )
    bn_issue.body = body
    edition = render_edition(bn_issue)
    print(f"10-item Bangla edition: HTML part {edition.html_size:,} bytes as sent")
    assert edition.html_size < GMAIL_CLIP_BYTES
    assert all(len(line.encode()) <= 998 for line in edition.html.splitlines())


def test_query_count_does_not_grow_with_items(en_issue, bn_issue):
    pages = [p.get_translation(bn_issue.locale) for p in item_pages(en_issue)]

    def queries_for(count):
        bn_issue.body = [
            {"type": "featured_item", "value": {"page": pages[i % len(pages)].pk}}
            for i in range(count)
        ] + [{"type": "item_list", "value": {"pages": [p.pk for p in pages * (count // 4 + 1)]}}]
        render_edition(bn_issue)  # warm caches (site root paths, templates)
        with CaptureQueriesContext(connection) as captured:
            render_edition(bn_issue)
        return len(captured)

    assert queries_for(2) == queries_for(20)


def test_wrapping_keeps_the_html_and_its_attributes():
    html = '<p style="a: b; c: d" title="x y">' + "শব্দ " * 400 + "</p>"
    wrapped = wrap_lines(html, width=100)
    assert wrapped.replace("\n", " ") == html
    assert 'style="a: b; c: d" title="x y"' in wrapped
    assert all(len(line.encode()) <= 120 for line in wrapped.splitlines())


def test_eml_headers_parts_and_encoding(en_issue, bn_issue, tmp_path):
    out = StringIO()
    call_command(
        "render_newsletter", str(en_issue.pk), "--locale", "bn", "--out", str(tmp_path), stdout=out
    )
    assert "fits Gmail" in out.getvalue()
    raw = (tmp_path / "december-2022.bn.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"].strip() == bn_issue.subject
    assert "=?utf-8?" in raw.decode("ascii", "replace")  # RFC 2047
    assert message["List-Unsubscribe"].startswith(f"<{BASE}/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Id"]
        == "Better Work Bangladesh newsletter <newsletter.betterwork.example.org>"
    )
    # RFC 2369: a forwarded copy's reader finds the sign-up page in the edition's language.
    assert message["List-Subscribe"] == f"<{BASE}/bn/newsletter/subscribe/>"
    assert message["Date"] and message["Message-ID"].endswith("@betterwork.example.org>")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text["Content-Transfer-Encoding"] in ("8bit", "base64")
    assert html["Content-Transfer-Encoding"] in ("8bit", "base64")  # never quoted-printable
    encoded_html = html.get_payload(decode=False)
    assert len(encoded_html.encode()) < GMAIL_CLIP_BYTES
    assert 'lang="bn"' in html.get_content()
    assert bn_issue.title in text.get_content()
    assert (tmp_path / "december-2022.bn.html").read_text().startswith("<!doctype html>")
    assert not any(
        p in (tmp_path / "december-2022.bn.txt").read_text() for p in PLACEHOLDERS.values()
    )


def test_render_newsletter_rejects_unknown_issues(demo):
    with pytest.raises(CommandError, match="No newsletter issue"):
        call_command("render_newsletter", "no-such-issue", "--locale", "bn")


def test_recipient_links_are_filled_per_subscriber(bn_issue, settings):
    subscriber = Subscriber.objects.create(
        email="reader@example.org", language="bn", status=Status.SUBSCRIBED, source="admin"
    )
    links = recipient_links(subscriber)
    message = edition_message(bn_issue.edition(), subscriber.email, links)
    html = message.alternatives[0].content
    assert links["unsubscribe"] in html and links["preferences"] in html
    assert links["unsubscribe"] in message.body
    assert not any(p in html or p in message.body for p in PLACEHOLDERS.values())
    assert message.extra_headers["List-Unsubscribe"] == f"<{links['one_click']}>"
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@example.org"
    message = edition_message(bn_issue.edition(), subscriber.email, links)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{links['one_click']}>, <mailto:unsubscribe@example.org?subject=unsubscribe>"
    )
    assert reverse("newsletter_one_click", args=[links["one_click"].rstrip("/").split("/")[-1]])


def test_preview_modes_serve_each_edition(rf, en_issue, bn_issue):
    modes = dict(en_issue.preview_modes)
    assert set(modes) == {"", "email-html", "email-text", "email-both", "print"}
    request = rf.get("/")
    html = bn_issue.serve_preview(request, "email-html")
    assert html.status_code == 200 and b'lang="bn"' in html.content
    text = bn_issue.serve_preview(request, "email-text")
    assert text["Content-Type"].startswith("text/plain")
    assert bn_issue.title in text.content.decode()


def test_web_archive_shows_the_issue_in_both_languages(client, en_issue, bn_issue):
    archive = client.get("/bn/newsletter/")
    assert archive.status_code == 200
    assert bn_issue.title in archive.content.decode()
    page = client.get("/bn/newsletter/december-2022/")
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="bn"' in body
    story = StoryPage.objects.get(locale=bn_issue.locale, slug="mothers-at-work")
    assert story.title in body and story.url in body
    assert "২৬০" in body


@pytest.fixture
def officer_client(client, demo):
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="officer")
    officer.email = "officer@example.org"
    officer.save()
    client.force_login(officer)
    return client


def allow_test_domains(domains):
    from wagtail.models import Site

    from newsletter.models import NewsletterSettings

    NewsletterSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"test_domains": domains}
    )


def test_officer_sends_a_test_of_both_editions(officer_client, en_issue, bn_issue, smtp):  # noqa: F811
    url = reverse("newsletter_issue_test", args=[en_issue.pk])
    page = officer_client.get(url)
    assert page.status_code == 200
    assert "Ready" in page.content.decode()
    edit = officer_client.get(reverse("wagtailadmin_pages:edit", args=[en_issue.pk]))
    assert url in edit.content.decode()  # the header button and the readiness panel

    response = officer_client.post(
        url, {"addresses": "Officer@Example.org, second@example.org", "editions": "all"}
    )
    assert "second@example.org" in response.content.decode()  # not an account, no domain allowed
    allow_test_domains("example.org")
    response = officer_client.post(
        url, {"addresses": "Officer@Example.org, second@example.org", "editions": "all"}
    )
    assert response.status_code == 302
    received = smtp.wait_for(4)
    assert len(received) == 4
    subjects = sorted(message["Subject"].strip() for _to, message in received)
    assert all(subject.startswith("[TEST] ") for subject in subjects)
    # one clean prefix, the edition's own subject after it (not "[TEST] … (test, en edition)")
    assert subjects == sorted(f"[TEST] {i.subject}" for i in (en_issue, bn_issue) * 2)
    assert any(bn_issue.subject in s for s in subjects) and any(
        en_issue.subject in s for s in subjects
    )
    for _to, message in received:
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        assert message["X-Newsletter-Test"] == "yes"
    recipients = sorted({to[0].lower() for to, _m in received})
    assert recipients == ["officer@example.org", "second@example.org"]


def test_test_send_rejects_bad_addresses_and_reports_smtp_failures(
    officer_client, en_issue, settings
):
    url = reverse("newsletter_issue_test", args=[en_issue.pk])
    response = officer_client.post(
        url, {"addresses": "not-an-address, ok@example.org", "editions": "all"}
    )
    assert "Not valid e-mail addresses: not-an-address" in response.content.decode()

    from tests.test_subscriber_flow import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = officer_client.post(url, {"addresses": "officer@example.org", "editions": "bn"})
    assert response.status_code == 200
    assert "Nothing was sent" in response.content.decode()


def test_translators_cannot_send_tests_of_english_issues(client, en_issue):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="translator"))
    response = client.get(reverse("newsletter_issue_test", args=[en_issue.pk]))
    assert response.status_code in (302, 403)


SPAM_RULES_FORBIDDEN = (
    "MPART_ALT_DIFF",
    "HTML_IMAGE_ONLY",
    "HTML_SHORT_LINK_IMG",
    "HTML_FONT_LOW_CONTRAST",
    "MISSING_MID",
    "MISSING_DATE",
)


@pytest.mark.parametrize("language", ["en", "bn"])
def test_spamassassin_scores_each_edition_below_one(en_issue, language, tmp_path):
    spamassassin = shutil.which("spamassassin")
    if not spamassassin:
        message = "spamassassin is not installed (Debian package 'spamassassin')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    call_command(
        "render_newsletter",
        str(en_issue.pk),
        "--locale",
        language,
        "--out",
        str(tmp_path),
        stdout=StringIO(),
    )
    eml = (tmp_path / f"december-2022.{language}.eml").read_bytes()
    result = subprocess.run(  # noqa: S603
        [spamassassin, "-t", "-L"], input=eml, capture_output=True, timeout=120, check=False
    )
    report = result.stdout.decode("utf-8", "replace")
    match = re.search(r"X-Spam-Status: \w+, score=(-?[\d.]+)[^\n]*(?:\n\t[^\n]*)*", report)
    assert match, report[-2000:]
    status = match.group(0)
    print(f"SpamAssassin ({language}): {' '.join(status.split())}")
    assert float(match.group(1)) < 1.0, status
    for rule in SPAM_RULES_FORBIDDEN:
        assert rule not in status, status
