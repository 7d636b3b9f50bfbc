"""The frame around an edition: its masthead and footer, in the edition's language.

Every text comes from the site's settings and texts (Settings → Site texts, translated like the
pages; Settings → Site settings for the contact address and social channels) or from the
catalogue; the links are absolute, and the subscriber's own links are placeholders
(`newsletter.links.PLACEHOLDERS`) filled at send time.
"""

from django.templatetags.static import static
from django.utils.translation import gettext as _
from wagtail.models import Locale, Site

from website import formatting
from website.models import SiteSettings, SiteText

from .links import PLACEHOLDERS, absolute_url, page_url, subscribe_url

LOGO = "newsletter/email/logo.png"  # 96 px square: sharp at 48 px, a white ring on any band
LOGO_SIZE = 48


def social_label(name):
    """A social channel's name as the reader's language writes it (ফেসবুক in Bangla)."""
    labels = {
        "Facebook": _("Facebook"),
        "X": _("X"),
        "Instagram": _("Instagram"),
        "YouTube": _("YouTube"),
    }
    return labels.get(name, name)


def frame_context(language, issue_date=None):
    """Masthead and footer of an edition in `language` (the active translation)."""
    locale = Locale.objects.get(language_code=language)
    texts = SiteText.objects.for_locale(locale)
    site_text = texts[0] if texts else None
    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.for_site(site) if site else None
    programme = site_text.programme_name if site_text else "Better Work Bangladesh"
    signup = subscribe_url(language)
    year = formatting.localize_digits(str(issue_date.year), language) if issue_date else ""
    return {
        "site_text": site_text,
        "programme_name": programme,
        "social_links": [
            (social_label(name), url)
            for name, url in (site_settings.social_links() if site_settings else [])
        ],
        "contact_email": site_settings.contact_email if site_settings else "",
        "home_url": page_url(site.root_page.get_translation_or_none(locale) or site.root_page)
        if site
        else absolute_url("/"),
        "logo": {
            "src": absolute_url(static(LOGO)),
            "size": LOGO_SIZE,
            "alt": _("%(programme)s logo") % {"programme": programme},
        },
        "copyright": f"© {year} {programme}" if year else f"© {programme}",
        "subscribe_url": signup,
        # The newsletter's privacy notice: on the sign-up page, public, so it also serves the
        # readers of a forwarded copy.
        "privacy_url": f"{signup}#privacy",
        "links": PLACEHOLDERS,
    }
