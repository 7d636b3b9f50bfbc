"""Tracked links and opens of sent editions: freezing the links, recording clicks, finding the
target of a click.

- `freeze_links(data, campaign)` (at the start of a send): every link of a frozen edition's HTML
  and text is listed once in `data["links"]` (its URL and, for a page of the site, the page's id)
  and replaced by a placeholder that each recipient's message fills with its own /r/<token>
  (newsletter.links.click_links). Subscription links are placeholders already and stay as they
  are.
- `target(send_id, language, position)`: where a click goes, read from the frozen edition (never
  from the URL): the page's current address when it moved, the archive when it is gone.
- `record_click(delivery, position, request)`: one Click row per request, classified as a
  person's or a machine's (HEAD, a scanner's user agent, seconds after delivery, every link at
  once); the first click of a person marks the delivery clicked. Nothing is ever counted up in a
  shared row: a burst on one link inserts rows side by side.

What is filtered and why: docs/reports.md.
"""

import functools
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from .editions import wrap_lines
from .links import OPEN_PLACEHOLDER, absolute_url, click_placeholder, page_url, track_links
from .models import Click, ClickKind, Delivery, NewsletterArchivePage, Send

# User agents of link scanners, security gateways and previewers (case-insensitive), and no
# user agent at all.
SCANNERS = re.compile(
    r"bot\b|crawl|spider|preview|scan|proofpoint|mimecast|barracuda|safelinks|"
    r"microsoft office|ms-office|google-safety|urlscan|python|curl|wget|go-http|java/|"
    r"okhttp|headless|phantomjs|libwww|httpclient|axios|node-fetch|^$",
    re.IGNORECASE,
)
BURST_SECONDS = 2  # clicks of one delivery this close together on
BURST_LINKS = 3  # this many different links are a scanner opening every link at once
PAGE_CACHE_SECONDS = 300  # how long the current address of a linked page is kept


def agent_class(user_agent):
    """ "scanner" or "person": the only thing kept of a user agent."""
    return "scanner" if SCANNERS.search(user_agent or "") else "person"


def site_pages(urls):
    """{url: page id} of the URLs that are pages of this site (found by their url_path in the
    language of their prefix)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return {}
    base = f"{settings.WAGTAILADMIN_BASE_URL}/"
    wanted = {}  # language -> {url_path: url}
    for url in urls:
        if not url.startswith(base):
            continue
        language, _slash, rest = unquote(urlsplit(url).path).lstrip("/").partition("/")
        wanted.setdefault(language, {})[rest] = url
    found = {}
    for locale in Locale.objects.filter(language_code__in=list(wanted)):
        root = site.root_page.get_translation_or_none(locale)
        if root is None:
            continue
        paths = {root.url_path + rest: url for rest, url in wanted[locale.language_code].items()}
        pages = Page.objects.filter(url_path__in=list(paths), locale=locale)
        for pk, url_path in pages.values_list("pk", "url_path"):
            found[paths[url_path]] = pk
    return found


def freeze_links(data, campaign):
    """The frozen edition `data` (dict of Send.editions) with its links tracked (setting
    NEWSLETTER_TRACK_CLICKS), UTM parameters (NEWSLETTER_UTM, `campaign`) and the open image
    (NEWSLETTER_TRACK_OPENS)."""
    html, text, urls = track_links(
        data["html"],
        data["text"],
        campaign=campaign if settings.NEWSLETTER_UTM else "",
        track=settings.NEWSLETTER_TRACK_CLICKS,
        opens=settings.NEWSLETTER_TRACK_OPENS,
    )
    html = wrap_for_links(html, len(urls))
    if not settings.NEWSLETTER_TRACK_CLICKS:
        return {**data, "html": html, "text": text}
    pages = site_pages(urls)
    links = [{"url": url, "page": pages.get(url.split("?")[0].split("#")[0])} for url in urls]
    return {**data, "html": html, "text": text, "links": links}


def wrap_for_links(html, count):
    """The HTML's lines broken again as if every tracked link and the open image already held
    the longest URL a recipient's message can carry, so no line of any message passes SMTP's
    998 bytes (the placeholders are much shorter than the links put in their place)."""
    longest = {
        click_placeholder(i): f"{absolute_url('/r/')}{i:0>19}-{i:0>5}:{'x' * 43}"
        for i in range(count)
    }
    longest[OPEN_PLACEHOLDER] = absolute_url(f"/o/{0:0>19}:{'x' * 43}.gif")
    for placeholder, url in longest.items():
        html = html.replace(placeholder, url)
    html = wrap_lines(html)
    for placeholder, url in longest.items():
        html = html.replace(url, placeholder)
    return html


@functools.lru_cache(maxsize=256)
def frozen_links(send_id, language):
    """The tracked links of a send's edition: frozen, so kept in memory for good."""
    links = (
        Send.objects.filter(pk=send_id)
        .values_list(f"editions__{language}__links", flat=True)
        .first()
    )
    return tuple(links or ())


