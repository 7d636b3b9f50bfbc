"""Demo events: the events section, its categories and three events of 2022, in both languages.

`load` is listed in website.demo.content.APP_LOADERS and runs after the stories loader, so events
can point at the stories written about them. Everything is created once and translated through
wagtail-localize with the Bangla of translations/bn.po; existing pages are left as they are.
"""

from wagtail.models import Page

from website.demo.images import DEMO_CREDIT, demo_image
from website.demo.pages import ensure_page
from website.demo.translation import ensure_translation

from ..models import EventCategory, EventIndexPage, EventPage, EventRelatedPage
from .content import CATEGORIES, EVENT_INDEX, EVENTS

EVENT_FIELDS = (
    "title",
    "summary",
    "hero_image_alt",
    "start",
    "end",
    "all_day",
    "venue",
    "city",
    "organiser",
    "registration_url",
    "video_url",
)


def ensure_categories(locale, report):
    """The English categories by slug, created when missing."""
    categories = {}
    for slug, name in CATEGORIES:
        category = EventCategory.objects.filter(locale=locale, slug=slug).first()
        if category is None:
            category = EventCategory.objects.create(locale=locale, slug=slug, name=name)
            report(f"  + event category {name} (en)")
        categories[slug] = category
    return categories


def find_stories(home, slugs):
    """The live demo stories and news with these slugs (under /stories/ or /news/), if any."""
    sections = home.get_children().filter(slug__in=["stories", "news"])
    pages = {
        page.slug: page
        for section in sections
        for page in Page.objects.child_of(section).live().filter(slug__in=slugs)
    }
    return [pages[slug] for slug in slugs if slug in pages]


def ensure_event(index, data, categories, report):
    fields = {name: data[name] for name in EVENT_FIELDS}
    title, palette = data["image"]
    related = find_stories(index.get_parent(), data["related"])
    return ensure_page(
        index,
        EventPage,
        data["slug"],
        report,
        category=categories[data["category"]],
        hero_image=demo_image(title, palette=palette, alt=data["hero_image_alt"]),
        hero_image_credit=DEMO_CREDIT,
        body=data["body"],
        related_pages=[EventRelatedPage(related_page=page) for page in related],
        **fields,
    )


def load(home, bn, report):
    """The events section under the English `home` and its Bangla translation."""
    categories = ensure_categories(home.locale, report)
    # Categories first: translating an event links it to its category in Bangla.
    for category in categories.values():
        ensure_translation(category, bn, report)
    index = ensure_page(home, EventIndexPage, report=report, **EVENT_INDEX)
    ensure_translation(index, bn, report)
    for data in EVENTS:
        event = ensure_event(index, data, categories, report)
        ensure_translation(event, bn, report)
