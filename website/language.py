"""Language behaviour: a remembered choice, error pages in the URL's language, honest translations.

- The language switcher links to the translated page with `?language=<code>`. The middleware here
  answers such a request with a redirect to the clean URL that stores the choice in Django's
  language cookie, which LocaleMiddleware then follows when the visitor comes back to `/`.
- The 404 page of a Bangla URL says when the page exists only in English and links to it; a page
  that Wagtail would serve from the English tree under `/bn/` is refused so that 404 explains it.
- The 500 page is rendered in the language of the URL prefix without the database.
- A Bangla page that wagtail-localize published with untranslated (English) strings says so.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponseNotFound, HttpResponseRedirect, HttpResponseServerError
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from wagtail.models import Page, Site
from wagtail_localize.models import StringSegment, StringTranslation

from .admin_language import is_admin_path

logger = logging.getLogger(__name__)

CHOICE_PARAMETER = "language"


# A remembered choice


def chosen_language_url(url, language_code):
    """The URL of a switcher link: the page in `language_code`, marked as the visitor's choice."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({CHOICE_PARAMETER: language_code})}"


class RememberLanguageChoiceMiddleware:
    """Store the language a visitor picked in the language switcher, then show the clean URL.

    `/bn/news/?language=bn` answers with a redirect to `/bn/news/` that sets the language cookie.
    Only the language of the URL's own prefix can be stored, so a link cannot set another one.
    Pages never read or set the cookie: their HTML is the same for every visitor and can be cached
    (issue 8). The redirect alone carries `Set-Cookie`, and it is marked private and never cached,
    so no shared cache can replay one visitor's cookie to another.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.GET.get(CHOICE_PARAMETER)
        if chosen is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        language = translation.get_language_from_path(request.path_info)
        if language is None or chosen != language:
            return self.get_response(request)
        query = request.GET.copy()
        query.pop(CHOICE_PARAMETER)
        url = request.path + (f"?{query.urlencode()}" if query else "")
        response = HttpResponseRedirect(url)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


# Pages missing in a language


def _root_path(site, language_code):
    """The url_path of the site's home page in `language_code` (from Wagtail's cached list)."""
    for root in Site.get_site_root_paths():
        if root.site_id == site.pk and root.language_code == language_code:
            return root.root_path
    return None


def _language_of_page(page):
    """The language of the home page `page` sits under, from Wagtail's cached site root paths."""
    roots = [r for r in Site.get_site_root_paths() if page.url_path.startswith(r.root_path)]
    return max(roots, key=lambda r: len(r.root_path)).language_code if roots else None


def refuse_page_of_another_language(page, request):
    """Wagtail serves the English tree under `/bn/` when the Bangla home page is not live.

    Raise Http404 instead, so the 404 page tells the visitor and links to the English page.
    """
    url_language = translation.get_language_from_path(request.path_info)
    page_language = _language_of_page(page)
    if url_language and page_language and url_language != page_language:
        raise Http404("This page is not available in the language of the URL.")


def original_of_missing_page(request):
    """The live English page with the same path as a `/bn/...` URL that was not found, or None.

    Translated pages keep their source's slugs, so `/bn/news/x/` and `/en/news/x/` share the part
    after the language prefix. English URLs and URLs without a prefix cost no query; others two.
    """
    path = request.path_info
    language = translation.get_language_from_path(path)
    if language is None or language == settings.LANGUAGE_CODE:
        return None
    rest = path[len(language) + 2 :]
    if rest and not rest.endswith("/"):
        rest += "/"
    try:
        site = Site.find_for_request(request)
        root_path = _root_path(site, settings.LANGUAGE_CODE) if site else None
        if root_path is None:
            return None
        return Page.objects.live().public().filter(url_path=root_path + rest).first()
    except DatabaseError:
        logger.exception("Could not look up the English original of %s", path)
        return None


def page_not_found(request, exception, template_name="404.html"):
    """Django's 404 view, plus a link to the English page when only the translation is missing."""
    context = {"request_path": request.path, "english_original": original_of_missing_page(request)}
    return HttpResponseNotFound(loader.render_to_string(template_name, context, request))


# The 500 page

FALLBACK_500_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head><body>
<h1>Something went wrong</h1><p>We could not show this page. Please try again in a few minutes.</p>
<h2 lang="bn">কিছু একটা ভুল হয়েছে</h2>
<p lang="bn">আমরা পাতাটি দেখাতে পারিনি। কয়েক মিনিট পর আবার চেষ্টা করুন।</p>
</body></html>
"""


def server_error(request, template_name="500.html"):
    """The 500 page in the language of the URL prefix (else the visitor's cookie or browser; in
    the admin, the user's admin language).

    Something is already broken, possibly the database: this view reads no database and renders
    its template without context processors. It never raises: if even that fails, it answers with
    a fixed page in both languages.
    """
    try:
        language = translation.get_language_from_path(request.path_info)
        if language is None and is_admin_path(request.path_info):
            language = translation.get_language()  # the user's admin language (admin_language)
        elif language is None:
            language = translation.get_language_from_request(request)
        with translation.override(language):
            html = loader.get_template(template_name).render({"language": language})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        html = FALLBACK_500_HTML
    return HttpResponseServerError(html)


# Published translations that still hold English


@dataclass
class UntranslatedContent:
    """What a published translation still lacks: `translated` of `total` strings were translated."""

    page: Page
    total: int
    translated: int

    @property
    def mostly_source_language(self):
        """More than half the strings are still in English: mark the content `lang="en"`."""
        return self.translated * 2 < self.total

    @property
    def source_language(self):
        return settings.LANGUAGE_CODE

    @property
    def original(self):
        """The English page this one translates (a query, only when a notice is shown)."""
        return (
            self.page.get_translations()
            .live()
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            .first()
        )


def untranslated_content(page):
    """How much of the live translated `page` is still the English source, or None if all is done.

    One query, only for pages shown in another language than English. wagtail-localize publishes
    a translation with the source's text wherever a string has no translation (e.g. a translator
    publishes the draft before every string is done, or an officer syncs with "Publish
    immediately"). A string
    counts as translated only if its translation existed when the page was last published, so a
    translator's unpublished work does not hide the notice. When the source changed after that
    publication ("Sync" without publishing), the live page was built from older strings than the
    ones stored, and nothing is claimed.
    """
    if not isinstance(page, Page) or translation.get_language() == settings.LANGUAGE_CODE:
        return None
    published_at = page.last_published_at
    if published_at is None:
        return None
    counts = untranslated_counts(page)
    if counts["translated"] >= counts["total"]:
        return None
    return UntranslatedContent(page, counts["total"], counts["translated"])


def untranslated_counts(page):
    """{"total": strings of the live translation `page`, "translated": how many were translated
    when it was last published}."""
    published_at = page.last_published_at
    translated_then = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=page.locale_id,
        has_error=False,
        created_at__lte=published_at,
    )
    return StringSegment.objects.filter(
        source__object_id=page.translation_key,
        source__last_updated_at__lte=published_at,
        source__translations__target_locale_id=page.locale_id,
        source__translations__enabled=True,
    ).aggregate(total=Count("pk"), translated=Count("pk", filter=Exists(translated_then)))
