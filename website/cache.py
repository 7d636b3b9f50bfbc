"""Page cache for anonymous visitors: shared-cache headers, a server-side copy, and purging.

Which responses are public. A GET or HEAD of a URL under a language prefix (/en/..., /bn/...),
from a visitor without a session cookie or an Authorization header, answered with status 200, no
cookie, no Cache-Control of its own and no Vary but on Cookie. It is sent with

    Cache-Control: public, max-age=<PAGE_CACHE_MAX_AGE>, s-maxage=<PAGE_CACHE_S_MAXAGE>,
                   stale-while-revalidate=<PAGE_CACHE_STALE_WHILE_REVALIDATE>

The `Vary: Cookie` that Django's session machinery adds whenever a template looks at
`request.user` (Wagtail's user bar does) is dropped from it: the visitor had no session cookie,
so the page is the one every visitor without one gets. A page that used a CSRF token, the session
or messages sets a cookie and stays private. Every other response that has no Cache-Control of its
own (the `/` language redirect, 404s, redirects, robots...) is sent `private, no-store`; views that
set their own (the admin, previews, restricted pages, personal newsletter pages) keep theirs.

The server-side copy (PAGE_CACHE_SERVER). Public responses are kept in Django's default cache
for s-maxage seconds, keyed on scheme, host and full path with the query string (so the
language prefix, pagination and filters), and served from there before sessions, CSRF,
authentication and the view run. Requests with a session cookie never get a copy: editors see
their user bar, and nothing cached for them reaches anyone else. An entry is the finished
response (status, every header the middleware below added, security headers included, and the
body), so serving it builds nothing.

Serving a copy. `PageCacheApplication` wraps the WSGI application (website/wsgi.py): a GET that
may be public is looked up before Django's handler runs (no request signals, no middleware), and
a current entry is written to the client as it is. Anything else goes to Django, with what the
lookup read, so `PageCacheMiddleware` (first after the health check) neither reads the cache again
nor renders what another process stored meanwhile for nothing. The middleware serves copies on
its own where the wrapper is not in front (HEAD, Django's test client, `runserver`).

Each process keeps its own copies of the entries it served last (`LocalCopies`, at most
PAGE_CACHE_LOCAL_BYTES), served while the versions are still the ones they were stored under.
The versions come from the shared cache; on Redis each process keeps those it read while it is
subscribed to the channel on which every purge announces the versions it replaced
(`VersionWatch` in website/cache_backends.py), so a page served from the page cache costs no
round trip. A purge by any process or server is seen by the next request everywhere, once Redis
has written the announcement to each subscriber (it does so as it answers the purging process);
if a subscription dies without a word, within PAGE_CACHE_VERSION_HOLD seconds.

Purging without scanning keys. Each entry is stored with two versions, read with the entry (or
kept by the process, below): one of its URL path (shared by every query string of that path)
and one of the whole site. Purging a path gives it a new version; purging everything gives the
site a new version. An entry stored under older versions is then never served again: it is
replaced by the next visitor's page, or expires. A version is a random token, never a counter, so
one that the cache evicts is replaced by a new token instead of coming back to an old value.

What is purged (after the transaction commits, see `PagePurge`):
- a page published or unpublished (so also a translation published, or synced and published):
  the page and its translations, their parent index pages, the home pages, the newsletter
  archives, and the live pages that link to it (Wagtail's reference index: related pages,
  newsletter issues featuring it), each with its `get_cached_paths()` (feeds, iCalendar);
- a page deleted, moved or renamed, site settings, site texts, donor partners, topics, event
  categories or an image edited: everything.
The server-side cache is purged at once; CDN backends configured in WAGTAILFRONTENDCACHE are purged
by Wagtail's purge task (django-tasks, run by `manage.py db_worker`).
"""

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    patch_cache_control,
)
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends
from wagtail.models import Page, ReferenceIndex
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from . import fragments

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Page-Cache"  # "hit" or "miss" on pages the server-side cache may hold
SITE_VERSION_KEY = "pagecache:site"
LOOKUP_ENVIRON_KEY = (
    "website.page_cache.lookup"  # what PageCacheApplication read, for the middleware
)

