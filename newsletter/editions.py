"""Rendering an edition: one function of (issue revision, locale) -> subject, preheader, HTML, text.

`render_edition(issue)` takes an issue page object (the live page, a revision's `as_object()` or
the unsaved page of an admin preview) in the language of the edition. It

1. resolves every page the body points at to that language (`localized`), in a fixed number of
   queries, and notes each item that falls back to another language or is not published;
2. asks each block of the body for its part (`newsletter.blocks.EditionPart`: plain dicts of
   texts, absolute URLs and email-sized renditions);
3. renders the parts, each with its block's template, once through the MJML template and compiles
   it with mjml-python, and once through the plain-text template, so both say the same thing.

Per-recipient links are placeholders (`PLACEHOLDERS`) filled at send time with
`Edition.personalize`; nothing per recipient is rendered or compiled again.
"""

import dataclasses
import quopri
import re

import mjml
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from website import formatting
from website.localize import pick_localized
from website.models import CustomImage

from .frame import frame_context
from .languages import BOTH
from .links import edition_placeholders, page_url
from .parts import RENDITIONS, absolutize_links, html_to_text

# Gmail clips messages whose HTML is larger than this; we measure the encoded HTML part.
GMAIL_CLIP_BYTES = 102 * 1024
# Lines of the HTML part are broken after this many bytes, at the next space outside quotes;
# SMTP allows 998, and MJML's longest attribute (a button's style) is under 400.
MAX_LINE_BYTES = 500
# Unquoted: valid CSS for names made of words, and MJML repeats the stack in every inline style,
# where each quote would be escaped as six bytes.
FONT_STACK = {
    "bn": "Noto Sans Bengali, Hind Siliguri, Kalpurush, SolaimanLipi, Nirmala UI, Vrinda, Arial, "
    "sans-serif",
    "en": "Helvetica, Arial, Noto Sans Bengali, Nirmala UI, sans-serif",
}

# After the hidden preheader: invisible characters (a combining grapheme joiner, a zero-width
# non-joiner and a no-break space, repeated) that fill the inbox's preview line, which would
# otherwise run on into the first text of the e-mail ("Read this issue on the web...").
PREHEADER_FILLER = "\u034f\u200c\u00a0" * 90


@dataclasses.dataclass(frozen=True)
class ItemNote:
    """An item of the edition that is not as it should be, for the composer and readiness check."""

    block: int  # position of the block in the body, from 1
    title: str
    # "fallback", "unpublished", "alt", "image" (its file is missing); warnings, which do not
    # keep an issue from being sent: "figures_after_issue" (statistics dated after the issue),
    # "not_video" (a video item whose address is no video)
    problem: str
    language: str = ""  # the language shown instead, for fallbacks


@dataclasses.dataclass(frozen=True)
class Edition:
    language: str
    subject: str
    preheader: str
    html: str
    text: str
    notes: tuple = ()
    links: tuple = ()  # a frozen edition's tracked link targets (newsletter.links.track_links)
    shortened: bool = False  # the bilingual edition's second half cut to titles (Gmail's limit)

    def personalize(self, links):
        """The edition with the recipient's own links (keys of PLACEHOLDERS, and of the tracked
        links when it has some) filled in."""
        html, text = self.html, self.text
        for placeholder, key in edition_placeholders(self.links).items():
            if key in links:
                html = html.replace(placeholder, links[key])
                text = text.replace(placeholder, links[key])
        return dataclasses.replace(self, html=html, text=text)

    @property
    def fallbacks(self):
        return [note for note in self.notes if note.problem == "fallback"]

    @property
    def unpublished(self):
        return [note for note in self.notes if note.problem == "unpublished"]

    @property
    def missing_alt(self):
        return [note for note in self.notes if note.problem == "alt"]

    @property
    def missing_images(self):
        return [note for note in self.notes if note.problem == "image"]

    @property
    def figures_after_issue(self):
        return [note for note in self.notes if note.problem == "figures_after_issue"]

    @property
    def not_videos(self):
        return [note for note in self.notes if note.problem == "not_video"]

    @property
    def html_size(self):
        """Bytes of the HTML part as sent (see newsletter.messages)."""
        return encoded_html_size(self.html)

    @property
    def fits_gmail(self):
        return self.html_size < GMAIL_CLIP_BYTES


MAIL_LINE_LIMIT = 998  # RFC 5322, without the CRLF


def fits_8bit(html):
    """Every line short enough for SMTP: the HTML part can go as 8bit UTF-8."""
    return all(len(line.encode("utf-8")) <= MAIL_LINE_LIMIT for line in html.splitlines())


