"""The print edition: an edition of an issue as an A4 PDF, in its language.

`render_print(issue)` takes the same issue object as `newsletter.editions.render_edition` (the live
page, a revision's `as_object()`, the unsaved page of a preview) and renders the same resolved parts
(`edition_context`) through each block's print template (`PART_TEMPLATES["print"]`) into one HTML
document with a print stylesheet, which headless Chromium (Debian's `chromium`, driven through
Playwright) lays out and prints as a tagged PDF: fonts embedded and subset, title and language
in the metadata, links clickable, page numbers and the running footer in CSS `@page` margin boxes.
pypdf then adds what Chromium does not write: the author, the subject and our name as creator,
and names the bookmarks after the headings.

Chromium writes each run of text with the Unicode it was shaped from, so copying or extracting
Bangla gives the words as written (conjuncts and vowel signs drawn before their consonant
included), which WeasyPrint, the renderer before, could not.

Nothing is fetched over the network and no script runs: images are read from the default storage
at print size (`newsletter.parts.PrintImage`, served to the browser at STORAGE_ORIGIN, a
name that never resolves), QR codes and the logo are inline SVG, and every other request is
aborted. An image whose file is missing is left out. One browser per render, always closed: renders
happen in the background worker (`newsletter.publishing`), or once per edition in a request.
Storing and serving the PDFs is `newsletter.models.prints`.
"""

import dataclasses
import io
import logging
import mimetypes
import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote

import segno
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import sync_playwright
from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from website import formatting

from .editions import edition_context

logger = logging.getLogger(__name__)

# Where the print edition's HTML points for images of the default storage; the browser's requests
# there are answered from the storage (".invalid" never resolves, so nothing can leak out).
STORAGE_ORIGIN = "https://storage.print.invalid/"
CREATOR = "Better Work Bangladesh CMS"
# Typefaces from Debian's fonts-noto-core (docs/sending.md, "Print edition"); the PDF embeds them.
PRINT_FONTS = {
    "bn": '"Noto Sans Bengali", "Noto Sans", "Hind Siliguri", "Nirmala UI", sans-serif',
    "en": '"Noto Sans", "Noto Sans Bengali", "DejaVu Sans", sans-serif',
}
# Starting Chromium and loading the HTML each fail after this long (logged), well within the
# render lock (newsletter.models.prints.LOCK_SECONDS, 120 s).
STEP_TIMEOUT_MS = 30_000


@dataclasses.dataclass(frozen=True)
class PrintEdition:
    language: str
    pdf: bytes
    pages: int
    notes: tuple = ()

    @property
    def size(self):
        return len(self.pdf)


def qr_svg(url):
    """A QR code of `url` as an SVG data URI, black on white (decodes on any phone)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def short_url(url):
    """A link as people type it: no scheme, no trailing slash."""
    return re.sub(r"^https?://", "", url).rstrip("/")


def storage_url(name):
    """Where the print edition's HTML points for the storage file `name`; "" when the file is
    missing, so the template leaves the image out instead of printing a broken one."""
    if not name:
        return ""
    if not default_storage.exists(name):
        logger.warning("Print edition: storage file %s is missing, the image is left out", name)
        return ""
    return STORAGE_ORIGIN + quote(name)


def print_filename(issue):
    """better-work-bangladesh-newsletter-2022-12-bn.pdf"""
    return (
        f"better-work-bangladesh-newsletter-{issue.issue_date:%Y-%m}-"
        f"{issue.locale.language_code}.pdf"
    )


def print_html(issue):
    """The print edition's HTML document (what Chromium prints), its document information
    (author, subject) and the composer's notes."""
    language = issue.locale.language_code
    with translation.override(language):
        context, notes = edition_context(issue, language)
        issue_month = formatting.format_month(issue.issue_date, language)
        context.update(
            font_stack=PRINT_FONTS.get(language, PRINT_FONTS["en"]),
            issue_month=issue_month,
            page_label=translation.gettext("Page"),
            running_footer=" · ".join(
                [context["programme_name"], translation.gettext("Newsletter"), issue_month]
            ),
        )
        html = render_to_string("newsletter/print/edition.html", context)
    info = {"/Author": context["programme_name"], "/Creator": CREATOR}
    if issue.preheader:
        info["/Subject"] = issue.preheader
    return html, info, notes


def serve_storage(route):
    """Answer the browser's request for a storage file; abort every other request."""
    url = route.request.url
    if not url.startswith(STORAGE_ORIGIN):
        logger.warning("Print edition: refused to fetch %s", url)
        route.abort("blockedbyclient")
        return
    name = unquote(url.removeprefix(STORAGE_ORIGIN))
    try:
        with default_storage.open(name) as file:
            body = file.read()
    except OSError:  # removed since the HTML was made: the image is left out
        logger.warning("Print edition: storage file %s is missing", name)
        route.abort("filenotfound")
        return
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=body, content_type=content_type)


def chromium_pdf(html):
    """`html` printed by headless Chromium as a tagged A4 PDF (the sizes and margins are the
    stylesheet's `@page`); no script runs and nothing is fetched over the network."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.PRINT_CHROMIUM, timeout=STEP_TIMEOUT_MS
        )
        try:
            page = browser.new_page(java_script_enabled=False)
            page.set_default_timeout(STEP_TIMEOUT_MS)
            page.route("**/*", serve_storage)
            page.set_content(html, wait_until="load")
            return page.pdf(
                prefer_css_page_size=True,
                print_background=True,
                tagged=True,
                outline=True,
            )
        finally:
            browser.close()


class Headings(HTMLParser):
    """The text of each heading (h1-h6) of an HTML document, in document order."""

    def __init__(self, html):
        super().__init__()
        self.texts, self.inside = [], None
        self.feed(html)
        self.close()
        self.texts = [" ".join(text.split()) for text in self.texts]

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.texts.append("")
            self.inside = tag

    def handle_endtag(self, tag):
        if tag == self.inside:
            self.inside = None

    def handle_data(self, data):
        if self.inside:
            self.texts[-1] += data


def outline_items(node):
    """The outline items under `node` (the /Outlines dictionary or an item), in document order."""
    item = node.get("/First")
    while item is not None:
        item = item.get_object()
        yield item
        yield from outline_items(item)
        item = item.get("/Next")


def name_outline(writer, headings):
    """Chromium names each bookmark after its heading as laid out, which runs a wrapped heading's
    lines together ("andinclusion") and repeats a heading moved to the next page: give the
    bookmarks (one per heading, in order) their headings' text from the HTML instead."""
    outlines = writer.root_object.get("/Outlines")
    items = list(outline_items(outlines.get_object())) if outlines else []
    if len(items) != len(headings):
        logger.warning("Print edition: %s bookmarks for %s headings", len(items), len(headings))
        return
    for item, text in zip(items, headings, strict=True):
        item[NameObject("/Title")] = TextStringObject(text)


def finish_pdf(pdf, info, headings):
    """The PDF with `info` added to its document information and its bookmarks named after
    `headings`, and its number of pages. An incremental update: Chromium's bytes (tags, links,
    fonts, `Lang`) stay as written, the changed objects are appended."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata(info)
    name_outline(writer, headings)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def render_print(issue):
    """The print edition of `issue` in its own language, as a PDF."""
    html, info, notes = print_html(issue)
    pdf, pages = finish_pdf(chromium_pdf(html), info, Headings(html).texts)
    return PrintEdition(
        language=issue.locale.language_code,
        pdf=pdf,
        pages=pages,
        notes=tuple(notes),
    )
