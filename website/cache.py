"""Cache headers on responses, and the purge rules of the HTTP cache in front (docs/deployment.md).

Which responses are public. A GET or HEAD of a URL under a language prefix (/en/..., /bn/...),
from a visitor without a session cookie or an Authorization header, answered with status 200, no
cookie, no Cache-Control of its own and no Vary but on Cookie or Accept-Encoding. It is sent with

    Cache-Control: public, max-age=<PAGE_CACHE_MAX_AGE>, s-maxage=<PAGE_CACHE_S_MAXAGE>,
                   stale-while-revalidate=<PAGE_CACHE_STALE_WHILE_REVALIDATE>

The `Vary: Cookie` that Django's session machinery adds whenever a template looks at
`request.user` is dropped from it: the visitor had no session cookie, so the page is the one every
visitor without one gets. A page that used a CSRF token, the session or messages sets a cookie and
stays private. Every other response without a Cache-Control of its own (the `/` language
redirect, 404s, redirects...) is sent `private, no-store`; views that set their own (the admin,
previews, restricted pages, personal newsletter pages) keep theirs.

What is purged, through wagtail.contrib.frontend_cache once the transaction commits:
- a page published or unpublished, or its view restrictions changed (so also a translation
  published): the page and its translations, their parent pages, the home pages, the live pages
  linking to it (Wagtail's reference index) and the pages other apps list with every page (the
  `register_pages_listing_every_page` hook: the newsletter archives), each with its
  `get_cached_urls()` (feeds, iCalendar);
- a page deleted, moved or renamed, site settings, site texts, donor partners, topics, event
  categories or an image edited: every live page.
A few URLs are purged at once (a publish is visible on the next request); more go to Wagtail's
purge task (django-tasks, run by `manage.py db_worker`).

Fragments. The heavy parts of pages are kept in Django's cache with Wagtail's `{% wagtailcache %}`
and `{% wagtailpagecache %}` (skipped in previews): each page's head, header, body and footer,
keyed on the page's `cache_key`, the language, the query parameters the page reads and
`fragment_version`; each card, keyed on the card's page (its `cache_key`: a publish renews it),
the language and `card_version`. The same changes that purge the HTTP cache renew them, once
their transaction commits: a page published, unpublished, restricted, moved, renamed or deleted
gives every page fragment a new version (the pages that show it, whichever they are: listings,
cards of related pages, menus, the language switcher); a site-wide model changed (site texts and
settings, donors, topics, categories, images) gives cards a new version too; a string translated
in wagtail-localize renews the page fragments (their notice of text still in English). Versions
change when the change is made and again once it commits. Page fragments also
renew every hour, for what depends on the time (an event no longer upcoming).

Under the page fragments' version are also kept the page a path leads to (`cached_route`) and
what listings work out before their fragments are looked up (`remembered`, `ListingPaginator`):
a page served from its fragments makes only Wagtail's own queries.
"""

import hashlib
import logging
import threading
import time

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import translation
from django.utils.cache import add_never_cache_headers, cc_delim_re, patch_cache_control
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends
from wagtail.models import Page, PageViewRestriction, ReferenceIndex
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
from wagtail_localize.models import StringTranslation

logger = logging.getLogger(__name__)

# Views about one subscriber (their token is in the URL). They mark themselves never_cache; this
# list keeps them out of shared caches even if a view forgot.
PERSONAL_VIEWS = {
    "newsletter:confirm",
    "newsletter:unsubscribe",
    "newsletter:preferences",
    "newsletter_one_click",
}

# Models shown on every page (header, footer, cards): a change purges the whole site.
SITE_WIDE_MODELS = {
    "website.sitesettings",
    "website.sitetext",
    "website.donorpartner",
    "website.topic",
    "website.customimage",
    "events.eventcategory",
}

# Purges of at most this many URLs are sent at once, larger ones by the purge task.
IMMEDIATE_PURGE_URLS = 200

LISTING_HOOK = "register_pages_listing_every_page"


# Headers


def is_cacheable_request(request):
    """A request whose answer may be a public page: anonymous GET/HEAD under a language prefix."""
    return (
        request.method in ("GET", "HEAD")
        and translation.get_language_from_path(request.path_info) is not None
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _vary_headers(response):
    return {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}


def is_public_response(request, response):
    """Whether the answer to a cacheable request is the same for every anonymous visitor."""
    match = getattr(request, "resolver_match", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.has_header("Cache-Control")
        and not response.cookies
        and _vary_headers(response) <= {"cookie", "accept-encoding"}
        and not (match and match.view_name in PERSONAL_VIEWS)
    )


def make_public(response):
    """Cacheable by browsers for max-age and by shared caches for s-maxage."""
    if response.has_header("Vary"):
        if "accept-encoding" in _vary_headers(response):
            response["Vary"] = "Accept-Encoding"
        else:
            del response["Vary"]
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_CACHE_MAX_AGE,
        s_maxage=settings.PAGE_CACHE_S_MAXAGE,
        stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
    )


