"""The bilingual edition, for subscribers who read both Bangla and English."""

import os
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Locale

from newsletter import sending
from newsletter.editions import GMAIL_CLIP_BYTES, encoded_html_size, render_bilingual
from newsletter.links import PLACEHOLDERS, sample_links
from newsletter.messages import edition_message
from newsletter.models import BOTH, NewsletterIssuePage, SendState, Status, Subscriber
from newsletter.tokens import link_token
from tests.test_sending import run, server, subscribe  # noqa: F401 (fixture)
from tests.test_subscriber_flow import link_in, smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def issues(demo):
    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    return en.get_translation(Locale.objects.get(language_code="bn")).specific, en


def test_sign_up_and_preferences_store_both(client, demo, smtp):  # noqa: F811
    form = BeautifulSoup(client.get("/bn/").content.decode(), "html.parser").select_one(
        "footer form.signup-form"
    )
    assert form.select_one('input[name="language"][value="both"]') is not None
    data = {"email": "dual@example.org", "language": "both", "consent": "on", "website": ""}
    assert client.post("/bn/newsletter/subscribe/", data).status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.language == BOTH
    # the confirmation e-mail and pages speak Bangla, the edition's first language
    recipients, message = smtp.wait_for(1)[0]
    assert link_in(message).startswith("/bn/newsletter/confirm/")
    url = f"/bn/newsletter/preferences/{link_token(subscriber)}/"
    page = BeautifulSoup(client.get(url).content.decode(), "html.parser")
    assert page.select_one('input[name="language"][value="both"]').has_attr("checked")
    client.post(url, {"action": "language", "language": "en"})
    subscriber.refresh_from_db()
    assert subscriber.language == "en"


def test_the_bilingual_edition_has_both_halves_each_with_its_language(issues):
    bn, en = issues
    edition = render_bilingual(bn, en)
    assert edition.language == BOTH
    assert edition.subject == f"{bn.subject} | {en.subject}"
    soup = BeautifulSoup(edition.html, "html.parser")
    halves = soup.select("div.bw-lang-bn, div.bw-lang-en")
    assert [half["lang"] for half in halves] == ["bn", "en"]
    first, second = (" ".join(half.get_text().split()) for half in halves)
    assert bn.title in first and en.title in second
    assert en.title not in first
    jump = soup.select_one('a[href="#second-language"]')
    assert jump is not None and jump["lang"] == "en" and soup.select_one("#second-language")
    # the plain-text twin holds both, Bangla first
    text = " ".join(edition.text.split())
    assert text.index(f"== {bn.title} ==") < text.index(f"== {en.title} ==")
    assert edition.html_size < GMAIL_CLIP_BYTES
    # one set of per-recipient links
    for placeholder in PLACEHOLDERS.values():
        assert edition.html.count(placeholder) == 1, placeholder


def test_a_large_issue_shortens_the_second_half_to_fit_gmail(issues):
    bn, en = issues
    paragraph = {"type": "paragraph", "value": "<p>" + "Better Work Bangladesh " * 400 + "</p>"}
    en.body = list(en.body.raw_data) + [paragraph] * 6
    full = encoded_html_size(render_bilingual(en, en).html)  # would not fit
    edition = render_bilingual(bn, en)
    assert full >= GMAIL_CLIP_BYTES
    assert edition.html_size < GMAIL_CLIP_BYTES
    english = BeautifulSoup(edition.html, "html.parser").select_one("div.bw-lang-en").get_text()
    assert "shortened" in english and en.title in english
    assert "Better Work Bangladesh Better Work Bangladesh" not in english


def test_a_send_gives_readers_of_both_the_bilingual_edition(server, issues):  # noqa: F811
    bn, en = issues
    dual = subscribe(2, BOTH)
    subscribe(1, "bn")
    subscribe(1, "en")
    send = run(sending.create_send(en))
    assert send.state == SendState.DONE
    assert set(send.editions) == {"en", "bn", BOTH}
    for subscriber in dual:
        [message] = server.to(subscriber.email)
        assert message["Content-Language"] == "bn, en"
        assert bn.subject in message["Subject"] and en.subject in message["Subject"]
        html = message.get_body(preferencelist=("html",)).get_content()
        assert 'lang="bn"' in html and 'lang="en"' in html
    counts = dict.fromkeys(("bn", "en", BOTH), 0)
    for row in send.deliveries.values_list("language", flat=True):
        counts[row] += 1
    assert counts == {"bn": 1, "en": 1, BOTH: 2}
    assert Subscriber.objects.filter(language=BOTH, status=Status.SUBSCRIBED).count() == 2


def test_the_bilingual_edition_scores_below_one_in_spamassassin(issues, tmp_path):
    spamassassin = shutil.which("spamassassin")
    if not spamassassin:
        if os.environ.get("CI"):
            pytest.fail("spamassassin is not installed (Debian package 'spamassassin')")
        pytest.skip("spamassassin is not installed")
    bn, en = issues
    message = edition_message(render_bilingual(bn, en), "reader@example.org", sample_links("bn"))
    result = subprocess.run(  # noqa: S603
        [spamassassin, "-t", "-L"],
        input=message.message().as_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    report = result.stdout.decode("utf-8", "replace")
    match = re.search(r"X-Spam-Status: \w+, score=(-?[\d.]+)", report)
    assert match, report[-2000:]
    print(f"SpamAssassin (bilingual): {match.group(0)}")
    assert float(match.group(1)) < 1.0


def test_the_bilingual_preview_mode_shows_both_halves(rf, issues):
    bn, en = issues
    assert "email-both" in dict(en.preview_modes)
    en.title = "A draft title"
    html = en.serve_preview(rf.get("/"), "email-both").content.decode()
    assert 'lang="bn" class="bw-lang-bn"' in html and 'lang="en" class="bw-lang-en"' in html
    assert "A draft title" in html  # the draft being previewed, not the live page
    flat = " ".join(html.split())  # long lines are wrapped at spaces
    assert flat.index(bn.title) < flat.index("A draft title")


def test_an_import_understands_both(demo):
    import io

    from newsletter.importing import import_subscribers

    report = import_subscribers(
        io.BytesIO(
            "email,language\nboth@example.org,both\nduo@example.org,বাংলা ও ইংরেজি\n".encode()
        ),
        file_name="both.csv",
    )
    assert report.added == 2
    assert set(Subscriber.objects.values_list("language", flat=True)) == {BOTH}


def test_the_readiness_panel_lists_the_bilingual_edition(admin_client, issues):
    from newsletter.readiness import readiness

    bn, en = issues
    entry = readiness(en)[-1]
    assert entry.bilingual and entry.ready and not entry.edition.shortened
    html = admin_client.get(f"/admin/pages/{en.pk}/edit/").content.decode()
    assert "Bangla and English" in html and "Both halves in full." in html
