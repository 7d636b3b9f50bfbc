"""Rendering an edition: one function of (issue revision, locale) -> subject, preheader, HTML, text.

`render_edition(issue)` takes an issue page object (the live page, a revision's `as_object()` or
the unsaved page of an admin preview) in the language of the edition. It

1. resolves every page the body points at to that language (`localized`), in a fixed number of
   queries, and notes each item that falls back to another language or is not published;
2. turns the body into plain "parts" (dicts of texts, absolute URLs and email-sized renditions);
3. renders the parts once through the MJML template and compiles it with mjml-python, and once
   through the plain-text template, so both parts say the same thing.

Per-recipient links are placeholders (`PLACEHOLDERS`) filled at send time with
`Edition.personalize`; nothing per recipient is rendered or compiled again.
"""

import dataclasses
import quopri
import re
import textwrap
from html import unescape
from html.parser import HTMLParser

import mjml
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page
from wagtail.rich_text import expand_db_html

from website import formatting, fragments
from website.models import CustomImage, SiteSettings, SiteText

from .links import PLACEHOLDERS, absolute_url, page_url

# Gmail clips messages whose HTML is larger than this; we measure the encoded HTML part.
GMAIL_CLIP_BYTES = 102 * 1024
# Lines of the HTML part are broken after this many bytes, at the next space outside quotes;
# SMTP allows 998, and MJML's longest attribute (a button's style) is under 400.
MAX_LINE_BYTES = 500
CONTENT_WIDTH = 560  # px inside the 600px body
# Renditions at twice the displayed size, for sharp screens: (filter spec, displayed width).
RENDITIONS = {
    "featured": ("fill-1120x630-c75", CONTENT_WIDTH),
    "thumbnail": ("fill-240x240-c75", 120),
    "image": ("width-1120", CONTENT_WIDTH),
}
# Unquoted: valid CSS for names made of words, and MJML repeats the stack in every inline style,
# where each quote would be escaped as six bytes.
FONT_STACK = {
    "bn": "Noto Sans Bengali, Hind Siliguri, Kalpurush, SolaimanLipi, Nirmala UI, Vrinda, Arial, "
    "sans-serif",
    "en": "Helvetica, Arial, Noto Sans Bengali, Nirmala UI, sans-serif",
}


@dataclasses.dataclass(frozen=True)
class ItemNote:
    """An item of the edition that is not as it should be, for the composer and readiness check."""

    block: int  # position of the block in the body, from 1
    title: str
    problem: str  # "fallback", "unpublished", "alt"
    language: str = ""  # the language shown instead, for fallbacks


@dataclasses.dataclass(frozen=True)
class Edition:
    language: str
    subject: str
    preheader: str
    html: str
    text: str
    notes: tuple = ()

    def personalize(self, links):
        """The edition with the recipient's own links (keys of PLACEHOLDERS) filled in."""
        html, text = self.html, self.text
        for key, placeholder in PLACEHOLDERS.items():
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
    ids = []
    for block in body:
        if block.block_type == "featured_item":
            ids.append(block.value["page"].pk if block.value["page"] else None)
        elif block.block_type == "item_list":
            ids.extend(page.pk for page in block.value["pages"] if page)
        elif block.block_type == "call_to_action" and block.value.get("page"):
            ids.append(block.value["page"].pk)
    return [pk for pk in ids if pk]


def _image_ids(body):
    ids = []
    for block in body:
        value = block.value
        if block.block_type == "featured_item" and value.get("image"):
            ids.append(value["image"].pk)
        elif block.block_type in ("image", "video"):
            image = value.get("image") if block.block_type == "image" else value.get("thumbnail")
            if image:
                ids.append(image.pk)
    return ids


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
            .select_related("locale")
            .specific()
        )
        by_key = {}
        locales = fragments.locales_by_id()
        for page in candidates:
            if page.locale_id in locales:
                page.locale = locales[page.locale_id]
            current = by_key.get(page.translation_key)
            # The issue's language first, then the source language.
            rank = 0 if page.locale_id == self.locale.pk else (1 if page.alias_of_id is None else 2)
            if current is None or rank < current[0]:
                by_key[page.translation_key] = (rank, page)
        self.pages = {pk: by_key.get(key, (None, None))[1] for pk, key in keys.items()}
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


def _image_part(image, kind, alt="", href=""):
    """An image as the e-mail shows it: absolute URL of its 2x rendition, width, height, alt."""
    if image is None:
        return None
    spec, width = RENDITIONS[kind]
    rendition = image.get_rendition(spec)
    height = round(rendition.height * width / rendition.width)
    return {
        "src": absolute_url(rendition.url),
        "width": width,
        "height": height,
        "alt": alt or image.default_alt_text,
        "href": href,
        "credit": image.credit,
    }


def _page_date(page, language):
    """What an item's date line says: the event's days, else the article's date."""
    if hasattr(page, "start"):
        return formatting.format_date_range(page.start, page.end, language)
    if getattr(page, "date", None):
        return formatting.format_date(page.date, language)
    return ""