# Views about one subscriber (their token is in the URL). They mark themselves never_cache; this
# list keeps them out of the cache even if a view forgot.
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


# Which requests and responses


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
    """Mark `response` cacheable by browsers for max-age and by shared caches for s-maxage."""
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


def make_private(response):
    """Never stored by a browser, proxy or CDN."""
    add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private


# Keys and versions


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _path_version_key(path):
    return f"pagecache:path:{_digest(unquote(path))}"


def _new_version():
    return secrets.token_hex(6)


class Entry(NamedTuple):
    """A stored page: the versions it was stored under, when, and the finished response."""

    versions: tuple
    stored_at: float
    status: int
    headers: tuple  # ((name, value), ...) without Age and X-Page-Cache
    content: bytes

    def is_current(self, versions):
        return self.versions == versions and time.time() - self.stored_at < _s_maxage()

    def age(self):
        return str(max(0, int(time.time() - self.stored_at)))


def _s_maxage():
    return settings.PAGE_CACHE_S_MAXAGE


class LocalCopies:
    """This process's copies of the entries it served, newest use last, at most `limit` bytes of
    content. A copy is served only while the versions read from the shared cache for the request
    are still the ones it was stored under (see the module docstring)."""

    def __init__(self):
        self.entries, self.size, self.lock = OrderedDict(), 0, threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if len(entry.content) > limit:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.content)
            self.entries[key] = entry
            self.size += len(entry.content)
            while self.size > limit:
                _key, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.content)

    def drop(self, key):
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.content)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


local_copies = LocalCopies()


_watch = {}


def version_watch():
    """The process's VersionWatch on the default cache when it is Redis (else None): versions
    kept in memory while Redis announces their changes (website/cache_backends.py)."""
    if "watch" not in _watch:
        from .cache_backends import RedisCache, VersionWatch

        backend, hold = caches["default"], settings.PAGE_CACHE_VERSION_HOLD
        usable = isinstance(backend, RedisCache)  # with hold 0: announces, keeps nothing
        # Threads building one at once: one is kept, the others are never used (nor subscribed)
        _watch.setdefault(
            "watch", VersionWatch(backend, "pagecache:purged", hold) if usable else None
        )
    return _watch["watch"]


def _cache_in_database():
    if "database" not in _watch:
        from django.core.cache.backends.db import DatabaseCache

        _watch["database"] = isinstance(caches["default"], DatabaseCache)
    return _watch["database"]


def lookup(request, host=None):
    """(entry key, current versions, current Entry or None) of the page `request` asks for; None
    if the cache cannot be read. A version the cache does not hold is created.

    At most one round trip to the shared cache: for the versions this process does not keep
    (`version_watch`), with the entry itself unless this process holds a copy of it. A copy
    found out of date costs a second one for the entry."""
    url = f"{request.scheme}://{host or request.get_host()}{request.get_full_path()}"
    keys = [SITE_VERSION_KEY, _path_version_key(request.path), f"pagecache:entry:{_digest(url)}"]
    local = local_copies.get(keys[2])
    try:
        watch = version_watch()
        kept, generation = watch.current(keys[:2]) if watch else ({}, None)
        wanted = [key for key in keys[:2] if key not in kept]
        if local is None:
            wanted.append(keys[2])
        found = cache.get_many(wanted) if wanted else {}
        versions = []
        for key in keys[:2]:
            version = kept.get(key) or found.get(key)
            if version is None:
                version = _new_version()
                if not cache.add(key, version, timeout=None):
                    version = cache.get(key) or version
            versions.append(version)
        versions = tuple(versions)
        if watch:
            read = {
                key: version
                for key, version in zip(keys[:2], versions, strict=True)
                if key not in kept
            }
            watch.keep(read, generation)
        if local is not None:
            if local.is_current(versions):
                return keys[2], versions, local
            local_copies.drop(keys[2])
            entry = cache.get(keys[2])
        else:
            entry = found.get(keys[2])
    except Exception:
        logger.exception("The page cache could not be read")
        return None
    if not isinstance(entry, Entry) or not entry.is_current(versions):
        return keys[2], versions, None  # never stored, purged since, or stored by older code
    local_copies.put(keys[2], entry)
    return keys[2], versions, entry


