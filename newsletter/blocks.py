"""Blocks of a newsletter issue's body, each giving its own part of the edition.

Items point at published news, stories and events; the edition resolves each one to the page in
the issue's own language (`newsletter.editions`). The other blocks are the site's shared blocks,
so officers compose with what they already know; their newsletter side is added here, in
subclasses, since the site knows nothing of the newsletter.

Every block of the body is an `EditionPart`: it names the pages and images it needs (fetched for
the whole edition at once), gives its part as plain data, and names its part, whose template each
channel renders (`PART_TEMPLATES`). A new block without one is reported by a system check.
"""

import re
from urllib.parse import urlsplit

from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.finders import get_finders
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

from website import blocks as website

from .links import page_url
from .parts import absolutize_links, html_to_text, image_part, item_part, statistics_part

# Each channel's template of a part, by the part's name (a block's Meta.part_name): the MJML and
# plain-text e-mail, and the print edition's HTML (newsletter.printing renders it as a PDF).
PART_TEMPLATES = {
    "mjml": "newsletter/email/parts/{}.mjml",
    "text": "newsletter/email/text/{}.txt",
    "print": "newsletter/print/parts/{}.html",
}


class EditionPart:
    """A block that gives its own part of an edition (mixed into a Wagtail block).

    `context` is the edition's `newsletter.editions.PartContext`: its language, the resolved
    pages and images (`page`, `image`, `hero_image`) and `note` for what the composer should know.
    """

    def page_ids(self, value):
        """Ids of the pages this block's value points at."""
        return []

    def image_ids(self, value):
        """Ids of the images this block's value shows itself (pages bring their hero image)."""
        return []

    def edition_part(self, value, context):
        """The part as plain data (a dict), or None to leave the block out of the edition."""
        raise NotImplementedError

    def part_templates(self):
        """The template of this block's part in each channel."""
        return {
            channel: name.format(self.meta.part_name) for channel, name in PART_TEMPLATES.items()
        }


def _pk(instance):
    return [instance.pk] if instance else []


ITEM_PAGE_TYPES = ["stories.NewsPage", "stories.StoryPage", "events.EventPage"]


class FeaturedItemBlock(EditionPart, blocks.StructBlock):
    """One page shown large: its image, title, summary and a button.

    The overrides replace what the page says, for this issue only; left empty, the page's own
    title, summary and hero image are used, in the issue's language.
    """

    page = blocks.PageChooserBlock(label=_("Page"), page_type=ITEM_PAGE_TYPES)
    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=200, help_text=_("Defaults to the title")
    )
    summary = blocks.TextBlock(
        label=_("Summary"), required=False, help_text=_("Defaults to the page's summary")
    )
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Defaults to the page's hero image")
    )
    button_label = blocks.CharBlock(
        label=_("Button label"),
        required=False,
        max_length=60,
        help_text=_("Defaults to 'Read more'"),
    )

    class Meta:
        icon = "pick"
        label = _("Featured item")
        description = _("A news article, story or event shown large")
        part_name = "featured_item"

    def page_ids(self, value):
        return _pk(value["page"])

    def image_ids(self, value):
        return _pk(value.get("image"))

    def edition_part(self, value, context):
        item = item_part(value["page"], context, "featured", value)
        return {"item": item} if item else None


