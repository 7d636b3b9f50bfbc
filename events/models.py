"""Events: forums, campaigns, workshops and trainings, listed by an index page with an iCalendar
feed, each one downloadable for a calendar app.

Times are entered and shown in Bangladesh time (TIME_ZONE, Asia/Dhaka) and stored aware. An
all-day event counts by its dates only: it is upcoming until its last day is over.
"""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, PageManager
from wagtail.search import index

from website.cache import ListingPaginator, remembered
from website.localize import localize, pick_localized
from website.models import (
    ContentPage,
    LocalizedPage,
    RelatedPageBase,
    SitePageQuerySet,
    TranslatableTaxonomy,
    localized_live_pages,
    with_card_images,
)

from . import ical


class EventCategory(TranslatableTaxonomy):
    """What kind of event it is: forum, campaign, workshop, training."""

    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Used in addresses: ?category=forum")
    )

    class Meta(TranslatableTaxonomy.Meta):
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")


def localize_categories(events, locale):
    """Set `event.category_in_locale` on each event, in one query at most.

    Translated events normally point at the category in their own language already (the link is
    translated with the page); the lookup only runs for events that still point elsewhere.
    """
    events = list(events)
    categories = localize([e.category for e in events], locale, EventCategory.objects.all())
    for event, category in zip(events, categories, strict=True):
        event.category_in_locale = category
    return events


class EventQuerySet(SitePageQuerySet):
    @staticmethod
    def _upcoming_condition(now=None):
        """Events that have not ended by `now`.

        A timed event ends at `end`, or at `start` when it has no end. An all-day event ends
        with its last day in Bangladesh time, whatever time of day was stored.
        """
        now = now or timezone.now()
        today = timezone.localdate(now)
        timed = models.Q(end__gte=now) | models.Q(end__isnull=True, start__gte=now)
        all_day = models.Q(end__date__gte=today) | models.Q(
            end__isnull=True, start__date__gte=today
        )
        return (models.Q(all_day=False) & timed) | (models.Q(all_day=True) & all_day)

    def upcoming(self, now=None):
        """Events still to come or under way, soonest first."""
        return self.filter(self._upcoming_condition(now)).order_by("start", "pk")

    def past(self, now=None):
        """Events that are over, the most recent first."""
        return self.exclude(self._upcoming_condition(now)).order_by("-start", "-pk")

    def in_category(self, category):
        """Events filed under `category` in any language (matched on its translation key)."""
        return self.filter(category__translation_key=category.translation_key)

    def in_year(self, year):
        """Events that start in `year`, in Bangladesh time."""
        return self.filter(start__year=year)

    def for_listing(self):
        """What an event card shows, in a fixed number of queries: category, hero image and its
        card renditions. Bodies stay in the database."""
        return with_card_images(self.defer_streamfields().select_related("category"))


EventManager = PageManager.from_queryset(EventQuerySet)