def encoded_html_size(html):
    """Bytes of the HTML part as sent: 8bit with CRLF line ends when every line fits (what
    `wrap_lines` makes sure of), else quoted-printable, as Django's e-mail encodes it then."""
    raw = html.encode("utf-8")
    if fits_8bit(html):
        return len(raw) + html.count("\n")  # LF becomes CRLF on the wire
    encoded = quopri.encodestring(raw)
    return len(encoded) + encoded.count(b"\n")


def _page_ids(body):
    """Ids of every page the body points at, in order."""
    return [pk for child in body for pk in child.block.page_ids(child.value)]


def _image_ids(body):
    return [pk for child in body for pk in child.block.image_ids(child.value)]


class Resolver:
    """Pages and images of one edition, fetched in a fixed number of queries."""

    def __init__(self, issue):
        self.locale = issue.locale
        body = issue.body
        chosen = Page.objects.filter(pk__in=_page_ids(body)).only("pk", "translation_key")
        keys = {page.pk: page.translation_key for page in chosen}
        candidates = (
            Page.objects.filter(translation_key__in=set(keys.values()))
            .live()
            .public()
            .defer_streamfields()
            .specific()
            .select_related("locale", for_specific_subqueries=True)
        )
        # The issue's language first, then the source language.
        by_key = pick_localized(candidates, self.locale)
        self.pages = {pk: by_key.get(key) for pk, key in keys.items()}
        image_ids = set(_image_ids(body))
        image_ids |= {getattr(p, "hero_image_id", None) for p in self.pages.values() if p}
        image_ids.discard(None)
        specs = [spec for spec, _width in RENDITIONS.values()]
        self.images = CustomImage.objects.prefetch_renditions(*specs).in_bulk(image_ids)

    def page(self, chosen):
        """The chosen page in the edition's language, another language, or None if not live."""
        return self.pages.get(chosen.pk) if chosen else None

    def image(self, image):
        return self.images.get(image.pk) if image else None


class PartContext:
    """What a block of the body needs to give its part (see `newsletter.blocks.EditionPart`): the
    edition's language, its pages and images as resolved, and the notes for the composer."""

    def __init__(self, resolver, language, issue_date=None):
        self.resolver = resolver
        self.language = language
        self.issue_date = issue_date
        self.notes = []
        self.position = 0  # of the block being asked, from 1: notes name the block they come from

    def note(self, title, problem, language=""):
        self.notes.append(ItemNote(self.position, str(title), problem, language))

    def page(self, chosen, title=""):
        """The chosen page in the edition's language, else in another (noted as a fallback);
        None, noted as unpublished under `title` or the page's title, if it is not live."""
        page = self.resolver.page(chosen)
        if page is None:
            self.note(title or (chosen.title if chosen else "?"), "unpublished")
            return None
        language = page.locale.language_code
        if language != self.language:
            self.note(page.title, "fallback", language)
        return page

    def image(self, image):
        return self.resolver.image(image)

    def hero_image(self, page):
        return self.resolver.images.get(getattr(page, "hero_image_id", None))


def edition_parts(issue, resolver, language):
    """Each block's part of the edition, in order, with the block and its templates; the notes."""
    context = PartContext(resolver, language, issue.issue_date)
    parts = []
    for position, child in enumerate(issue.body, start=1):
        context.position = position
        part = child.block.edition_part(child.value, context)
        if part is not None:
            # The web archive renders the site's shared blocks with their own template.
            part.update(type=child.block_type, block=child, templates=child.block.part_templates())
            parts.append(part)
    return parts, context.notes


def compile_mjml(source):
    """MJML to HTML, with no web fonts fetched: the font stack uses the reader's own fonts."""
    html = mjml.mjml2html(source, disable_comments=True, fonts={})
    return wrap_lines(ATTRIBUTE_WITH_ESCAPES.sub(_unescape_attribute, html))


# mjml-python 1.4 (mrml) writes attribute values with Rust's debug escaping: Bengali vowel signs
# and other combining marks come out as "\u{9be}", a backslash doubled. Undone here, in attribute
# values only, so alt texts and labels read as written.
ATTRIBUTE_WITH_ESCAPES = re.compile(r'="([^"]*\\[^"]*)"')
DEBUG_ESCAPE = re.compile(r"\\(u\{([0-9a-fA-F]{1,6})\}|[\\'\"nrt0])")
DEBUG_CHARS = {"\\": "\\", "'": "'", '"': "&quot;", "n": "\n", "r": "\r", "t": "\t", "0": ""}


def _unescape_attribute(match):
    def char(m):
        return chr(int(m.group(2), 16)) if m.group(2) else DEBUG_CHARS[m.group(1)]

    return f'="{DEBUG_ESCAPE.sub(char, match.group(1))}"'