def _kind(page):
    return {"newspage": _("News"), "storypage": _("Story"), "eventpage": _("Event")}.get(
        page._meta.model_name, ""
    )


class _Builder:
    def __init__(self, issue, resolver, language):
        self.issue = issue
        self.resolver = resolver
        self.language = language
        self.notes = []
        self.position = 0

    def note(self, title, problem, language=""):
        self.notes.append(ItemNote(self.position, str(title), problem, language))

    def item(self, chosen, kind="thumbnail", overrides=None):
        overrides = overrides or {}
        page = self.resolver.page(chosen)
        if page is None:
            self.note(chosen.title if chosen else "?", "unpublished")
            return None
        language = page.locale.language_code
        if language != self.language:
            self.note(page.title, "fallback", language)
        url = page_url(page)
        image = self.resolver.image(overrides.get("image")) or self.resolver.images.get(
            getattr(page, "hero_image_id", None)
        )
        alt = "" if overrides.get("image") else getattr(page, "hero_image_alt", "")
        image_part = _image_part(image, kind, alt=alt, href=url)
        if image_part and not image_part["alt"]:
            self.note(page.title, "alt")
        return {
            "title": overrides.get("heading") or page.title,
            "summary": overrides.get("summary") or getattr(page, "summary", ""),
            "url": url,
            "kind": _kind(page),
            "date": _page_date(page, self.language),
            "image": image_part,
            "button": overrides.get("button_label") or _("Read more"),
            # A passage in another language says so (lang attribute), as on the site.
            "lang": language if language != self.language else "",
        }

    def part(self, block):
        kind, value = block.block_type, block.value
        if kind == "featured_item":
            item = self.item(value["page"], "featured", value)
            return item and {"type": kind, "item": item}
        if kind == "item_list":
            items = [self.item(page) for page in value["pages"]]
            items = [item for item in items if item]
            return items and {"type": kind, "heading": value.get("heading"), "items": items}
        if kind == "section_heading":
            return {"type": kind, "text": value["text"]}
        if kind == "paragraph":
            html = absolutize_links(expand_db_html(value.source))
            return {"type": kind, "html": html, "text": html_to_text(html)}
        if kind == "statistics":
            return {"type": kind, **statistics_part(value, self.language)}
        if kind == "image":
            image = self.resolver.image(value["image"])
            alt = getattr(value["image"], "contextual_alt_text", "")
            part = _image_part(image, "image", alt=alt)
            if part is None:
                return None
            if not part["alt"] and not getattr(value["image"], "decorative", False):
                self.note(value.get("caption") or image.title, "alt")
            part["caption"] = value.get("caption") or ""
            part["credit"] = value.get("credit") or part["credit"]
            return {"type": kind, "image": part}
        if kind == "quote":
            return {"type": kind, **{k: value.get(k) or "" for k in value}}
        if kind == "call_to_action":
            href = ""
            if value.get("page"):
                page = self.resolver.page(value["page"])
                if page is None:
                    self.note(value["heading"], "unpublished")
                else:
                    href = page_url(page)
                    if page.locale.language_code != self.language:
                        self.note(page.title, "fallback", page.locale.language_code)
            href = href or value.get("url") or ""
            return href and {
                "type": kind,
                "heading": value["heading"],
                "text": value.get("text") or "",
                "button": value["button_label"],
                "url": href,
            }
        if kind == "video":
            image = self.resolver.image(value.get("thumbnail") and value["thumbnail"])
            alt = value["title"]
            return {
                "type": kind,
                "title": value["title"],
                "caption": value.get("caption") or "",
                "url": value["url"],
                "image": _image_part(image, "featured", alt=alt, href=value["url"]),
            }
        if kind == "divider":
            return {"type": kind}
        return None

    def parts(self):
        parts = []
        for position, block in enumerate(self.issue.body, start=1):
            self.position = position  # notes name the block they come from
            part = self.part(block)
            if part:
                part["block"] = (
                    block  # the web archive renders shared blocks with their own template
                )
                parts.append(part)
        return parts


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


def footer_context(language):
    """Programme name, address and social links from the site settings, in the edition's
    language."""
    from wagtail.models import Site

    locale = Locale.objects.get(language_code=language)
    texts = SiteText.objects.for_locale(locale)
    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.for_site(site) if site else None
    return {
        "site_text": texts[0] if texts else None,
        "social_links": site_settings.social_links() if site_settings else [],
        "home_url": page_url(site.root_page.get_translation_or_none(locale) or site.root_page)
        if site
        else absolute_url("/"),
    }


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
    resolver = Resolver(issue)
    builder = _Builder(issue, resolver, language)
    parts = builder.parts()
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
        "links": PLACEHOLDERS,
        **footer_context(language),
    }, builder.notes


def web_parts(issue):
    """The body as the web archive shows it: the same resolved items as the e-mail."""
    language = issue.locale.language_code
    with translation.override(language):
        return _Builder(issue, Resolver(issue), language).parts()


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