class CacheHeadersMiddleware:
    """Cache-Control on every response (module docstring), and the Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        if is_cacheable_request(request) and is_public_response(request, response):
            make_public(response)
        elif not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, private
        return response


# Fragment versions

PAGES_VERSION_KEY = "fragments:pages"
SITE_VERSION_KEY = "fragments:site"


def fragment_versions(request=None):
    """{"page": ..., "card": ...}: the versions in the keys of page fragments and of cards. Each
    version is the time of the last change it follows, so a version lost from the cache (evicted,
    flushed) comes back as a new one, never as an older one with fragments still stored. With a
    `request`, looked up once for it (the request's `fragment_versions`)."""
    if request is not None:
        if not hasattr(request, "fragment_versions"):
            request.fragment_versions = fragment_versions()
        return request.fragment_versions
    stored = cache.get_many([PAGES_VERSION_KEY, SITE_VERSION_KEY])
    now = time.time_ns()
    for key in (PAGES_VERSION_KEY, SITE_VERSION_KEY):
        if key not in stored:
            cache.add(key, now, timeout=None)
            stored[key] = cache.get(key, now)
    site, pages = stored[SITE_VERSION_KEY], stored[PAGES_VERSION_KEY]
    hour = int(time.time() // 3600)
    return {"page": f"{pages}.{site}.{hour}", "card": str(site)}


def renew_fragments(site_wide=False):
    """New versions: every page fragment, and with `site_wide` every card too."""
    now = time.time_ns()
    versions = {PAGES_VERSION_KEY: now}
    if site_wide:
        versions[SITE_VERSION_KEY] = now
    cache.set_many(versions, timeout=None)


# Routes

ROUTE_KEY = "route:{version}:{root}:{path}"


def cached_route(root, request, path_components, route):
    """`route(request, path_components)` (Wagtail's walk down the page tree from `root`, a query
    and a `.specific` query per level) with the page it reached kept in the cache under the page
    fragments' version: any publish, unpublish, move, rename, deletion or restriction change
    renews it, so a path never keeps a page it no longer leads to. On a hit, one query loads that
    page and Wagtail's `route` goes on from it with what is left of the path (a routable page's
    own routes). Paths that lead nowhere (404) are not kept."""
    if not path_components or not settings.PAGE_FRAGMENT_TIMEOUT:
        return route(request, path_components)
    path = "/".join(path_components)
    key = ROUTE_KEY.format(
        version=fragment_versions(request)["page"],
        root=root.pk,
        path=hashlib.blake2b(path.encode(), digest_size=16).hexdigest(),
    )
    found = cache.get(key)
    if found is not None:
        label, pk, depth = found
        page = apps.get_model(label).objects.filter(pk=pk).select_related("locale").first()
        if page is not None:
            return page.route(request, path_components[depth - root.depth :])
    result = route(request, path_components)
    page = result[0]
    cache.set(key, (page._meta.label, page.pk, page.depth), settings.PAGE_FRAGMENT_TIMEOUT)
    return result


# What listings work out before their fragments are looked up


def remembered(request, page, name, compute):
    """`compute()`, kept like the page's fragments: under the page fragments' version, which every
    change to a page renews. For what a listing works out from the database before its cached
    fragments are looked up: the choices of its filters, how many items it lists."""
    if not settings.PAGE_FRAGMENT_TIMEOUT:
        return compute()
    key = f"remembered:{fragment_versions(request)['page']}:{page.pk}:{name}"
    return cache.get_or_set(key, compute, settings.PAGE_FRAGMENT_TIMEOUT)


class ListingPaginator(Paginator):
    """Django's paginator, with the number of items of `listing` (a page) under `name` (its
    filters as understood) remembered: pages of a listing are numbered without a count query."""

    def __init__(self, object_list, per_page, *, request, listing, name):
        self.request, self.listing, self.name = request, listing, name
        super().__init__(object_list, per_page)

    @cached_property
    def count(self):
        name = f"count:{self.name}"
        return remembered(self.request, self.listing, name, self.object_list.count)


# Purge rules


def pages_listing(page):
    """`page` and the live pages that show it: its translations, their parent pages, the home
    pages, the pages linking to it and those other apps list with every page (LISTING_HOOK)."""
    versions = [*page.get_translations().live(), page]
    ids = {p.pk for p in versions}
    ids |= {p.get_parent().pk for p in versions if p.depth > 2}
    ids |= set(Page.objects.filter(depth=2).values_list("pk", flat=True))  # the home pages
    for listing in hooks.get_hooks(LISTING_HOOK):
        ids |= set(listing().values_list("pk", flat=True))
    linking = ReferenceIndex.get_references_to_in_bulk(versions).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    ids |= {int(pk) for pk in linking.values_list("object_id", flat=True)}
    listed = Page.objects.filter(pk__in=ids).specific(defer=True)
    return [p for p in listed if p.live or p.pk == page.pk]


def urls_to_purge(page_ids=(), everything=False):
    batch = PurgeBatch()
    if everything:
        batch.add_pages(Page.objects.live().filter(depth__gt=1).specific(defer=True))
    else:
        for page in Page.objects.filter(pk__in=page_ids).specific(defer=True):
            batch.add_pages(pages_listing(page))
    return batch


def purge(page_ids=(), urls=(), everything=False):
    """Purge the URLs the rules above give, now when they are few, else in the purge task."""
    batch = urls_to_purge(page_ids, everything)
    batch.add_urls(urls)
    # As clients send them: percent-encoded (a slug such as café-opening, Bangla paths).
    batch = PurgeBatch([iri_to_uri(url) for url in batch.urls])
    if len(batch.urls) <= IMMEDIATE_PURGE_URLS:
        for name, backend in get_backends().items():
            try:
                backend.purge_batch(batch.urls)
            except Exception:
                logger.exception("Purging %s failed", name)
    else:
        batch.purge()
    logger.info("Purged cached pages: %s URLs", len(batch.urls))


class _Pending(threading.local):
    """What this thread's transaction changed. Every change queues a callback on commit; the first
    to run purges everything pending, the others find nothing left (so publishing a page with its
    translations purges once). What a rolled back transaction left is purged with the next."""

    def __init__(self):
        self.page_ids, self.urls, self.everything, self.site_wide = set(), set(), False, False


_pending = _Pending()


def purge_pending():
    """Purge (and renew the fragments of) what this thread's changes left pending."""
    page_ids, urls, everything = _pending.page_ids, _pending.urls, _pending.everything
    site_wide = _pending.site_wide
    _pending.__init__()
    if page_ids or urls or everything:
        try:
            renew_fragments(site_wide)
        except Exception:
            logger.exception("Page fragments could not be renewed")
        try:
            purge(page_ids, urls, everything)
        except Exception:
            logger.exception("Cached pages could not be purged")


def _on_commit(page_ids=(), urls=(), everything=False, site_wide=False):
    # Fragments are renewed at once (this thread's next page shows the change) and again once
    # the change commits (a page another request rendered meanwhile, from the data before, is
    # not kept).
    renew_fragments(site_wide)
    _pending.page_ids.update(page_ids)
    _pending.urls.update(urls)
    _pending.everything |= everything
    _pending.site_wide |= site_wide
    transaction.on_commit(purge_pending)


def _page_published_or_unpublished(sender, instance, **kwargs):
    _on_commit(page_ids=[instance.pk])


def _restriction_changed(sender, instance, **kwargs):
    """Like an unpublish of the page and the pages under it: nothing public may stay cached."""
    page = instance.page
    ids = list(Page.objects.descendant_of(page, inclusive=True).live().values_list("pk", flat=True))
    _on_commit(page_ids=ids)


def _page_moved_or_renamed(sender, instance, **kwargs):
    _on_commit(everything=True)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live:
        url = instance.get_full_url()
        _on_commit(urls=[url] if url else [], everything=True)


# Saves that change nothing a visitor sees: an image's hash or size filled in while rendering.
UNSEEN_FIELDS = {"file_hash", "file_size"}


def _site_wide_model_changed(sender, instance, created=False, update_fields=None, **kwargs):
    if created and sender._meta.label_lower == "website.customimage":
        return  # a new image is shown nowhere yet
    if update_fields and set(update_fields) <= UNSEEN_FIELDS:
        return
    _on_commit(everything=True, site_wide=True)


def _translation_changed(sender, **kwargs):
    """A string translated or its translation removed: pages say which of their text is still in
    English (website/language.py), in fragments that are renewed."""
    renew_fragments()


def connect_signals():
    """Connect the purges to Wagtail's page signals and to saves of site-wide models (ready())."""
    page_published.connect(_page_published_or_unpublished, dispatch_uid="pagecache-published")
    page_unpublished.connect(_page_published_or_unpublished, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_page_moved_or_renamed, dispatch_uid="pagecache-moved")
    page_slug_changed.connect(_page_moved_or_renamed, dispatch_uid="pagecache-renamed")
    pre_delete.connect(_page_deleted, dispatch_uid="pagecache-page-deleted")
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            _translation_changed,
            sender=StringTranslation,
            dispatch_uid=f"fragments-string-translation-{name}",
        )
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"pagecache-restriction-{name}",
        )
        for label in SITE_WIDE_MODELS:
            signal.connect(
                _site_wide_model_changed,
                sender=apps.get_model(label),
                dispatch_uid=f"pagecache-{label}-{name}",
            )