class EventIndexPage(RoutablePageMixin, LocalizedPage):
    """The events section: upcoming events, then past ones by page; an iCalendar feed at ical/."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*LocalizedPage.content_panels, FieldPanel("intro")]
    search_fields = [*LocalizedPage.search_fields, index.SearchField("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1

    PAST_PER_PAGE = 12

    class Meta:
        verbose_name = _("event index page")
        verbose_name_plural = _("event index pages")

    def events(self):
        """The live, public events of this section (its language)."""
        return EventPage.objects.child_of(self).live().public()

    def categories(self):
        """Categories that have events in this section, in its language, by name."""
        keys = self.events().filter(category__isnull=False).values("category__translation_key")
        chosen = pick_localized(EventCategory.objects.filter(translation_key__in=keys), self.locale)
        return sorted(chosen.values(), key=lambda c: c.name.casefold())

    def years(self):
        """Years in which events of this section start, latest first (Bangladesh time)."""
        return [d.year for d in self.events().datetimes("start", "year", order="DESC")]

    def filters(self, request, categories, years):
        """The category and year chosen in the query string, and whether some value was
        ignored: values that match no category or year of this section are left out rather
        than answered with an error."""
        slug = request.GET.get("category", "")
        category = next((c for c in categories if c.slug == slug), None)
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = None
        if year not in years:
            year = None
        ignored = bool(slug and not category) or bool(request.GET.get("year") and not year)
        return category, year, ignored

    def listing_context(self, request):
        categories = remembered(request, self, "categories", self.categories)
        years = remembered(request, self, "years", self.years)
        category, year, ignored = self.filters(request, categories, years)
        events = self.events().for_listing()
        if category:
            events = events.in_category(category)
        if year:
            events = events.in_year(year)
        now = timezone.now()
        chosen = f"{category.slug if category else ''}|{year}"
        paginator = ListingPaginator(
            events.past(now),
            self.PAST_PER_PAGE,
            request=request,
            listing=self,
            name=f"past:{chosen}",
        )
        past_page = paginator.get_page(request.GET.get("page"))
        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        past = past_page.object_list
        past_page.object_list = SimpleLazyObject(lambda: localize_categories(past, self.locale))
        query = {}
        if category:
            query["category"] = category.slug
        if year:
            query["year"] = year
        return {
            "upcoming_events": SimpleLazyObject(
                lambda: localize_categories(events.upcoming(now), self.locale)
            ),
            "past_events": past_page,
            "categories": categories,
            "years": years,
            "selected_category": category,
            "selected_year": year,
            "filter_query": query,
            "is_filtered": bool(query),
            "ignored_filters": ignored,
            "ical_url": self.ical_url(request),
            "calendar_address": self.calendar_address(request),
            "webcal_url": self.webcal_url(request),
            # What the listing's fragments are keyed on: the choices as understood, not as typed.
            "fragment_query": f"{query}|{ignored}|{past_page.number}",
            "listing_page": past_page.number,
        }

    def ical_url(self, request=None):
        return self.get_url(request) + self.reverse_subpage("ical")

    def calendar_address(self, request=None):
        """The feed's full https address, for calendar apps that subscribe "from a URL"."""
        return self.get_full_url(request) + self.reverse_subpage("ical")

    def webcal_url(self, request=None):
        """The feed as a webcal:// link: calendar apps open it as a subscription that they
        refresh, where the https link would import a one-off copy."""
        address = self.calendar_address(request)
        return "webcal://" + address.split("://", 1)[1]

    def get_cached_paths(self):
        """The page and its iCalendar file: purged from caches together."""
        return ["/", self.reverse_subpage("ical")]

    @path("", name="listing")
    def listing(self, request):
        return self.render(request, context_overrides=self.listing_context(request))

    @path("ical/", name="ical")
    def ical(self, request):
        """Every live event of this section as an iCalendar feed that calendar apps subscribe to."""
        events = self.events().defer_streamfields().select_related("category", "locale")
        events = localize_categories(events.order_by("start", "pk"), self.locale)
        calendar = ical.calendar_of(events, name=ical.calendar_name(self), request=request)
        return ical.response(calendar, filename=f"{self.slug}-{self.locale.language_code}.ics")


