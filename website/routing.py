"""Which page a URL shows, remembered between requests.

Wagtail finds the page of `/bn/news/some-article/` by walking the tree from the site's root: the
site, its root page, the root's translation, then each level's child and its specific page, two
queries per level. The answer changes only when pages are published, unpublished, moved, renamed
or deleted, which replace the fragment cache's version (website/fragments.py). So the first
request for a URL walks the tree as usual, and the page's model and id are kept with what is left
of the path below it (a routable page's sub-route, such as `feed/rss/`). Later requests fetch that
one live page in one query and let it route the rest itself, which for a routable page reads no
database; the result is handed to Wagtail's `serve` view as the request's route.

The site a host name stands for is remembered the same way (one query less on every page).

Everything Wagtail does after routing (view restrictions, the `before_serve_page` hooks, `serve`)
runs as before. A remembered page that is no longer live, or no longer routes the rest of the
path, is routed by Wagtail from the root again.
"""

import contextlib

from django.apps import apps
from django.http import Http404
from django.utils.translation import get_language_from_path
from wagtail.models import Page, Site
from wagtail.views import serve

from . import fragments


def _components(path):
    return [component for component in path.split("/") if component]


class CachedRouteMiddleware:
    """Gives Wagtail's `serve` view the route found for the same host and path before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not hasattr(request, "_wagtail_site") and get_language_from_path(request.path_info):
            # Which site the host name is: what Site.find_for_request() would find and keep on
            # the request, kept for every page of the site (a site saved replaces it).
            request._wagtail_site = fragments.cached(
                "site",
                lambda: Site.find_for_request(request),
                request.get_host(),
                request.get_port(),
            )
        if view_func is not serve or request.method not in ("GET", "HEAD"):
            return None
        path = view_kwargs.get("path", view_args[0] if view_args else "")
        found = {}

        def route():
            found["computed"] = True
            result = Page.route_for_request(request, path)
            if result is None:
                return None
            page = result.page
            url = page.get_url(request)  # relative on a single site: /bn/news/
            if not url or not url.startswith("/") or not request.path_info.startswith(url):
                return None
            return (page._meta.label_lower, page.pk, _components(request.path_info[len(url) :]))

        # The full path: /en/news/ and /bn/news/ are one `path` for Wagtail, in two languages.
        known = fragments.cached("route", route, request.get_host(), request.path_info)
        if known is None or found:
            return None
        label, pk, rest = known
        page = apps.get_model(label).objects.filter(pk=pk, live=True).select_related("locale")
        page = page.first()
        if page is None:
            return None
        with contextlib.suppress(Http404):  # Wagtail routes it from the root instead
            request._wagtail_route_for_request = page.route(request, rest)
        return None
