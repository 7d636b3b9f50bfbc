"""Template context every public page needs: the active language's site texts and donors."""

from django.utils.functional import SimpleLazyObject

from .models import DonorPartner, SiteText


def site_texts(request):
    """Lazy, so admin pages and views that never show a footer make no query."""

    def site_text():
        rows = SiteText.objects.for_locale()
        return rows[0] if rows else None

    return {
        "site_text": SimpleLazyObject(site_text),
        "donor_partners": SimpleLazyObject(lambda: DonorPartner.objects.for_locale()),
    }
