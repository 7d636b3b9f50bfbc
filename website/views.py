"""Site-wide views: search across every page type in the visitor's language, robots.txt."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Locale

from . import formatting
from . import search as site_search

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_safe
def search(request):
    """Search of live pages in the active language (website.search), paginated; when the other
    language has results too, how many and a link to them."""
    query = request.GET.get("q", "").replace("\x00", "").strip()
    error = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Please shorten your search to %(count)s characters.") % {
            "count": MAX_QUERY_LENGTH
        }
        query = query[:MAX_QUERY_LENGTH]
    number = request.GET.get("page", "")

    def page_of_results():
        results = site_search.search(query, Locale.get_active()) if query else []
        return Paginator(results, RESULTS_PER_PAGE).get_page(number)

    # Looked up while the results' fragment renders (the template caches it per query and page
    # like the pages' fragments, website/cache.py), not when it is cached.
    return TemplateResponse(
        request,
        "website/search.html",
        {
            "search_query": query,
            "page_of_results": SimpleLazyObject(page_of_results),
            "results_page": number if number.isdigit() else "",
            "other_languages": SimpleLazyObject(lambda: other_languages(query) if query else []),
            "error": error,
            # The header and footer are kept like a page's (base.html): the search page is
            # public and the same for every visitor.
            "view_fragments": True,
        },
    )


def results_on_the_other_site(code, count):
    """ "3 results on the English site", in the visitor's language."""
    if code == "bn":
        text = ngettext(
            "%(count)s result on the Bangla site", "%(count)s results on the Bangla site", count
        )
    else:
        text = ngettext(
            "%(count)s result on the English site", "%(count)s results on the English site", count
        )
    return text % {"count": formatting.localize_digits(count)}


def other_languages(query):
    """[{"code", "text", "url"}] for each other language in which `query` finds pages."""
    current = translation.get_language()
    found = []
    for locale in Locale.objects.exclude(language_code=current):
        count = len(site_search.search(query, locale))
        if count:
            with translation.override(locale.language_code):
                url = f"{reverse('search')}?{urlencode({'q': query})}"
            text = results_on_the_other_site(locale.language_code, count)
            found.append({"code": locale.language_code, "text": text, "url": url})
    return found


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {settings.WAGTAILADMIN_BASE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for when they read no icon link: the
    site's icon (a redirect, so that the static file keeps its versioned name)."""
    return HttpResponseRedirect(static("website/favicon-32.png"))
