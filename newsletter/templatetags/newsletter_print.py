"""Filters of the print edition's templates (newsletter/print/)."""

from django import template
from django.utils.safestring import mark_safe

from .. import printing

register = template.Library()


@register.filter
def qr_code(url):
    """A QR code of the URL, as an SVG data URI for an <img>."""
    return printing.qr_svg(url) if url else ""


@register.filter
def short_url(url):
    """The URL as people type it from paper: no scheme, no trailing slash."""
    return printing.short_url(url or "")


@register.filter
def storage_url(print_image):
    """Where the PDF renderer reads a print-size image (newsletter.parts.PrintImage), or "" when
    there is none or its file is missing (the image is left out)."""
    return printing.storage_url(print_image.name) if print_image else ""


@register.filter
def css_string(value):
    """`value` as a quoted CSS string for the stylesheet's `content:`. Quotes, backslashes, line
    breaks and the characters of markup are written as CSS escapes, so no text can end the string
    or the <style> element."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n\r' else c for c in str(value))
    return mark_safe(f'"{escaped}"')  # noqa: S308 (escaped above for CSS, in <style>)
