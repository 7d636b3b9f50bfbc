"""What the parts of an edition are made of, whatever block gives them.

A block of the newsletter body gives its part (`newsletter.blocks.EditionPart`) from these pieces:
an image at the e-mail's size (and, made only if the print edition asks, at print size), an item
(a page the body points at, in the edition's language), figures as the reader's language writes
them, and rich text with absolute links, also as plain text. Parts are plain data: each channel
(the MJML and plain-text e-mail, the print edition) renders them with its own template.
"""

import re
import textwrap
from html import unescape
from html.parser import HTMLParser

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw
from wagtail.images.image_operations import FilterOperation
from wagtail.images.models import SourceImageIOError
from willow.plugins.pillow import PillowImage

from website import formatting

from .links import absolute_url, page_url

CONTENT_WIDTH = 560  # px inside the 600px body
# Renditions at twice the displayed size, for sharp screens: (filter spec, displayed width).
RENDITIONS = {
    "featured": ("fill-1120x630-c75", CONTENT_WIDTH),
    "video": ("fill-1120x630-c75|playmark", CONTENT_WIDTH),  # a play mark says: a video
    "thumbnail": ("fill-240x240-c75", 120),
    "image": ("width-1120", CONTENT_WIDTH),
}

# The print edition's renditions (A4, 170 mm of text width): about 180 dpi at the printed width,
# JPEG at a quality that office printers cannot tell from the original; (filter spec, printed mm).
PRINT_RENDITIONS = {
    "featured": ("fill-1200x510-c60|format-jpeg|jpegquality-72", 170),
    "video": ("fill-1200x510-c60|format-jpeg|jpegquality-72", 170),  # paper has its QR code
    "thumbnail": ("fill-300x300-c60|format-jpeg|jpegquality-72", 34),
    "image": ("max-1200x1200|format-jpeg|jpegquality-72", 170),
}


class PlayMarkOperation(FilterOperation):
    """`playmark` in a filter spec: a play button in the middle of the picture, so a video's
    thumbnail reads as a video in every e-mail program (registered in wagtail_hooks)."""

    SCALE = 4  # drawn larger, then reduced: smooth edges

    def construct(self):
        pass

    def run(self, willow, image, env):
        picture = willow.get_pillow_image()
        mode = picture.mode
        picture = picture.convert("RGBA")
        width, height = picture.size
        big = self.SCALE
        mark = Image.new("RGBA", (width * big, height * big), (0, 0, 0, 0))
        draw = ImageDraw.Draw(mark)
        radius = min(width, height) * big * 0.13
        x, y = width * big / 2, height * big / 2
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(15, 20, 26, 190),
            outline=(255, 255, 255, 255),
            width=round(radius * 0.1),
        )
        side = radius * 0.9
        draw.polygon(
            [
                (x - side * 0.4, y - side * 0.55),
                (x - side * 0.4, y + side * 0.55),
                (x + side * 0.6, y),
            ],
            fill=(255, 255, 255, 255),
        )
        picture.alpha_composite(mark.resize((width, height), Image.LANCZOS))
        return PillowImage(picture if mode == "RGBA" else picture.convert("RGB"))


class PrintImage:
    """An image at print size, made only when the print edition's template asks for it.

    `name` is the rendition's file in the default storage (the PDF renderer reads it from there,
    never over HTTP); empty when the original file is missing, so the print edition leaves the
    image out instead of failing.
    """

    def __init__(self, image, kind):
        self.image, self.kind = image, kind

    @cached_property
    def rendition(self):
        try:
            return self.image.get_rendition(PRINT_RENDITIONS[self.kind][0])
        except (SourceImageIOError, OSError):
            return None

    @property
    def name(self):
        return self.rendition.file.name if self.rendition else ""

    @property
    def width_mm(self):
        return PRINT_RENDITIONS[self.kind][1]