def _announce(keys):
    """Tell the processes that keep versions (`version_watch`) that `keys` changed."""
    watch = version_watch()
    if watch:
        try:
            watch.announce(keys)
        except Exception:
            hold = settings.PAGE_CACHE_VERSION_HOLD
            logger.exception("A purge could not be announced: other processes see it in %ss", hold)


def purge_paths(paths):
    """Purge every cached page under each URL path in `paths`, whatever its query string."""
    paths = {unquote(path) for path in paths}
    if paths:
        versions = {_path_version_key(path): _new_version() for path in paths}
        cache.set_many(versions, timeout=None)
        _announce(list(versions))


def purge_everything():
    """Purge every page the server-side cache holds, and the fragments pages share."""
    cache.set(SITE_VERSION_KEY, _new_version(), timeout=None)
    _announce([SITE_VERSION_KEY])
    local_copies.clear()  # never served again in any case: their memory is free at once
    fragments.bump()


# The middleware


class PageCacheMiddleware:
    """Cache headers on every response; the server-side copy of public pages (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cacheable = is_cacheable_request(request)
        found = None
        if cacheable and settings.PAGE_CACHE_SERVER:
            if LOOKUP_ENVIRON_KEY in request.META:  # read by PageCacheApplication (None: failed)
                found = request.META.pop(LOOKUP_ENVIRON_KEY)
            else:
                found = lookup(request)
        if found and found[2] is not None:
            return self._served(found[2])
        response = self.get_response(request)
        if cacheable and is_public_response(request, response):
            make_public(response)
            if found:
                response[CACHE_HEADER] = "miss"
                if request.method == "GET":
                    self._write(*found[:2], response)
        elif not response.has_header("Cache-Control"):
            make_private(response)
        return response

    @staticmethod
    def _served(entry):
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response["Age"] = entry.age()
        response[CACHE_HEADER] = "hit"
        return response

    @staticmethod
    def _write(key, versions, response):
        headers = tuple(
            (name, value) for name, value in response.items() if name not in (CACHE_HEADER, "Age")
        )
        entry = Entry(versions, time.time(), response.status_code, headers, response.content)
        try:
            cache.set(key, entry, timeout=settings.PAGE_CACHE_S_MAXAGE)
        except Exception:
            logger.exception("The page cache could not be written")
        local_copies.put(key, entry)


class PageCacheApplication:
    """WSGI application serving current page cache entries before Django's handler runs (module
    docstring); everything else goes to `application`, Django's."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and settings.PAGE_CACHE_SERVER:
            entry = self._entry(environ)
            if entry is not None:
                status = f"{entry.status} {HTTPStatus(entry.status).phrase}"
                headers = [*entry.headers, ("Age", entry.age()), (CACHE_HEADER, "hit")]
                start_response(status, headers)
                return [entry.content]
        return self.application(environ, start_response)

    @staticmethod
    def _entry(environ):
        """The current entry for this request, else None after leaving what the lookup read in
        `environ` for the middleware."""
        try:
            request = WSGIRequest(environ)
            if not is_cacheable_request(request):
                return None
            host = request.get_host()  # a host Django refuses gets Django's answer
        except DisallowedHost:
            return None
        in_database = _cache_in_database()
        if in_database:  # queries outside Django's request signals: as they would do
            close_old_connections()
        found = lookup(request, host)
        if in_database:
            close_old_connections()
        if found is None or found[2] is None:
            environ[LOOKUP_ENVIRON_KEY] = found
            return None
        return found[2]


# Purging


class PageCacheBackend(BaseBackend):
    """wagtail.contrib.frontend_cache backend that purges the server-side page cache.

    Listed in WAGTAILFRONTENDCACHE as "pages", so Wagtail's `purge_url_from_cache`,
    `purge_page_from_cache` and `PurgeBatch` purge it like any CDN.
    """

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        purge_paths(urlsplit(url).path for url in urls)