def wrap_lines(html, width=MAX_LINE_BYTES):
    """Break lines longer than `width` bytes at a space outside attribute values.

    MJML writes the body on one line; mail lines may not exceed 998 bytes, and Django would then
    fall back to quoted-printable, which nearly triples Bangla. A newline where a space was, outside
    quotes, changes nothing in HTML or CSS (no `<pre>` in our e-mails), so the HTML part can go as
    8bit UTF-8 with its size unchanged.
    """
    out, line = [], 0
    for index, segment in enumerate(QUOTED.split(html)):
        if index % 2:  # a quoted attribute value, kept whole
            out.append(segment)
            line += len(segment.encode())
            continue
        for position, word in enumerate(segment.split(" ")):
            if position:
                if line >= width:
                    out.append("\n")
                    line = 0
                else:
                    out.append(" ")
                    line += 1
            out.append(word)
            newline = word.rfind("\n")
            tail = word if newline < 0 else word[newline + 1 :]
            line = (0 if newline >= 0 else line) + len(tail.encode())
    return "".join(out)


QUOTED = re.compile(r'("[^"]*")')


def edition_context(issue, language):
    parts, notes = edition_parts(issue, Resolver(issue), language)
    letter_html = absolutize_links(expand_db_html(issue.letter or ""))
    return {
        "issue": issue,
        "language": language,
        "font_stack": FONT_STACK.get(language, FONT_STACK["en"]),
        "issue_date": formatting.format_date(issue.issue_date, language),
        "letter_html": letter_html,
        "letter_text": html_to_text(letter_html),
        "parts": parts,
        "web_url": page_url(issue) if issue.pk and issue.live else "",
        "print_url": print_url(issue),
        # The issue page knows its stored PDF (newsletter.models.prints); "" for drafts and
        # until the PDF is stored after publishing.
        "print_size": issue.print_size_text() if print_url(issue) else "",
        "preheader_filler": PREHEADER_FILLER,
        **frame_context(language, issue.issue_date),
    }, notes


def print_url(issue):
    """Where the print edition (PDF) of a live issue is served: `pdf/` under the issue's URL."""
    web = page_url(issue) if issue.pk and issue.live else ""
    return f"{web}pdf/" if web else ""


def web_parts(issue):
    """The body as the web archive shows it: the same resolved items as the e-mail."""
    language = issue.locale.language_code
    with translation.override(language):
        return edition_parts(issue, Resolver(issue), language)[0]


LANG_WRAPPER = re.compile(r'<div class="bw-lang-([a-z]{2,3})"')


def short_items(parts):
    """(title, url) of every item of the parts: what a shortened half of the bilingual edition
    lists instead of its parts."""
    items = []
    for part in parts:
        found = [part["item"]] if part.get("item") else part.get("items") or []
        items.extend({"title": item["title"], "url": item["url"]} for item in found)
    return items


def render_bilingual(first, second):
    """One e-mail for readers of both languages: the issue `first` (Bangla) then `second`
    (English), each half in its own language (`lang`), a link at the top jumping to the second,
    a subject naming both and a plain-text twin with both, one set of per-recipient links.

    When both halves together would be clipped by Gmail, the second half is shortened to its
    items' titles with links and a link to its web page.
    """
    halves = []
    notes = []
    for issue in (first, second):
        language = issue.locale.language_code
        with translation.override(language):
            context, half_notes = edition_context(issue, language)
        halves.append(context)
        notes.extend(half_notes)
    with translation.override(halves[1]["language"]):
        jump = _("Read it in English") if halves[1]["language"] == "en" else _("Read it in Bangla")
    context = {**halves[0], "bilingual": True, "halves": halves, "jump_label": jump}
    html, text = _render_bilingual(context)
    shortened = encoded_html_size(html) >= GMAIL_CLIP_BYTES
    if shortened:
        halves[1] = {**halves[1], "short": True, "short_items": short_items(halves[1]["parts"])}
        html, text = _render_bilingual(context)
    return Edition(
        language=BOTH,
        subject=f"{first.subject} | {second.subject}",
        preheader=first.preheader,
        html=html,
        text=text,
        notes=tuple(notes),
        shortened=shortened,
    )


def _render_bilingual(context):
    with translation.override(context["language"]):
        html = compile_mjml(render_to_string("newsletter/email/edition.mjml", context))
        text = render_to_string("newsletter/email/edition.txt", context)
    # Each half says its language: MJML gives wrappers a class, not a lang attribute.
    html = LANG_WRAPPER.sub(r'<div lang="\1" class="bw-lang-\1"', html)
    return html, re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_edition(issue):
    """The e-mail of `issue` in its own language: subject, preheader, HTML and text."""
    language = issue.locale.language_code
    with translation.override(language):
        context, notes = edition_context(issue, language)
        mjml_source = render_to_string("newsletter/email/edition.mjml", context)
        html = compile_mjml(mjml_source)
        text = render_to_string("newsletter/email/edition.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Edition(
        language=language,
        subject=issue.subject,
        preheader=issue.preheader,
        html=html,
        text=text,
        notes=tuple(notes),
    )
