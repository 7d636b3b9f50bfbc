"""Template context every public page needs: site texts, donors, the newsletter sign-up form."""

from django.utils import translation
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
        "newsletter_form": SimpleLazyObject(newsletter_form),
    }


def newsletter_form():
    from newsletter.forms import SignupForm

    return SignupForm(language=translation.get_language())
