"""The shared StreamField blocks render what editors expect, in both languages."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils import translation

from website import blocks
from website.demo.images import demo_image


def html_of(block, value):
    return BeautifulSoup(block.render(block.to_python(block.get_prep_value(value))), "html.parser")


def preview_of(block):
    return BeautifulSoup(block.render(block.normalize(block.meta.preview_value)), "html.parser")


@pytest.mark.parametrize(
    "block_class",
    [
        blocks.HeadingBlock,
        blocks.ParagraphBlock,
        blocks.QuoteBlock,
        blocks.StatisticsBlock,
        blocks.VideoBlock,
        blocks.CallToActionBlock,
    ],
)
def test_blocks_with_a_preview_render_it(block_class):
    block = block_class()
    assert block.meta.preview_value
    assert block.meta.description
    soup = preview_of(block)
    assert soup.get_text(strip=True)


def test_heading_levels():
    block = blocks.HeadingBlock()
    assert html_of(block, {"text": "Outcomes", "level": "h3"}).h3.get_text() == "Outcomes"
    assert html_of(block, {"text": "Outcomes", "level": "h2"}).h2 is not None


def test_quote_names_the_speaker_and_their_organisation():
    soup = preview_of(blocks.QuoteBlock())
    assert soup.blockquote.get_text(strip=True).startswith("Working mothers")
    assert soup.select_one(".block-quote__role").get_text(strip=True) == (
        "Welfare officer, A partner factory"
    )


def test_statistics_in_bangla():
    block = blocks.StatisticsBlock()
    with translation.override("bn"):
        soup = preview_of(block)
    values = [v.get_text(strip=True) for v in soup.select(".statistics__value")]
    assert values == ["৪৩৭", "১২.৬ লাখ", "৫০%"]
    assert "৩১ ডিসেম্বর ২০২২" in soup.select_one(".statistics__meta").get_text()


def test_video_plays_youtube_in_a_privacy_friendly_frame_and_prints_a_qr_code():
    block = blocks.VideoBlock()
    value = {
        "url": "https://youtu.be/dQw4w9WgXcQ",
        "title": "Forum",
        "caption": "",
        "thumbnail": None,
    }
    soup = html_of(block, value)
    assert soup.iframe["src"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert soup.iframe["title"] == "Forum"
    qr = soup.select_one(".block-video__qr svg")
    assert qr is not None and qr.title.get_text() == "https://youtu.be/dQw4w9WgXcQ"


def test_video_elsewhere_is_a_link():
    value = {
        "url": "https://betterwork.org/bangladesh/",
        "title": "A film",
        "caption": "",
        "thumbnail": None,
    }
    soup = html_of(blocks.VideoBlock(), value)
    assert soup.iframe is None
    assert soup.select_one("figcaption a")["href"] == "https://betterwork.org/bangladesh/"


def test_call_to_action_needs_a_page_or_an_address():
    block = blocks.CallToActionBlock()
    value = block.to_python({"heading": "Read", "text": "", "button_label": "Go", "url": ""})
    with pytest.raises(ValidationError):
        block.clean(value)
    ok = block.to_python(
        {"heading": "Read", "text": "", "button_label": "Go", "url": "https://example.org/"}
    )
    assert block.clean(ok)["url"] == "https://example.org/"


@pytest.mark.django_db
def test_image_block_has_alt_text_srcset_lazy_loading_and_credit(demo):
    image = demo_image("Test picture", alt="Workers at a training", credit="© ILO")
    block = blocks.ImageWithCaptionBlock()
    value = block.to_python(
        {
            "image": {"image": image.pk, "decorative": False, "alt_text": "ওয়ার্কশপে শ্রমিকেরা"},
            "caption": "A workshop",
            "credit": "",
        }
    )
    soup = BeautifulSoup(block.render(value), "html.parser")
    img = soup.img
    assert img["alt"] == "ওয়ার্কশপে শ্রমিকেরা"  # the block's own (translated) alt text
    assert img["loading"] == "lazy"
    assert len(img["srcset"].split(",")) == 3
    assert soup.select_one(".credit").get_text() == "© ILO"  # falls back to the image's credit
    assert soup.select_one(".block-image__caption").get_text() == "A workshop"


@pytest.mark.django_db
def test_newsletter_signup_block_posts_to_the_subscribe_page_in_the_active_language(rf):
    block = blocks.NewsletterSignupBlock()
    with translation.override("bn"):
        soup = BeautifulSoup(
            block.render(
                block.normalize(block.meta.preview_value), context={"request": rf.get("/")}
            ),
            "html.parser",
        )
    form = soup.select_one("form.signup-form")
    assert form["action"] == "/bn/newsletter/subscribe/"
    assert form.select_one('input[name="language"][value="bn"]').has_attr("checked")
    assert soup.h2.get_text() == "Get our newsletter"
