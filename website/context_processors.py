"""Template context every public page needs: site texts, donors, contact details (site settings).
The newsletter sign-up form comes from the newsletter's own template tag (newsletter_tags)."""

from django.utils import translation
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from . import fragments
from .models import DonorPartner, SiteSettings, SiteText


def site_texts(request):
    """Lazy, so admin pages and views that never show a footer make no query; kept in the
    fragment cache (website/fragments.py), so the pages that do show one make none either."""
    language_code = translation.get_language()

    def site_text():
        rows = SiteText.objects.for_locale()
        return rows[0] if rows else None

    def site_settings():
        site = Site.find_for_request(request)
        return SiteSettings.for_site(site) if site else None

    def cached(name, compute, *parts):
        return SimpleLazyObject(lambda: fragments.cached(name, compute, *parts))

    return {
        "site_text": cached("site_text", site_text, language_code),
        "donor_partners": cached("donors", DonorPartner.objects.for_locale, language_code),
        "site_settings": SimpleLazyObject(
            lambda: fragments.cached("site_settings", site_settings, request.get_host())
        ),
    }
