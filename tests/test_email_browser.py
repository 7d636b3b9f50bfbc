"""Both editions as a reader's e-mail program shows them: Chromium at a phone's 375 px and the
e-mail's 600 px, in light and dark mode (`prefers-color-scheme`, which Apple Mail, iOS and
Outlook honour). Every piece of text is measured against the background it sits on.

Set SCREENSHOT_DIR to keep the screenshots.
"""

import io
import os

import pytest
from django.conf import settings
from PIL import Image
from wagtail.models import Locale

from newsletter.editions import render_bilingual
from newsletter.frame import LOGO
from newsletter.links import sample_links
from newsletter.models import NewsletterIssuePage
from tests.conftest import launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = (375, 600)
SCHEMES = ("light", "dark")
MIN_CONTRAST = 4.5  # WCAG AA for body text

# Each element holding text of its own: its colour, the first opaque background behind it
# (itself or an ancestor; the canvas when none), and what it says.
TEXT_COLOURS = """
() => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
  const background = (element) => {
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour[3] > 0) return colour;
    }
    return canvas && canvas[3] > 0 ? canvas : null;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes]
      .filter((node) => node.nodeType === 3)
      .map((node) => node.textContent)
      .join("")
      .replace(/[\\s\\u034f\\u200c\\u200a]+/g, " ")
      .trim();
    if (!own || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    found.push({
      text: own.slice(0, 40),
      tag: element.tagName.toLowerCase(),
      colour: parse(style.color),
      background: background(element),
    });
  }
  return found;
}
"""


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def png(colour, size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def editions(demo):
    """Each edition's HTML as a subscriber receives it, rendered before the browser starts
    (Playwright's event loop must not run while Django uses the database)."""
    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    bn = en.get_translation(Locale.objects.get(language_code="bn"))
    return {
        "en": en.edition().personalize(sample_links("en")).html,
        "bn": bn.edition().personalize(sample_links("bn")).html,
        "both": render_bilingual(bn, en).personalize(sample_links("bn")).html,
    }


@pytest.fixture
def browser(editions, monkeypatch):
    with launched_chromium(monkeypatch) as chromium:
        yield chromium


def open_edition(browser, html, width, scheme):
    """A page showing `html` the way an e-mail program would: images from the site (the logo
    as it is, the others as grey pictures), nothing else fetched."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, device_scale_factor=1
    )
    page = context.new_page()
    logo = (settings.BASE_DIR / "newsletter" / "static" / LOGO).read_bytes()

    def serve(route):
        url = route.request.url
        if url.endswith(LOGO):
            return route.fulfill(body=logo, content_type="image/png")
        if "/media/images/" in url:
            return route.fulfill(body=png("#7a8899"), content_type="image/png")
        return route.abort()

    page.route("**/*", serve)
    page.set_content(html, wait_until="load")
    return context, page


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "bn", "both"])
def test_every_text_has_contrast_in_light_and_dark_mode(browser, editions, language):
    failures = []
    for width in WIDTHS:
        for scheme in SCHEMES:
            context, page = open_edition(browser, editions[language], width, scheme)
            texts = page.evaluate(TEXT_COLOURS)
            assert len(texts) > 60, texts  # the whole e-mail was measured
            for text in texts:
                assert text["colour"] and text["background"], text
                ratio = contrast(text["colour"], text["background"])
                if ratio < MIN_CONTRAST:
                    failures.append((width, scheme, round(ratio, 2), text))
            body = page.evaluate("getComputedStyle(document.body).backgroundColor")
            canvas = [int(v) for v in body[body.index("(") + 1 : -1].split(",")[:3]]
            # the bands follow the mode: dark behind everything in dark mode, light otherwise
            assert (luminance(canvas) < 0.05) == (scheme == "dark"), body
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"email-{language}-{width}-{scheme}")
            context.close()
    assert failures == []


def test_footer_lines_hold_together_on_a_phone(browser, editions):
    context, page = open_edition(browser, editions["bn"], 375, "light")
    for text in ("প্লট ১৭/বি&সি", "সাবস্ক্রিপশন বাতিল করুন", "ইংরেজিতে পেতে চাই"):
        span = page.locator("span", has_text=text).last
        lines = span.evaluate("(element) => element.getClientRects().length")
        assert lines == 1, text
        height = span.evaluate("(element) => element.getBoundingClientRect().height")
        assert height < 30, text  # one line of 13 px text
    # the social labels are Bangla, in the Bangla font stack, and render with a Bengali font
    social = page.locator("a", has_text="ফেসবুক")
    assert "Noto Sans Bengali" in social.evaluate("(a) => getComputedStyle(a).fontFamily")
    assert page.evaluate("document.fonts.check('15px \"Noto Sans Bengali\"', 'ফেসবুক')")
    # the logo shows, at its size; with images off its alt text is white on the masthead
    logo = page.locator("img").first
    assert logo.evaluate("(img) => img.naturalWidth") == 96
    assert logo.evaluate("(img) => img.getBoundingClientRect().width") == 48
    context.close()


def test_the_measure_finds_text_that_fades_into_its_band(browser, editions):
    """The issue's finding before the redesign: in dark mode the footer's text turned light
    grey on a band that stayed light (1.64 : 1). The measure above sees such a band."""
    light_band = ".bw-outer td { background-color: #eef2f6 !important }"
    band = f"@media (prefers-color-scheme: dark) {{ {light_band} }}"
    html = editions["en"].replace("</head>", f"<style>{band}</style></head>", 1)
    context, page = open_edition(browser, html, 375, "dark")
    faded = [
        text
        for text in page.evaluate(TEXT_COLOURS)
        if contrast(text["colour"], text["background"]) < MIN_CONTRAST
    ]
    assert any("Better Work Bangladesh" in text["text"] for text in faded), faded
    context.close()
