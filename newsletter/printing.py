"""The print edition: an edition of an issue as an A4 PDF, in its language.

`render_print(issue)` takes the same issue object as `newsletter.editions.render_edition` (the live
page, a revision's `as_object()`, the unsaved page of a preview) and renders the same resolved parts
(`edition_context`) through each block's print template (`PART_TEMPLATES["print"]`) into one HTML
document with a print stylesheet, which WeasyPrint lays out (Pango and HarfBuzz shape Bengali
script) and writes as a tagged PDF: fonts embedded and subset, title, author and language in the
metadata, links clickable.

Nothing is fetched over the network: images are read from the default storage at print size
(`newsletter.parts.PrintImage`, "storage:" URLs), QR codes and the logo are inline SVG. A resource
that cannot be read is left out and WeasyPrint goes on. Storing and serving the PDFs is
`newsletter.models.prints`.
"""

import dataclasses
import logging
import mimetypes
import re

import segno
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from website import formatting

from .editions import edition_context
from .links import absolute_url

logger = logging.getLogger(__name__)

STORAGE_SCHEME = "storage:"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF with the structure screen readers need
# Typefaces from Debian's fonts-noto-core (docs/sending.md, "Print edition"); the PDF embeds them.
PRINT_FONTS = {
    "bn": '"Noto Sans Bengali", "Noto Sans", "Hind Siliguri", "Nirmala UI", sans-serif',
    "en": '"Noto Sans", "Noto Sans Bengali", "DejaVu Sans", sans-serif',
}


@dataclasses.dataclass(frozen=True)
class PrintEdition:
    language: str
    pdf: bytes
    pages: int
    notes: tuple = ()

    @property
    def size(self):
        return len(self.pdf)


class StorageFetcher(URLFetcher):
    """Reads "storage:<name>" from the default storage and `data:` URLs; refuses anything else,
    so rendering never waits on the network (WeasyPrint leaves a refused resource out)."""

    def fetch(self, url, headers=None):
        if url.startswith(STORAGE_SCHEME):
            name = url.removeprefix(STORAGE_SCHEME)
            with default_storage.open(name) as file:
                body = file.read()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"The print edition fetches nothing over the network: {url}")


def qr_svg(url):
    """A QR code of `url` as an SVG data URI, black on white (decodes on any phone)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def short_url(url):
    """A link as people type it: no scheme, no trailing slash."""
    return re.sub(r"^https?://", "", url).rstrip("/")


def print_filename(issue):
    """better-work-bangladesh-newsletter-2022-12-bn.pdf"""
    return (
        f"better-work-bangladesh-newsletter-{issue.issue_date:%Y-%m}-"
        f"{issue.locale.language_code}.pdf"
    )


def print_html(issue):
    """The print edition's HTML document (what WeasyPrint lays out), and the composer's notes."""
    language = issue.locale.language_code
    with translation.override(language):
        context, notes = edition_context(issue, language)
        context.update(
            font_stack=PRINT_FONTS.get(language, PRINT_FONTS["en"]),
            storage_scheme=STORAGE_SCHEME,
            issue_month=formatting.format_month(issue.issue_date, language),
        )
        html = render_to_string("newsletter/print/edition.html", context)
    return html, notes


def render_print(issue):
    """The print edition of `issue` in its own language, as a PDF."""
    html, notes = print_html(issue)
    document = HTML(string=html, base_url=absolute_url("/"), url_fetcher=StorageFetcher()).render()
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return PrintEdition(
        language=issue.locale.language_code,
        pdf=pdf,
        pages=len(document.pages),
        notes=tuple(notes),
    )