class EventPage(RoutablePageMixin, ContentPage):
    """One event: when, where, who organises it, how to register, and what came of it."""

    start = models.DateTimeField(_("starts"), help_text=_("Bangladesh time"))
    end = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Bangladesh time; leave empty if unknown")
    )
    all_day = models.BooleanField(
        _("all day"),
        default=False,
        help_text=_("Only the dates count: no times are shown or sent to calendars"),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    category = models.ForeignKey(
        EventCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registration_url = models.URLField(
        _("registration address"), blank=True, help_text=_("Shown until the event is over")
    )
    video_url = models.URLField(_("video address"), blank=True)

    objects = EventManager()

    content_panels = [
        *LocalizedPage.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("all_day"),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("venue"), FieldPanel("city")]), FieldPanel("organiser")],
            heading=_("Where and who"),
        ),
        FieldPanel("category"),
        MultiFieldPanel(
            [FieldPanel("registration_url"), FieldPanel("video_url")], heading=_("Links")
        ),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("hero_image_credit"),
            ],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
        InlinePanel("related_pages", label=_("Related stories and news")),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("venue"),
        index.SearchField("city"),
        index.SearchField("organiser"),
        index.FilterField("start"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self):
        super().clean()
        if self.start and self.end:
            if self.all_day:
                too_early = timezone.localdate(self.end) < timezone.localdate(self.start)
            else:
                too_early = self.end < self.start
            if too_early:
                raise ValidationError(
                    {"end": _("The event cannot end before it starts: check the end date.")}
                )

    @property
    def local_start(self):
        return timezone.localtime(self.start) if self.start else None

    @property
    def local_end(self):
        return timezone.localtime(self.end) if self.end else None

    @property
    def first_day(self):
        return self.local_start.date()

    @property
    def last_day(self):
        """The last day of the event in Bangladesh time (its first day when no end is known)."""
        return self.local_end.date() if self.end else self.first_day

    @property
    def is_single_day(self):
        return self.first_day == self.last_day

    def is_over(self, now=None):
        """Whether the event has ended: the same rule as `EventPage.objects.past()`."""
        now = now or timezone.now()
        if self.all_day:
            return self.last_day < timezone.localdate(now)
        return (self.end or self.start) < now

    @property
    def location(self):
        """Venue and city, as one line."""
        return ", ".join(part for part in (self.venue, self.city) if part)

    def related_pages_in_locale(self):
        """The related stories and news in the language of this page, live and public only."""
        links = self.related_pages.select_related("related_page").order_by("sort_order", "pk")
        return localized_live_pages(list(links), self.locale)

    def ical_url(self, request=None):
        return self.get_url(request) + self.reverse_subpage("ical")

    def get_cached_paths(self):
        """The page and its iCalendar file: purged from caches together."""
        return ["/", self.reverse_subpage("ical")]

    def structured_data(self, request=None, category=None):
        """schema.org Event data for search engines, as JSON safe inside a <script> element."""
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "inLanguage": self.locale.language_code,
            "url": self.get_full_url(request),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "eventStatus": "https://schema.org/EventScheduled",
        }
        if self.all_day:
            data["startDate"] = self.first_day.isoformat()
            data["endDate"] = self.last_day.isoformat()
        else:
            data["startDate"] = self.local_start.isoformat()
            if self.end:
                data["endDate"] = self.local_end.isoformat()
        if self.location:
            data["location"] = {
                "@type": "Place",
                "name": self.venue or self.city,
                "address": self.location,
            }
        if self.organiser:
            data["organizer"] = {"@type": "Organization", "name": self.organiser}
        if category is not None:
            data["keywords"] = category.name
        return json_for_script(data)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        category = SimpleLazyObject(lambda: self.category.localized if self.category else None)
        context["category"] = category
        context["structured_data"] = SimpleLazyObject(
            lambda: self.structured_data(request, category or None)
        )
        context["related"] = SimpleLazyObject(self.related_pages_in_locale)
        context["is_over"] = self.is_over()
        context["ical_url"] = self.ical_url(request)
        index_page = SimpleLazyObject(self.get_parent)
        context["index_page"] = index_page
        context["index_url"] = SimpleLazyObject(lambda: index_page.get_url(request))
        return context

    @path("ical/", name="ical")
    def ical(self, request):
        """This event as an .ics file to add to a calendar."""
        self.category_in_locale = self.category.in_locale(self.locale) if self.category else None
        calendar = ical.calendar_of([self], name=self.title, request=request)
        return ical.response(calendar, filename=f"{self.slug}.ics", download=True)


def json_for_script(data):
    """`data` as JSON that cannot end the <script> element it is written into."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    escapes = {"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"}
    return mark_safe("".join(escapes.get(char, char) for char in text))  # noqa: S308


class EventRelatedPage(Orderable, RelatedPageBase):
    """A story or news article shown under an event ("Related")."""

    page = ParentalKey("events.EventPage", related_name="related_pages", on_delete=models.CASCADE)

    class Meta(Orderable.Meta):
        verbose_name = _("related page")
        verbose_name_plural = _("related pages")