class ItemListBlock(EditionPart, blocks.StructBlock):
    """Several pages in a compact list: small image, title, date and summary."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=150)
    pages = blocks.ListBlock(
        blocks.PageChooserBlock(page_type=ITEM_PAGE_TYPES), label=_("Pages"), min_num=1
    )

    class Meta:
        icon = "list-ul"
        label = _("List of items")
        description = _("News, stories or events in a compact list")
        part_name = "item_list"

    def page_ids(self, value):
        return [page.pk for page in value["pages"] if page]

    def edition_part(self, value, context):
        items = [item_part(page, context) for page in value["pages"]]
        items = [item for item in items if item]
        return {"heading": value.get("heading"), "items": items} if items else None


class DividerBlock(EditionPart, blocks.StaticBlock):
    class Meta:
        icon = "horizontalrule"
        label = _("Divider")
        admin_text = _("A line between sections")
        part_name = "divider"

    def edition_part(self, value, context):
        return {}


class HeadingBlock(EditionPart, website.HeadingBlock):
    class Meta:
        part_name = "section_heading"

    def edition_part(self, value, context):
        return {"text": value["text"]}


class ParagraphBlock(EditionPart, website.ParagraphBlock):
    class Meta:
        part_name = "paragraph"

    def edition_part(self, value, context):
        html = absolutize_links(expand_db_html(value.source))
        return {"html": html, "text": html_to_text(html)}


class StatisticsBlock(EditionPart, website.StatisticsBlock):
    class Meta:
        part_name = "statistics"

    def edition_part(self, value, context):
        as_of = value.get("as_of")
        if as_of and context.issue_date and as_of > context.issue_date:
            context.note(value.get("heading") or _("Statistics"), "figures_after_issue")
        return statistics_part(value, context.language)


class ImageWithCaptionBlock(EditionPart, website.ImageWithCaptionBlock):
    class Meta:
        part_name = "image"

    def image_ids(self, value):
        return _pk(value.get("image"))

    def edition_part(self, value, context):
        chosen = value["image"]
        image = context.image(chosen)
        part = image_part(image, "image", alt=getattr(chosen, "contextual_alt_text", ""))
        if part is None:
            if image is not None:  # its file is missing
                context.note(value.get("caption") or image.title, "image")
            return None
        if not part["alt"] and not getattr(chosen, "decorative", False):
            context.note(value.get("caption") or image.title, "alt")
        part["caption"] = value.get("caption") or ""
        part["credit"] = value.get("credit") or part["credit"]
        return {"image": part}


class QuoteBlock(EditionPart, website.QuoteBlock):
    class Meta:
        part_name = "quote"

    def edition_part(self, value, context):
        return {key: value.get(key) or "" for key in value}


class CallToActionBlock(EditionPart, website.CallToActionBlock):
    class Meta:
        part_name = "call_to_action"

    def page_ids(self, value):
        return _pk(value.get("page"))

    def edition_part(self, value, context):
        href = ""
        if value.get("page"):
            page = context.page(value["page"], title=value["heading"])
            href = page_url(page) if page else ""
        href = href or value.get("url") or ""
        if not href:
            return None
        return {
            "heading": value["heading"],
            "text": value.get("text") or "",
            "button": value["button_label"],
            "url": href,
        }


class VideoBlock(EditionPart, website.VideoBlock):
    class Meta:
        part_name = "video"

    def image_ids(self, value):
        return _pk(value.get("thumbnail"))

    def edition_part(self, value, context):
        if not is_video_url(value["url"]):
            context.note(value["title"], "not_video")
        image = context.image(value.get("thumbnail"))
        return {
            "title": value["title"],
            "caption": value.get("caption") or "",
            "url": value["url"],
            "image": image_part(image, "video", alt=value["title"], href=value["url"]),
        }


VIDEO_FILE = re.compile(r"\.(mp4|m4v|webm|mov|ogv)$", re.IGNORECASE)


def is_video_url(url):
    """Does `url` show a video: a provider Wagtail's embeds know (YouTube, Vimeo and others;
    matched by address, nothing is fetched), or a video file?"""
    if any(finder.accept(url) for finder in get_finders()):
        return True
    return bool(VIDEO_FILE.search(urlsplit(url).path))


class NewsletterBodyBlock(blocks.StreamBlock):
    featured_item = FeaturedItemBlock()
    item_list = ItemListBlock()
    section_heading = HeadingBlock()
    paragraph = ParagraphBlock()
    statistics = StatisticsBlock()
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    video = VideoBlock()
    divider = DividerBlock()


def part_errors(stream_block):
    """What keeps a block of `stream_block` from giving its part of the edition, as check errors."""
    errors = []
    for name, block in stream_block.child_blocks.items():
        kind = type(block)
        where = f"{type(stream_block).__name__}.{name} ({kind.__module__}.{kind.__qualname__})"
        if not isinstance(block, EditionPart):
            errors.append(
                checks.Error(
                    f"The newsletter block {where} does not give its part of the edition.",
                    hint="Mix newsletter.blocks.EditionPart into it, give it Meta.part_name and "
                    "edition_part(), and write its part's templates.",
                    obj=stream_block,
                    id="newsletter.E001",
                )
            )
            continue
        if not getattr(block.meta, "part_name", None):
            errors.append(
                checks.Error(
                    f"The newsletter block {where} names no part (Meta.part_name).",
                    obj=stream_block,
                    id="newsletter.E002",
                )
            )
            continue
        for channel, template in block.part_templates().items():
            try:
                get_template(template)
            except TemplateDoesNotExist:
                errors.append(
                    checks.Error(
                        f"The newsletter block {where} has no {channel} template {template}.",
                        obj=stream_block,
                        id="newsletter.E003",
                    )
                )
    return errors


@checks.register(checks.Tags.templates)
def check_body_blocks(app_configs=None, **kwargs):
    """Every block of an issue's body gives its own part of the edition."""
    return part_errors(NewsletterBodyBlock())
