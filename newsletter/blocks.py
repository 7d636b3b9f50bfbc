"""Blocks of a newsletter issue's body.

Items point at published news, stories and events; the edition resolves each one to the page in
the issue's own language (`newsletter.editions`). The other blocks are the site's shared blocks,
so officers compose with what they already know.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from website.blocks import (
    CallToActionBlock,
    HeadingBlock,
    ImageWithCaptionBlock,
    ParagraphBlock,
    QuoteBlock,
    StatisticsBlock,
    VideoBlock,
)

ITEM_PAGE_TYPES = ["stories.NewsPage", "stories.StoryPage", "events.EventPage"]


class FeaturedItemBlock(blocks.StructBlock):
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


class ItemListBlock(blocks.StructBlock):
    """Several pages in a compact list: small image, title, date and summary."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=150)
    pages = blocks.ListBlock(
        blocks.PageChooserBlock(page_type=ITEM_PAGE_TYPES), label=_("Pages"), min_num=1
    )

    class Meta:
        icon = "list-ul"
        label = _("List of items")
        description = _("News, stories or events in a compact list")


class DividerBlock(blocks.StaticBlock):
    class Meta:
        icon = "horizontalrule"
        label = _("Divider")
        admin_text = _("A line between sections")


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
