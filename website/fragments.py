"""What every public page shows beside its own content, kept in the cache between requests.

A page renders the same menu, footer texts, site settings, language links and hreflang alternates
as its neighbours; reading them from the database on every request cost more than the page's own
content. They are computed once and kept in Django's default cache (Redis or the database in
production, shared by every process) under one content version.

The version is a random token, replaced whenever anything they are built from may have changed:
- any page published, unpublished, moved, renamed or deleted, and site-wide snippets or settings
  saved (website/cache.py schedules its purges through `bump_now_and_on_commit`);
- locales, sites, view restrictions and wagtail-localize's translations and strings saved or
  deleted (the signals below).
Old entries are never read again and expire. Changes are rare next to page views, so one version
for everything keeps invalidation simple and certainly complete.

Only data is cached, never HTML that depends on the request: each page still renders its own
template with its own language, active menu entry and translation notice. When the cache fails,
everything is computed as if nothing were cached.
"""

import logging
import secrets
import threading

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "fragments:version"
TIMEOUT = 24 * 60 * 60  # a day: entries also expire on their own, never needed for correctness
MISSING = object()


_request = threading.local()  # the version read by the request this thread is answering


class FragmentVersionMiddleware:
    """Reads the version at most once per request, for every fragment the request uses (also in
    code that has no request at hand: querysets, model methods). Placed after the page cache: a
    page served from it reads no fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.active, _request.version = True, None
        try:
            return self.get_response(request)
        finally:
            _request.active, _request.version = False, None


def _version():
    """The current content version: once per request, else at every call."""
    active = getattr(_request, "active", False)
    version = _request.version if active else None
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = secrets.token_hex(6)
            if not cache.add(VERSION_KEY, version, timeout=None):
                version = cache.get(VERSION_KEY) or version
        if active:
            _request.version = version
    return version


class _ProcessCopies:
    """This process's copies of the current version's fragments: after the one read of the
    version per request, a fragment costs no round trip to the cache and no unpickling. A new
    version (read from the shared cache, so bumped by any process) drops them all."""

    LIMIT = 5000  # entries; past it, start again (a site has a few per page)

    def __init__(self):
        self.version, self.values = None, {}

    def for_version(self, version):
        if version != self.version or len(self.values) > self.LIMIT:
            self.version, self.values = version, {}
        return self.values


_copies = _ProcessCopies()


def cached(name, compute, *parts):
    """`compute()`, or what it returned for (`name`, `parts`) since content last changed.

    The value is shared by every request of the process: never change it."""
    try:
        version = _version()
        key = ":".join(["fragments", version, name, *map(str, parts)])
        copies = _copies.for_version(version)
        if key in copies:
            return copies[key]
        value = cache.get(key, MISSING)
    except Exception:
        logger.exception("The fragment cache could not be read")
        return compute()
    if value is MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except Exception:
            logger.exception("The fragment cache could not be written")
    copies[key] = value
    return value


def locales_by_id():
    """{id: Locale} of every locale: read once, then from the cache (a locale saved replaces it).

    For pages fetched with `.specific()`, which drops `select_related("locale")`."""
    from wagtail.models import Locale

    return cached("locales", lambda: {locale.pk: locale for locale in Locale.objects.all()})


def restricted_paths():
    """Tree paths of the pages with a view restriction (private, password, groups)."""
    from wagtail.models import PageViewRestriction

    return cached(
        "restricted",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
    )


def bump():
    """Forget every cached fragment (the next request computes them again)."""
    _request.version = None  # this request too reads the new version from now on
    try:
        cache.set(VERSION_KEY, secrets.token_hex(6), timeout=None)
    except Exception:
        logger.exception("The fragment cache could not be purged")


def bump_now_and_on_commit():
    """Forget cached fragments at once, so the transaction's own later reads see its change, and
    again when it commits, in case another process cached the old data in between."""
    bump()
    transaction.on_commit(bump)


def _changed(sender, **kwargs):
    bump_now_and_on_commit()


# Models that fragments are built from besides pages and site-wide snippets (website/cache.py).
MODELS = [
    "wagtailcore.locale",
    "wagtailcore.site",
    "wagtailcore.pageviewrestriction",
    "wagtail_localize.translationsource",
    "wagtail_localize.translation",
    "wagtail_localize.stringtranslation",
]


def connect_signals():
    from django.apps import apps

    for label in MODELS:
        model = apps.get_model(label)
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(_changed, sender=model, dispatch_uid=f"fragments-{label}-{name}")
