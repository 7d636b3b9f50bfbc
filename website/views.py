"""Site-wide views: search across every page type in the visitor's language, robots.txt."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Locale, Page

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_safe
def search(request):
    """Full-text search of live pages in the active language, paginated."""
    query = request.GET.get("q", "").replace("\x00", "").strip()
    error = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Please shorten your search to %(count)s characters.") % {
            "count": MAX_QUERY_LENGTH
        }
        query = query[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active())
        results = pages.search(query, operator="and")
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page_of_results = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page_of_results = paginator.page(1)
    except EmptyPage:
        page_of_results = paginator.page(paginator.num_pages)
    except DatabaseError:  # SQLite's full-text syntax refuses some input, e.g. a lone quote
        paginator = Paginator(Page.objects.none(), RESULTS_PER_PAGE)
        page_of_results = paginator.page(1)
    specific = {
        p.pk: p
        for p in Page.objects.filter(pk__in=[p.pk for p in page_of_results.object_list])
        .specific()
        .defer_streamfields()
    }
    return TemplateResponse(
        request,
        "website/search.html",
        {
            "search_query": query,
            "results": [specific.get(p.pk, p) for p in page_of_results.object_list],
            "page_of_results": page_of_results,
            "error": error,
        },
    )


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
