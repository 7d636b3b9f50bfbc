"""Template context every public page needs: site texts, donors, contact details (site settings).
The newsletter sign-up form comes from the newsletter's own template tag (newsletter_tags)."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject, lazy
from wagtail.models import Site

from .cache import fragment_versions
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


def fragments(request):
    """What the keys of cached fragments hold (website/cache.py): looked up once per response,
    and only by templates that use a fragment."""
    versions = SimpleLazyObject(lambda: fragment_versions(request))
    return {
        "fragment_timeout": settings.PAGE_FRAGMENT_TIMEOUT,
        "fragment_version": lazy(lambda: versions["page"], str)(),
        "card_version": lazy(lambda: versions["card"], str)(),
    }
