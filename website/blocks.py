"""StreamField blocks shared by every page type and the newsletter.

Each block is a small StructBlock with a template under `templates/blocks/` and a preview value
for the admin's block picker. Texts typed into blocks are translated by wagtail-localize; numbers,
dates, links and choices are copied from the English source; page links resolve to the visitor's
language at render time (`.localized`).
"""

import datetime
import re
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]
YOUTUBE_ID = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/|live/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)


class HeadingBlock(blocks.StructBlock):
    """A section heading; level 2 or 3 keeps the page outline correct."""

    text = blocks.CharBlock(label=_("Heading"), max_length=150)
    level = blocks.ChoiceBlock(
        label=_("Level"), choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"
        preview_value = {"text": "Partnership and dialogue for decent work", "level": "h2"}
        description = _("A section heading")


class ParagraphBlock(blocks.RichTextBlock):
    """Running text."""

    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "blocks/paragraph_block.html"
        preview_value = (
            "<p>Partner factories held rallies and awareness sessions on ending gender-based "
            "violence and sexual harassment.</p>"
        )
        description = _("Paragraphs, lists and links")


class ImageWithCaptionBlock(blocks.StructBlock):
    """An image with its alt text, caption and credit ("© ILO")."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)
    credit = blocks.CharBlock(
        label=_("Credit"),
        required=False,
        max_length=120,
        help_text=_("Leave empty to use the image's own credit"),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"
        description = _("An image with caption and credit")


class QuoteBlock(blocks.StructBlock):
    """What someone said, and who they are."""

    quote = blocks.TextBlock(label=_("Quote"))
    name = blocks.CharBlock(label=_("Name"), required=False, max_length=120)
    role = blocks.CharBlock(label=_("Role"), required=False, max_length=150)
    organisation = blocks.CharBlock(label=_("Organisation"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"
        preview_value = {
            "quote": "Working mothers need support at the workplace, not only at home.",
            "name": "",
            "role": "Welfare officer",
            "organisation": "A partner factory",
        }
        description = _("A quotation with its speaker")


class FigureBlock(blocks.StructBlock):
    """One figure of a statistics group: a number, its unit, what it counts."""

    value = blocks.DecimalBlock(label=_("Value"), help_text=_("As a number: 1.26, 437, 50"))
    unit = blocks.ChoiceBlock(
        label=_("Unit"),
        required=False,
        choices=[
            ("", _("none")),
            ("%", _("percent (%)")),
            ("thousand", _("thousand")),
            ("million", _("million")),
        ],
        help_text=_("Bangla shows thousands and millions as হাজার, লাখ and কোটি."),
    )
    label = blocks.CharBlock(label=_("Label"), max_length=120)
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=200)

    class Meta:
        icon = "decimal"
        label = _("Figure")


class StatisticsBlock(blocks.StructBlock):
    """A group of programme figures with where and when they come from."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    as_of = blocks.DateBlock(label=_("As of"), required=False)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=200)
    figures = blocks.ListBlock(FigureBlock(), label=_("Figures"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Statistics")
        template = "blocks/statistics_block.html"
        preview_value = {
            "heading": "Programme reach",
            "as_of": datetime.date(2022, 12, 31),
            "source": "Better Work Bangladesh",
            "figures": [
                {"value": Decimal("437"), "unit": "", "label": "factories enrolled", "note": ""},
                {
                    "value": Decimal("1.26"),
                    "unit": "million",
                    "label": "workers supported",
                    "note": "",
                },
                {"value": Decimal("50"), "unit": "%", "label": "of them women", "note": ""},
            ],
        }
        description = _("Key figures with an optional date and source")


@lru_cache(maxsize=256)
def qr_code_svg(url):
    """An inline SVG QR code of `url`, for readers of a printed page."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, border=2, title=url)


class VideoValue(blocks.StructValue):
    def youtube_id(self):
        match = YOUTUBE_ID.search(self.get("url") or "")
        return match.group(1) if match else None

    def embed_url(self):
        video_id = self.youtube_id()
        return f"https://www.youtube-nocookie.com/embed/{video_id}" if video_id else None

    def qr_code(self):
        return qr_code_svg(self["url"]) if self.get("url") else ""


class VideoBlock(blocks.StructBlock):
    """A video: played in the page when it is on YouTube, linked otherwise; a QR code in print."""

    url = blocks.URLBlock(label=_("Video address"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)
    thumbnail = ImageBlock(label=_("Thumbnail"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"
        value_class = VideoValue
        preview_value = {
            "url": "https://www.youtube.com/watch?v=aaaaaaaaaaa",
            "title": "Business Forum 2022",
            "caption": "",
        }
        description = _("A video to watch, with a QR code for print")


class LinkValue(blocks.StructValue):
    prefetched_href = None  # the address found beforehand (stories.links.prefetch_body_links)

    def href(self):
        if self.prefetched_href is not None:
            return self.prefetched_href
        page = self.get("page")
        if page:
            return page.localized.url
        return self.get("url") or ""


class CallToActionBlock(blocks.StructBlock):
    """A short invitation with one button: register, read the report, sign up."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=150)
    text = blocks.TextBlock(label=_("Text"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Or address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "blocks/call_to_action_block.html"
        value_class = LinkValue
        preview_value = {
            "heading": "Read the strategy",
            "text": "Partnership and inclusion for sustainable growth, 2022–2027.",
            "button_label": "Read more",
            "url": "https://betterwork.org/bangladesh/",
        }
        description = _("A heading, a sentence and a button")

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks import StructBlockValidationError

        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or give an address."))}
            )
        return super().clean(value)


class DocumentBlock(blocks.StructBlock):
    """A file to download (report, brochure), with its type and size."""

    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(
        label=_("Label"), required=False, max_length=200, help_text=_("Defaults to its title")
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document_block.html"
        description = _("A file to download")


class NewsletterSignupBlock(blocks.StructBlock):
    """The newsletter sign-up form, anywhere in a page."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=150)
    text = blocks.TextBlock(label=_("Text"), required=False)

    class Meta:
        icon = "mail"
        label = _("Newsletter sign-up")
        template = "blocks/newsletter_signup_block.html"
        preview_value = {
            "heading": "Get our newsletter",
            "text": "News, stories and events, once a month, in Bangla or English.",
        }
        description = _("The newsletter sign-up form")


class BodyBlock(blocks.StreamBlock):
    """The body of articles, stories and events."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    statistics = StatisticsBlock()
    video = VideoBlock()
    call_to_action = CallToActionBlock()
    document = DocumentBlock()
    newsletter_signup = NewsletterSignupBlock()
