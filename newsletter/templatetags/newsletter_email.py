"""Filters of the e-mail's templates (newsletter/email/): lines that break where they should."""

import re
import textwrap

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# A piece of an address line shorter than this is never broken inside ("প্লট ১৭/বি&সি",
# "Dhaka-1207"); a longer one may wrap, or it would push a 375 px screen sideways.
NOWRAP_MAX = 32
TEXT_WIDTH = 76


@register.filter
def nowrap(value):
    """The text kept on one line (a link label, a short phrase)."""
    return format_html('<span style="white-space:nowrap;">{}</span>', value)


@register.filter
def address_html(value):
    """A postal address as HTML lines, broken only after its commas (each line's pieces that are
    short enough stay whole)."""
    lines = []
    for line in str(value or "").strip().splitlines():
        pieces = [piece.strip() for piece in line.split(",") if piece.strip()]
        shown = [
            nowrap(piece) if len(piece) <= NOWRAP_MAX else conditional_escape(piece)
            for piece in pieces
        ]
        lines.append(mark_safe(", ".join(shown)))  # noqa: S308 (each piece escaped above)
    return mark_safe("<br>".join(lines))  # noqa: S308 (each line escaped above)


@register.filter
def text_block(value, indent=0):
    """Plain text wrapped at 76 characters, every line indented by `indent` spaces (list
    summaries line up under their title, not only their first line)."""
    indent = " " * int(indent or 0)
    paragraphs = re.split(r"\n\s*\n", str(value or "").strip())
    return "\n\n".join(
        textwrap.fill(
            " ".join(paragraph.split()),
            TEXT_WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for paragraph in paragraphs
        if paragraph.strip()
    )


@register.filter
def text_link(label, url):
    """`Label: URL` on one line when it fits in 78 characters, else the URL on the next line,
    indented (a URL is never broken)."""
    line = f"{label}: {url}"
    return line if len(line) <= TEXT_WIDTH + 2 else f"{label}:\n  {url}"


@register.filter
def text_heading(value):
    """The plain text's one heading style: `== Heading ==`, wrapped when long."""
    return textwrap.fill(f"== {' '.join(str(value).split())} ==", TEXT_WIDTH)


@register.filter
def text_item(value):
    """A list item's first line: `* Title`, wrapped under itself."""
    return textwrap.fill(
        " ".join(str(value).split()), TEXT_WIDTH, initial_indent="* ", subsequent_indent="  "
    )
