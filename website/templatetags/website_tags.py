"""Template tags for every public page: language links and locale-aware numbers and dates."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction, Site

from .. import formatting, language

register = template.Library()


@register.filter
def local_number(value):
    """{{ 1916|local_number }} -> 1,916 / ১,৯১৬"""
    return formatting.format_number(value)


@register.filter
def local_digits(value):
    """{{ "2022"|local_digits }} -> 2022 / ২০২২"""
    return formatting.localize_digits(value)


@register.filter
def local_date(value):
    """{{ date|local_date }} -> 2 November 2022 / ২ নভেম্বর ২০২২"""
    return formatting.format_date(value)


@register.filter
def local_datetime(value):
    """{{ send.created_at|local_datetime }} -> 3 Dec 2026, 13:43 / ৩ ডিসেম্বর ২০২৬, ১৩:৪৩ (Dhaka)"""
    return formatting.format_datetime(value)


@register.filter
def local_time(value):
    """{{ start|local_time }} -> 9:30 AM / সকাল ৯:৩০ (Asia/Dhaka)"""
    return formatting.format_time(value)


@register.simple_tag
def date_range(start, end=None):
    """{% date_range start end %} -> 25 November – 10 December 2022 / ২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২"""
    return formatting.format_date_range(start, end)


@register.simple_tag
def page_date(page):
    """{% page_date page %}: an event's dates, else an article's or an issue's date, else nothing
    (cards, related links, search results). Asked in Python: a template asking an article for
    `start` costs Django's template engine a dir() of the whole model instance."""
    start = getattr(page, "start", None)
    if start:
        return formatting.format_date_range(start, getattr(page, "end", None))
    date = getattr(page, "date", None) or getattr(page, "issue_date", None)
    return formatting.format_date(date) if date else ""


@register.simple_tag
def figure(value, unit=""):
    """{% figure value unit %} -> 1.26 million / ১২.৬ লাখ"""
    return formatting.format_figure(value, unit)


def _home_urls(request):
    """{language code: URL of the site's live home page in it, or None} for every locale."""

    def compute():
        site = Site.find_for_request(request) if request else None
        homes = {}
        for locale in Locale.objects.all():
            home = site.root_page.get_translation_or_none(locale) if site else None
            homes[locale.language_code] = home.get_url(request) if home and home.live else None
        return homes

    return compute()


def live_translations(page, request):
    """The live translations of `page`, itself included, in tree order: language, URL, full URL
    and whether the public may see it. One cached entry shared by the hreflang links and the
    language switcher."""

    def compute():
        restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        translations = page.get_translations(inclusive=True).live().select_related("locale")
        return [
            {
                "lang": t.locale.language_code,
                "url": t.get_url(request),
                "full_url": t.get_full_url(request),
                "public": not any(t.path.startswith(path) for path in restricted),
            }
            for t in translations
        ]

    return compute()


def same_view_in_languages(request):
    """{language code: the URL of the view `request` asked for, in that language, same query}
    for a Django view inside the language prefix; {} for pages served by Wagtail (a page has its
    own translations; a path it does not know is a 404 in any language) and views outside it."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "wagtail_serve":
        return {}
    path = request.get_full_path()
    urls = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
    return {code: url for code, url in urls.items() if url != path}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context, page=None):
    """Links to the current page in every other language.

    Each link goes to the page's live translation when there is one, otherwise to the home page of
    that language, and says which of the two it is. Views that are not pages (search, the
    newsletter's sign-up and subscriber pages) link to the same view with the same query.
    """
    request = context.get("request")
    current = translation.get_language()
    homes = _home_urls(request)
    translated = {}
    if isinstance(page, Page):
        translated = {t["lang"]: t["url"] for t in live_translations(page, request)}
    else:
        translated = same_view_in_languages(request)
    links = []
    for code, name in settings.LANGUAGES:
        url, is_translation = None, False
        if code != current and code in homes:
            url = translated.get(code)
            is_translation = url is not None
            if url is None:
                url = homes[code]
        if url is None and code != current:
            url = f"/{code}/"
        if url is not None:
            url = language.chosen_language_url(url, code)  # remembers the choice (language.py)
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "is_current": code == current,
                "is_translation": is_translation,
            }
        )
    return {"links": links}


OG_LOCALES = {"en": "en_GB", "bn": "bn_BD"}


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, page=None):
    """Canonical URL, hreflang alternates, Open Graph and Twitter card of a page."""
    request = context.get("request")
    if not isinstance(page, Page):
        return {}
    page = page.specific
    alternates = [
        {"lang": t["lang"], "url": t["full_url"]}
        for t in live_translations(page, request)
        if t["public"]
    ]
    default = next((a for a in alternates if a["lang"] == settings.LANGUAGE_CODE), None)
    language = page.locale.language_code
    image = getattr(page, "social_image", None)
    image_url = image_alt = None
    if image is not None:
        rendition = image.get_rendition("fill-1200x630|format-jpeg")
        image_url = rendition.full_url
        image_alt = getattr(page, "hero_alt", "") or image.default_alt_text
    canonical = page.get_full_url(request)
    page_number = context.get("listing_page") or 1  # the page shown, as the view understood it
    if page_number > 1:
        canonical = f"{canonical}?page={page_number}"  # later listing pages are their own
    return {
        "canonical": canonical,
        "alternates": alternates,
        "x_default": default["url"] if default else None,
        "title": page.seo_title or page.title,
        "description": page.search_description or getattr(page, "summary", ""),
        "og_type": "article" if hasattr(page, "summary") else "website",
        "og_locale": OG_LOCALES.get(language, language),
        "og_locale_alternates": [
            OG_LOCALES.get(a["lang"], a["lang"]) for a in alternates if a["lang"] != language
        ],
        "image_url": image_url,
        "image_alt": image_alt,
        "published": getattr(page, "first_published_at", None),
        "site_text": context.get("site_text"),
    }


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context, page=None):
    """The sections of the site (the home page's live children) in the visitor's language."""
    request = context.get("request")

    def sections():
        site = Site.find_for_request(request) if request else None
        home = site.root_page.get_translation_or_none(Locale.get_active()) if site else None
        if home is None or not home.live:
            return []
        children = home.get_children().live().in_menu().public()
        return [(child.title, child.get_url(request), child.path) for child in children]

    current_path = page.path if isinstance(page, Page) else ""
    items = [
        {
            "title": title,
            "url": url,
            "active": bool(current_path) and current_path.startswith(path),
        }
        for title, url, path in sections()
    ]
    return {"items": items}


@register.simple_tag
def untranslated_content(page):
    """{% untranslated_content page as untranslated %}: what a published translation still lacks."""
    return language.untranslated_content(page)