def pages_listing(page):
    """`page` and the live pages that show it: its translations, their parent pages, the home
    pages, the newsletter archives and pages linking to it (related pages, newsletter issues)."""
    from newsletter.models import NewsletterArchivePage

    from .models import HomePage

    versions = [*page.get_translations().live(), page]
    ids = {p.pk for p in versions}
    ids |= {p.get_parent().pk for p in versions if p.depth > 2}
    ids |= set(HomePage.objects.values_list("pk", flat=True))
    ids |= set(NewsletterArchivePage.objects.values_list("pk", flat=True))
    linking = ReferenceIndex.get_references_to_in_bulk(versions).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    ids |= {int(pk) for pk in linking.values_list("object_id", flat=True)}
    listed = Page.objects.filter(pk__in=ids).specific(defer=True)
    return [p for p in listed if p.live or p.pk == page.pk]


class PagePurge:
    """What one transaction changed, purged once when it commits.

    Publishing a page with its translations, or saving many snippets, purges once. A rolled back
    transaction drops its callback, and the next change starts a new purge.
    """

    def __init__(self):
        self.page_ids = set()
        self.urls = set()
        self.everything = False
        self.callback = self.run

    @classmethod
    def current(cls):
        """The purge queued on the current transaction, queuing a new one if there is none."""
        connection = transaction.get_connection()
        purge = getattr(connection, "_page_purge", None)
        queued = [func for _sids, func, _robust in connection.run_on_commit]
        if purge is not None and connection.in_atomic_block and purge.callback in queued:
            return purge, False
        purge = connection._page_purge = cls()
        return purge, True

    def run(self):
        connection = transaction.get_connection()
        if getattr(connection, "_page_purge", None) is self:
            connection._page_purge = None
        fragments.bump()  # the menu, footer and language links every page shares
        try:
            self.purge()
        except Exception:
            logger.exception("Cached pages could not be purged")

    def purge(self):
        cdn_backends = [
            name
            for name, backend in get_backends().items()
            if not isinstance(backend, PageCacheBackend)
        ]
        batch = PurgeBatch(self.urls)
        if self.everything:
            purge_everything()
            if cdn_backends:
                batch.add_pages(Page.objects.live().filter(depth__gt=1).specific(defer=True))
        else:
            for page in Page.objects.filter(pk__in=self.page_ids).specific(defer=True):
                batch.add_pages(pages_listing(page))
            purge_paths(urlsplit(url).path for url in batch.urls)
        if cdn_backends:  # through Wagtail's purge task: a slow CDN API never delays a publish
            batch.purge(backends=cdn_backends)
        logger.info(
            "Purged cached pages: %s",
            "the whole site" if self.everything else f"{len(batch.urls)} URLs",
        )


def _schedule(page=None, url=None, everything=False):
    fragments.bump()  # at once as well: the transaction's own later requests see the change
    purge, new = PagePurge.current()
    if page is not None:
        purge.page_ids.add(page.pk)
    if url:
        purge.urls.add(url)
    purge.everything |= everything
    if new:
        transaction.on_commit(purge.callback)


def _page_published_or_unpublished(sender, instance, **kwargs):
    _schedule(page=instance)


def _page_moved_or_renamed(sender, instance, **kwargs):
    _schedule(everything=True)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live:
        _schedule(url=instance.get_full_url(), everything=True)


# Saves that change nothing a visitor sees: an image's hash or size filled in while rendering.
UNSEEN_FIELDS = {"file_hash", "file_size"}


def _site_wide_model_changed(sender, instance, created=False, update_fields=None, **kwargs):
    if created and sender._meta.label_lower == "website.customimage":
        return  # a new image is shown nowhere yet
    if update_fields and set(update_fields) <= UNSEEN_FIELDS:
        return
    _schedule(everything=True)


def connect_signals():
    """Connect the purges to Wagtail's page signals and to saves of site-wide models (ready())."""
    page_published.connect(_page_published_or_unpublished, dispatch_uid="pagecache-published")
    page_unpublished.connect(_page_published_or_unpublished, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_page_moved_or_renamed, dispatch_uid="pagecache-moved")
    page_slug_changed.connect(_page_moved_or_renamed, dispatch_uid="pagecache-renamed")
    pre_delete.connect(_page_deleted, dispatch_uid="pagecache-page-deleted")
    for label in SITE_WIDE_MODELS:
        model = apps.get_model(label)
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                _site_wide_model_changed, sender=model, dispatch_uid=f"pagecache-{label}-{name}"
            )
