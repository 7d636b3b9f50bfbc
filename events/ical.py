"""Events as iCalendar (RFC 5545): one event to download, or a section's feed to subscribe to.

Texts are in the language of the pages and say so (LANGUAGE=bn). Timed events carry the
Asia/Dhaka time zone with its VTIMEZONE; all-day events are dates, with the exclusive end that
RFC 5545 asks for (an event on 25 November - 10 December ends on 11 December).
"""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from website.models import SiteText

PRODID = "-//Better Work Bangladesh//Events//EN"


def uid_host():
    """The host part of event UIDs: the site's own address, so UIDs never clash with others'."""
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "betterwork-bangladesh"


def event_uid(page):
    """Stable per page and language: the same event in Bangla and English is two entries."""
    return f"{page.translation_key}-{page.locale.language_code}@{uid_host()}"


def calendar_name(index_page):
    """ "Better Work Bangladesh · Events", in the section's language."""
    texts = SiteText.objects.for_locale(index_page.locale)
    programme = texts[0].programme_name if texts else settings.WAGTAIL_SITE_NAME
    return f"{programme} · {index_page.title}"


def vevent(page, request=None):
    """One VEVENT of `page` (an EventPage)."""
    language = page.locale.language_code
    text = {"LANGUAGE": language}
    event = icalendar.Event()
    event.add("uid", event_uid(page))
    event.add("dtstamp", page.last_published_at or timezone.now())
    if page.last_published_at:
        event.add("last-modified", page.last_published_at)
    if page.all_day:
        event.add("dtstart", page.first_day)
        event.add("dtend", page.last_day + datetime.timedelta(days=1))
    else:
        zone = ZoneInfo(settings.TIME_ZONE)
        event.add("dtstart", page.start.astimezone(zone))
        if page.end:
            event.add("dtend", page.end.astimezone(zone))
    event.add("summary", page.title, parameters=text)
    if page.summary:
        event.add("description", page.summary, parameters=text)
    if page.location:
        event.add("location", page.location, parameters=text)
    url = page.get_full_url(request)
    if url:
        event.add("url", url)
    category = getattr(page, "category_in_locale", page.category)
    if category is not None:
        event.add("categories", [category.name], parameters=text)
    if page.organiser:
        # ORGANIZER must be an address; the organiser's name is given to people as a comment.
        event.add("comment", page.organiser, parameters=text)
    return event


def calendar_of(pages, *, name, request=None):
    """A VCALENDAR of `pages`, with the time zones their times use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for page in pages:
        calendar.add_component(vevent(page, request))
    calendar.add_missing_timezones()
    return calendar


def response(calendar, *, filename, download=False):
    """`calendar` as text/calendar; a download (attachment) or a feed to subscribe to."""
    result = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if download else "inline"
    result["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return result
