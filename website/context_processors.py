"""Template context every public page needs: site texts, donors, contact details (site settings).
The newsletter sign-up form comes from the newsletter's own template tag (newsletter_tags)."""

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from .models import DonorPartner, SiteSettings, SiteText


def site_texts(request):
    """Lazy, so admin pages and views that never show a footer make no query."""

    def site_text():
        rows = SiteText.objects.for_locale()
        return rows[0] if rows else None

    def site_settings():
        site = Site.find_for_request(request)
        return SiteSettings.for_site(site) if site else None

    return {
        "site_text": SimpleLazyObject(site_text),
        "donor_partners": SimpleLazyObject(DonorPartner.objects.for_locale),
        "site_settings": SimpleLazyObject(site_settings),
    }