def archive_url(language):
    archive = (
        NewsletterArchivePage.objects.live().public().filter(locale__language_code=language).first()
    )
    return page_url(archive) if archive else f"{settings.WAGTAILADMIN_BASE_URL}/{language}/"


def current_page_url(page_id, language):
    """The current address of a linked page, or the archive's when it is unpublished, private
    or deleted (kept a few minutes)."""

    def find():
        page = Page.objects.live().public().filter(pk=page_id).first()
        return (page_url(page) if page else "") or archive_url(language)

    key = f"newsletter:linked-page:{page_id}:{language}"
    return cache.get_or_set(key, find, PAGE_CACHE_SECONDS)


def target(link, language):
    """Where a click on a frozen `link` goes: its frozen URL, or, when it is a page that moved or
    went away, the page's current address or the archive (query and fragment kept)."""
    url = link["url"]
    if not link.get("page"):
        return url
    parts = urlsplit(url)
    current = current_page_url(link["page"], language)
    if current == urlunsplit(parts._replace(query="", fragment="")):
        return url
    return urlunsplit(urlsplit(current)._replace(query=parts.query, fragment=parts.fragment))


def machine_kind(request, delivery, now):
    """Why this click is a machine's, or PERSON."""
    if request.method == "HEAD":
        return ClickKind.HEAD
    if agent_class(request.headers.get("User-Agent", "")) == "scanner":
        return ClickKind.SCANNER
    seconds = settings.NEWSLETTER_MACHINE_CLICK_SECONDS
    if delivery.sent_at and now - delivery.sent_at < timedelta(seconds=seconds):
        return ClickKind.EARLY
    return ClickKind.PERSON


def clicked_delivery(delivery_id, position):
    """The delivery a click names, with what the click needs to know, in one query: its send,
    language, time of delivery, first click, and how many other links it clicked in the last
    BURST_SECONDS (None when there is no such delivery)."""
    since = timezone.now() - timedelta(seconds=BURST_SECONDS)
    recent = Q(clicks__at__gte=since) & ~Q(clicks__link=position)
    return (
        Delivery.objects.filter(pk=delivery_id)
        .only("pk", "send_id", "language", "sent_at", "clicked_at")
        .annotate(other_recent_links=Count("clicks__link", filter=recent, distinct=True))
        .first()
    )


def record_click(delivery, position, request):
    """Record one click on link `position` of `delivery` (from `clicked_delivery`); returns its
    kind. One insert, and one update on a person's first click of the delivery."""
    with transaction.atomic():
        relaxed_commit()
        return write_click(delivery, position, request)


def relaxed_commit():
    """On PostgreSQL, this transaction's commit does not wait for the disk (a plain SQL setting,
    for this transaction only): a crash of the database server itself could lose the last
    fraction of a second of clicks, never a request's answer. NEWSLETTER_RELAXED_COMMITS, as for
    the workers' statuses."""
    if connection.vendor == "postgresql" and settings.NEWSLETTER_RELAXED_COMMITS:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def write_click(delivery, position, request):
    now = timezone.now()
    kind = machine_kind(request, delivery, now)
    if kind == ClickKind.PERSON and delivery.other_recent_links + 1 >= BURST_LINKS:
        # A scanner opening every link at once: this click and the ones just before it.
        kind = ClickKind.BURST
        since = now - timedelta(seconds=BURST_SECONDS)
        Click.objects.filter(delivery_id=delivery.pk, at__gte=since).by_people().update(
            kind=ClickKind.BURST
        )
        people = Click.objects.filter(delivery_id=delivery.pk).by_people()
        first = people.aggregate(at=Min("at"))["at"]
        Delivery.objects.filter(pk=delivery.pk).update(clicked_at=first)
    Click.objects.create(
        send_id=delivery.send_id,
        delivery_id=delivery.pk,
        language=delivery.language,
        link=position,
        at=now,
        kind=kind,
    )
    if kind == ClickKind.PERSON and delivery.clicked_at is None:
        Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    return kind


def record_open(delivery_id):
    """The first time the open image of a delivery is fetched marks it opened."""
    Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(opened_at=timezone.now())


def issue_url(delivery):
    """The web address of the issue a delivery carried, in its language ("" when gone)."""
    send = Send.objects.filter(pk=delivery.send_id).select_related("issue").first()
    if send is None:
        return ""
    locale = Locale.objects.filter(language_code=delivery.language).first()
    page = send.issue.get_translation_or_none(locale) if locale else None
    page = page if page is not None and page.live else send.issue
    return page_url(page) if page.live else ""


def link_counts(send):
    """{(language, link position): {"unique": n, "total": n}} of people's clicks on a send.

    Unique: one per delivery and link; an erased subscriber's clicks count through the click
    marked `first` when they were anonymised."""
    rows = (
        Click.objects.filter(send=send)
        .by_people()
        .values("language", "link")
        .annotate(
            total=Count("pk"),
            deliveries=Count("delivery", distinct=True),
            erased=Count("pk", filter=Q(delivery__isnull=True, first=True)),
        )
    )
    return {
        (row["language"], row["link"]): {
            "unique": row["deliveries"] + row["erased"],
            "total": row["total"],
        }
        for row in rows
    }
