"""Filters of the print edition's templates (newsletter/print/)."""

from django import template

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
    """Where the PDF renderer reads a print-size image (newsletter.parts.PrintImage), or ""."""
    name = print_image.name if print_image else ""
    return f"{printing.STORAGE_SCHEME}{name}" if name else ""