def image_part(image, kind, alt="", href=""):
    """An image as the e-mail shows it: absolute URL of its 2x rendition, width, height, alt;
    `print`, the same image at print size (see PrintImage)."""
    if image is None:
        return None
    spec, width = RENDITIONS[kind]
    try:
        rendition = image.get_rendition(spec)
    except SourceImageIOError:  # the original file is gone: the image is left out (noted)
        return None
    height = round(rendition.height * width / rendition.width)
    return {
        "src": absolute_url(rendition.url),
        "width": width,
        "height": height,
        "alt": alt or image.default_alt_text,
        "href": href,
        "credit": image.credit,
        "print": PrintImage(image, kind),
    }


def page_date(page, language):
    """What an item's date line says: the event's days, else the article's date."""
    if hasattr(page, "start"):
        return formatting.format_date_range(page.start, page.end, language)
    if getattr(page, "date", None):
        return formatting.format_date(page.date, language)
    return ""


def page_kind(page):
    return {"newspage": _("News"), "storypage": _("Story"), "eventpage": _("Event")}.get(
        page._meta.model_name, ""
    )


def item_part(chosen, context, kind="thumbnail", overrides=None):
    """A page the body points at, in the edition's language: title, summary, date, image, link.

    `overrides` (a featured item's heading, summary, image, button label) replace what the page
    says. None when the page is not live in any language (the context notes it).
    """
    overrides = overrides or {}
    page = context.page(chosen)
    if page is None:
        return None
    language = page.locale.language_code
    url = page_url(page)
    chosen_image = context.image(overrides.get("image")) or context.hero_image(page)
    alt = "" if overrides.get("image") else getattr(page, "hero_image_alt", "")
    image = image_part(chosen_image, kind, alt=alt, href=url)
    if chosen_image and not image:
        context.note(page.title, "image")
    if image and not image["alt"]:
        context.note(page.title, "alt")
    return {
        "title": overrides.get("heading") or page.title,
        "summary": overrides.get("summary") or getattr(page, "summary", ""),
        "url": url,
        "kind": page_kind(page),
        "date": page_date(page, context.language),
        "image": image,
        "button": overrides.get("button_label") or _("Read more"),
        # A passage in another language says so (lang attribute), as on the site.
        "lang": language if language != context.language else "",
    }


def statistics_part(value, language):
    figures = [
        {
            "value": formatting.format_figure(figure["value"], figure.get("unit") or "", language),
            "label": figure["label"],
            "note": figure.get("note") or "",
        }
        for figure in value["figures"]
    ]
    meta = []
    if value.get("as_of"):
        meta.append(
            _("As of %(date)s") % {"date": formatting.format_date(value["as_of"], language)}
        )
    if value.get("source"):
        meta.append(_("Source: %(source)s") % {"source": value["source"]})
    return {"heading": value.get("heading") or "", "figures": figures, "meta": " · ".join(meta)}


def absolutize_links(html):
    """Rich text links and images made absolute on the site's base URL."""
    return re.sub(
        r'(href|src)="(/[^"]*)"', lambda m: f'{m.group(1)}="{absolute_url(m.group(2))}"', html
    )


class _TextWriter(HTMLParser):
    """Rich text as plain text: paragraphs apart, list items with a dash, links after their text."""

    BLOCKS = {"p", "h2", "h3", "h4", "li", "ul", "ol", "br", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.href = [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.out.append("\n\n" if tag not in ("li", "br") else "\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            self.out.append(f" <{self.href}>")
            self.href = None

    def handle_data(self, data):
        self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html, width=76):
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    paragraphs = re.split(r"\n\s*\n", "".join(writer.out))
    lines = []
    for paragraph in paragraphs:
        for line in paragraph.strip().splitlines():
            indent = "  " if line.startswith("- ") else ""
            lines.append(textwrap.fill(line.strip(), width, subsequent_indent=indent) or "")
        lines.append("")
    return unescape("\n".join(lines).strip())
