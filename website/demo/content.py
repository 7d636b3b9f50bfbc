"""Demo pages and snippets from the programme's facts (shared content-facts), in our own words."""

import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import import_string
from wagtail.models import Locale, Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from website.models import DonorPartner, HomePage, SiteSettings, SiteText

from .translation import ensure_translation

# Each app's demo content, in order: load(home_page, bangla_locale, report).
APP_LOADERS = ["stories.demo.load", "events.demo.load", "newsletter.demo.load"]
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


def figure(value, unit, label, note=""):
    """A statistics figure as StreamField data (every text part present, as the editor saves)."""
    return {"value": Decimal(value), "unit": unit, "label": label, "note": note}


HOME = {
    "title": "Better Work Bangladesh",
    "slug": "home",
    "seo_title": "Better Work Bangladesh: decent work in the garment sector",
    "search_description": (
        "Better Work Bangladesh, a partnership of the ILO and the IFC, works with garment "
        "factories, brands, workers and government for decent work and competitive business."
    ),
    "hero_heading": "Decent work and a competitive garment industry",
    "hero_text": (
        "Better Work Bangladesh brings together factories, workers, brands and government to "
        "improve working conditions and business in the ready-made garment sector."
    ),
    "intro": (
        "<p>Better Work Bangladesh is a partnership of the International Labour Organization and "
        "the International Finance Corporation. It was announced in October 2013, after the "
        "Tazreen Fashions fire and the Rana Plaza collapse.</p>"
        "<p>We assess factories against national labour law and international standards, advise "
        "them and train their managers and workers, and we report publicly on progress.</p>"
    ),
    "key_figures": [
        (
            "statistics",
            {
                "heading": "Programme reach",
                "as_of": datetime.date(2022, 12, 31),
                "source": "Better Work Bangladesh",
                "figures": [
                    figure("437", "", "factories enrolled"),
                    figure("47", "", "international brands and retailers"),
                    figure("1.26", "million", "workers supported"),
                    figure("50", "%", "of supported workers are women"),
                ],
            },
        )
    ],
}

SITE_TEXT = {
    "programme_name": "Better Work Bangladesh",
    "tagline": "Decent work and competitive business in the garment sector",
    "partnership_text": (
        "Better Work is a partnership of the International Labour Organization (ILO) and the "
        "International Finance Corporation (IFC), a member of the World Bank Group."
    ),
    "office_name": "ILO Country Office for Bangladesh",
    "postal_address": (
        "PPD Secretariat Office Complex (3rd floor), Block-F, Plot 17/B&C\n"
        "Agargaon Administrative Zone, Sher-E-Bangla Nagar\n"
        "Dhaka-1207, Bangladesh"
    ),
    "media_contact_role": "Communications Officer",
    "newsletter_heading": "Get our newsletter",
    "newsletter_text": (
        "News, stories and events from Better Work Bangladesh, once a month, in Bangla or English."
    ),
}

# Social links are placeholders on example.org: officers put the real channels in Settings.
SETTINGS = {
    "contact_email": "bangladesh@example.org",
    "media_email": "media@example.org",
    "facebook_url": "https://facebook.example.org/betterworkbangladesh",
    "x_url": "https://x.example.org/betterworkbd",
    "instagram_url": "https://instagram.example.org/betterworkbangladesh",
    "youtube_url": "https://youtube.example.org/betterworkbangladesh",
    "programme_url": "https://betterwork.org/bangladesh/",
}

DONORS = [
    {"name": "Government of Switzerland", "url": "https://www.eda.admin.ch/", "sort_order": 1},
]


def remove_wagtail_welcome_page():
    """Wagtail's migrations create a placeholder page; the real home page replaces it."""
    for page in Page.objects.filter(depth=2, title=WAGTAIL_WELCOME_TITLE):
        if page.specific_class is Page:
            page.delete()


def ensure_home_page(report):
    """The English home page under the tree root, the default site pointing at it."""
    en = Locale.get_default()
    home = HomePage.objects.filter(locale=en).first()
    if home is None:
        remove_wagtail_welcome_page()
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(locale=en, **HOME))
        home.save_revision().publish()
        report("  + home page (en)")
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        site = Site(root_page=home, is_default_site=True, hostname="localhost", port=80)
    if site.root_page_id != home.id or (site.hostname, site.port) == ("localhost", 80):
        # Full URLs (canonical, sitemap, feeds, emails) follow the configured BASE_URL.
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        site.hostname = base.hostname or "localhost"
        site.port = base.port or (443 if base.scheme == "https" else 80)
        site.root_page = home
        site.site_name = HOME["title"]
        site.save()
        report(f"  * default site serves the home page at {site.root_url}")
    return home


def ensure_snippets(report):
    """English site texts and donors; what exists is left as the editors made it."""
    en = Locale.get_default()
    site_text = SiteText.objects.filter(locale=en).first()
    if site_text is None:
        site_text = SiteText.objects.create(locale=en, **SITE_TEXT)
        report("  + site texts (en)")
    donors = []
    for data in DONORS:
        donor = DonorPartner.objects.filter(locale=en, name=data["name"]).first()
        if donor is None:
            donor = DonorPartner.objects.create(locale=en, **data)
            report(f"  + donor partner {donor.name} (en)")
        donors.append(donor)
    return site_text, donors


def ensure_settings(site, report):
    """Contact details and social links, filled only where still empty."""
    settings = SiteSettings.for_site(site)
    changed = [name for name, value in SETTINGS.items() if not getattr(settings, name)]
    for name in changed:
        setattr(settings, name, SETTINGS[name])
    if changed:
        settings.save()
        report(f"  + site settings: {', '.join(changed)}")


@transaction.atomic
def load_content(report=print):
    """Load the demo content; returns the English home page.

    Wagtail queues a reference-index update for every row saved, child rows included; the loader
    saves and publishes pages several times (translating replaces their topics and related
    pages), so the worker would later fail on rows that no longer exist. The index is built once
    at the end instead, in the same transaction.
    """
    bn = Locale.objects.get(language_code="bn")
    with disable_reference_index_auto_update():
        home = ensure_home_page(report)
        ensure_settings(Site.objects.get(root_page=home), report)
        site_text, donors = ensure_snippets(report)
        for instance in [home, site_text, *donors]:
            ensure_translation(instance, bn, report)
        for loader in APP_LOADERS:
            import_string(loader)(home, bn, report)
    call_command("rebuild_references_index", verbosity=0)
    return home
