"""Template tags for every public page: language links and locale-aware numbers and dates."""

from django import template
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale, Page, Site

from .. import formatting

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
def local_time(value):
    """{{ start|local_time }} -> 9:30 AM / সকাল ৯:৩০ (Asia/Dhaka)"""
    return formatting.format_time(value)


@register.simple_tag
def date_range(start, end=None):
    """{% date_range start end %} -> 25 November – 10 December 2022 / ২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২"""
    return formatting.format_date_range(start, end)


@register.simple_tag
def figure(value, unit=""):
    """{% figure value unit %} -> 1.26 million / ১২.৬ লাখ"""
    return formatting.format_figure(value, unit)


def _home_page_for(request, locale):
    """The site's home page in `locale`, or None when it has no live translation."""
    site = Site.find_for_request(request) if request else None
    if site is None:
        return None
    home = site.root_page.get_translation_or_none(locale)
    return home if home and home.live else None


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context, page=None):
    """Links to the current page in every other language.

    Each link goes to the page's live translation when there is one, otherwise to the home page of
    that language, and says which of the two it is.
    """
    request = context.get("request")
    current = translation.get_language()
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    links = []
    for code, name in settings.LANGUAGES:
        locale = locales.get(code)
        url, is_translation = None, False
        if code != current and locale is not None:
            target = None
            if isinstance(page, Page):
                target = page.get_translation_or_none(locale)
                if target is not None and not target.live:
                    target = None
            if target is not None:
                is_translation = True
            else:
                target = _home_page_for(request, locale)
            if target is not None:
                url = target.get_url(request)
        if url is None and code != current:
            url = f"/{code}/"
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
