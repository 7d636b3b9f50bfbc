"""Events: pages in both languages, dates in Dhaka time, upcoming and past listings with filters,
iCalendar downloads and feeds, validation, query counts, admin and demo content."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from events.demo import load as load_events_demo
from events.models import (
    EventCategory,
    EventIndexPage,
    EventPage,
    EventRelatedPage,
    localize_categories,
)
from tests.conftest import DEMO_PASSWORD, SESSION
from website.cache import renew_fragments
from website.models import CustomImage, HomePage

pytestmark = pytest.mark.django_db

DHAKA = ZoneInfo("Asia/Dhaka")
BASE = "https://betterwork.example.org"  # WAGTAILADMIN_BASE_URL in the test settings
FORUM = "/events/business-forum-2022/"
SIXTEEN_DAYS = "/events/16-days-of-activism-2022/"
WORKSHOPS = "/events/empowering-workers-with-data-2022/"


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=DHAKA)


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def section_titles(soup, section_id):
    """Titles of the event cards in the "upcoming" or "past" section of an index page."""
    section = soup.select_one(f'section[aria-labelledby="{section_id}-heading"]')
    return [a.get_text(strip=True) for a in section.select(".event-card h3 a")]


def parse_calendar(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
def bn():
    return Locale.objects.get(language_code="bn")


@pytest.fixture
def forum_category(demo):
    return EventCategory.objects.get(slug="forum", locale=demo.locale)


@pytest.fixture
def empty_index(demo):
    """An events section of its own, so a test decides exactly which events it lists."""
    index = EventIndexPage(title="Test events", slug="test-events")
    demo.add_child(instance=index)
    return index


def add_event(index, title, start, end=None, *, all_day=False, live=True, **fields):
    fields.setdefault("summary", f"Summary of {title}.")
    page = EventPage(
        title=title,
        slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        start=start,
        end=end,
        all_day=all_day,
        live=live,
        **fields,
    )
    index.add_child(instance=page)
    return page


# Pages in both languages


@pytest.mark.parametrize(
    ("path", "lang", "heading", "text"),
    [
        ("/en/events/", "en", "Events", "Past events"),
        ("/bn/events/", "bn", "আয়োজন", "বিগত আয়োজন"),
        (f"/en{FORUM}", "en", "Better Work Bangladesh Business Forum 2022", "2–3 November 2022"),
        (f"/bn{FORUM}", "bn", "বেটার ওয়ার্ক বাংলাদেশ বিজনেস ফোরাম ২০২২", "২–৩ নভেম্বর ২০২২"),
        (
            f"/en{WORKSHOPS}",
            "en",
            "Empowering workers with data: workshops with trade unions",
            "1 March – 30 September 2022",
        ),
        (
            f"/bn{WORKSHOPS}",
            "bn",
            "তথ্যের শক্তিতে শ্রমিকের ক্ষমতায়ন: ট্রেড ইউনিয়নের সঙ্গে কর্মশালা",
            "১ মার্চ – ৩০ সেপ্টেম্বর ২০২২",
        ),
    ],
)
def test_index_and_event_pages_are_served_in_both_languages(
    client, demo, path, lang, heading, text
):
    soup = soup_of(client.get(path))
    assert soup.html["lang"] == lang
    assert soup.h1.get_text(strip=True) == heading
    assert text in soup.main.get_text(" ", strip=True)
    assert soup.select_one('link[rel="stylesheet"][href$="events/events.css"]')


@pytest.mark.parametrize(
    ("lang", "dates"),
    [("en", "25 November – 10 December 2022"), ("bn", "২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২")],
)
def test_sixteen_days_shows_its_date_range_without_times(client, demo, lang, dates):
    page = soup_of(client.get(f"/{lang}{SIXTEEN_DAYS}"))
    when = page.select_one(".event__facts .event-when")
    assert when.get_text(" ", strip=True) == dates
    assert when.time["datetime"] == "2022-11-25"
    assert when.select_one(".event-when__time") is None  # all day: no time
    listing = soup_of(client.get(f"/{lang}/events/"))
    card_dates = [t.get_text(strip=True) for t in listing.select(".event-card time")]
    assert dates in card_dates


@pytest.mark.parametrize(
    ("lang", "dates", "time", "note"),
    [
        ("en", "2–3 November 2022", ", 9:30 AM", "Bangladesh time (UTC+6)"),
        ("bn", "২–৩ নভেম্বর ২০২২", ", সকাল ৯:৩০", "বাংলাদেশ সময় (ইউটিসি+৬)"),
    ],
)
def test_timed_event_shows_its_start_time_in_dhaka(client, demo, lang, dates, time, note):
    soup = soup_of(client.get(f"/{lang}{FORUM}"))
    when = soup.select_one(".event__facts .event-when")
    assert when.time.get_text(strip=True) == dates
    assert when.time["datetime"] == "2022-11-02T09:30:00+06:00"
    assert when.select_one(".event-when__time").get_text(strip=True) == time
    assert soup.select_one(".event__note").get_text(strip=True) == note


def test_one_day_event_shows_start_and_end_times(client, empty_index):
    add_event(empty_index, "Morning session", at(2031, 3, 12, 10), at(2031, 3, 12, 13, 30))
    soup = soup_of(client.get("/en/test-events/morning-session/"))
    when = soup.select_one(".event__facts .event-when").get_text(" ", strip=True)
    assert when == "12 March 2031 , 10:00 AM to 1:30 PM"


def test_bangla_event_page_shows_its_facts_links_and_related_stories_in_bangla(client, demo):
    soup = soup_of(client.get(f"/bn{FORUM}"))
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in soup.select(".event__facts dt")
    }
    assert facts["কোথায়"] == "ঢাকা"
    assert facts["আয়োজক"] == "বেটার ওয়ার্ক বাংলাদেশ (আইএলও ও আইএফসি)"
    assert facts["ধরন"] == "ফোরাম"
    assert "এই আয়োজন শেষ হয়েছে।" in facts["কখন"]
    assert soup.select_one("a.event__category")["href"] == "/bn/events/?category=forum"
    assert soup.select_one(".event__section a")["href"] == "/bn/events/"
    actions = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".event__actions a")}
    assert actions["ভিডিও দেখুন"] == "https://betterwork.org/bangladesh/"
    assert actions["ক্যালেন্ডারে যোগ করুন (আই-ক্যালেন্ডার ফাইল)"] == f"/bn{FORUM}ical/"
    assert "নিবন্ধন করুন" not in actions  # the forum is over: no registration button
    related = [a["href"] for a in soup.select(".event__related h3 a")]
    assert related == ["/bn/news/strategy-2022-2027-launched/", "/bn/news/better-work-in-2022/"]
    values = [v.get_text(strip=True) for v in soup.select(".page-body .statistics__value")]
    assert values == ["৪০০", "২", "৫"]
    quote = soup_of(client.get(f"/bn{SIXTEEN_DAYS}")).select_one(".block-quote")
    assert "সাবিনা আক্তার" in quote.get_text()
    assert "অ্যাপেক্স হোল্ডিং লিমিটেড" in quote.get_text()


def test_hero_image_is_eager_and_listing_images_are_lazy(client, demo):
    hero = soup_of(client.get(f"/en{FORUM}")).select_one(".event__hero img")
    assert "loading" not in hero.attrs and hero["fetchpriority"] == "high"
    assert hero["sizes"] == "100vw"
    assert len(hero["srcset"].split(",")) == 3
    assert hero["alt"].startswith("Illustration: a conference hall")
    cards = soup_of(client.get("/en/events/")).select(".event-card img")
    assert len(cards) == 3
    assert all(img["loading"] == "lazy" for img in cards)


def test_event_page_describes_itself_for_search_engines(client, demo):
    soup = soup_of(client.get(f"/bn{SIXTEEN_DAYS}"))
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Event"
    assert data["name"] == "জেন্ডারভিত্তিক সহিংসতার বিরুদ্ধে ১৬ দিনের প্রচারাভিযান ২০২২"
    assert (data["startDate"], data["endDate"]) == ("2022-11-25", "2022-12-10")
    assert data["inLanguage"] == "bn"
    assert data["url"] == f"{BASE}/bn{SIXTEEN_DAYS}"


def test_structured_data_cannot_close_its_script_element(client, empty_index):
    add_event(empty_index, "Tricky", at(2031, 1, 1, 9), summary="</script><b>bold</b> & more")
    html = client.get("/en/test-events/tricky/").content.decode()
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    assert json.loads(script)["description"] == "</script><b>bold</b> & more"


ALLOWED_LATIN = set()  # the photo credit is translated with the page: "© আইএলও"


@pytest.mark.parametrize(
    "path",
    ["/bn/events/", f"/bn{FORUM}", f"/bn{SIXTEEN_DAYS}", f"/bn{WORKSHOPS}"],
)
def test_no_english_words_in_the_main_part_of_bangla_pages(client, demo, path):
    main = soup_of(client.get(path)).main
    for tag in main(["script", "style"]):
        tag.decompose()
    leaks = []
    for text in main.find_all(string=re.compile(r"[A-Za-z]{2,}")):
        if isinstance(text, Doctype | Comment) or text.find_parent(attrs={"lang": "en"}):
            continue
        if set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN:
            leaks.append(text.strip())
    assert leaks == []


# Upcoming and past


def test_upcoming_soonest_first_then_past_newest_first(client, empty_index):
    now = timezone.now()
    today = timezone.localdate(now)
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=DHAKA)
    add_event(empty_index, "Next year", now + datetime.timedelta(days=365))
    add_event(empty_index, "Tomorrow", now + datetime.timedelta(days=1))
    add_event(
        empty_index,
        "Ends today",
        midnight - datetime.timedelta(days=3),
        midnight,  # an all-day event's last day is today: still on
        all_day=True,
    )
    add_event(empty_index, "In an hour", now + datetime.timedelta(hours=1))
    add_event(
        empty_index,
        "Under way",
        max(now - datetime.timedelta(hours=2), midnight + datetime.timedelta(minutes=1)),
        now + datetime.timedelta(hours=2),
    )
    add_event(empty_index, "An hour ago", now - datetime.timedelta(hours=1))
    add_event(
        empty_index,
        "Ended yesterday",
        midnight - datetime.timedelta(days=5),
        midnight - datetime.timedelta(days=1),
        all_day=True,
    )
    add_event(empty_index, "Last year", now - datetime.timedelta(days=365))
    add_event(empty_index, "Today, all day", midnight, all_day=True)  # no end: its one day
    add_event(
        empty_index, "Last week, all day", midnight - datetime.timedelta(days=7), all_day=True
    )
    add_event(empty_index, "A draft", now + datetime.timedelta(days=2), live=False)

    soup = soup_of(client.get("/en/test-events/"))
    assert section_titles(soup, "upcoming") == [
        "Ends today",
        "Today, all day",
        "Under way",
        "In an hour",
        "Tomorrow",
        "Next year",
    ]
    assert section_titles(soup, "past") == [
        "An hour ago",
        "Ended yesterday",
        "Last week, all day",
        "Last year",
    ]
    events = EventPage.objects.child_of(empty_index).live()
    assert {e.title for e in events.past(now)} == {e.title for e in events if e.is_over(now)}


def test_registration_button_only_until_the_event_is_over(client, empty_index):
    now = timezone.now()
    for title, start in [
        ("Soon", now + datetime.timedelta(days=3)),
        ("Gone", now - datetime.timedelta(days=3)),
    ]:
        add_event(empty_index, title, start, registration_url="https://example.org/register")
    soon = soup_of(client.get("/en/test-events/soon/"))
    assert soon.select_one("a.button")["href"] == "https://example.org/register"
    assert soon.select_one(".event__badge") is None
    gone = soup_of(client.get("/en/test-events/gone/"))
    assert gone.select_one(".event__actions a.button") is None
    assert gone.select_one(".event__badge").get_text(strip=True) == "This event is over."


def test_empty_index_says_so(client, empty_index):
    soup = soup_of(client.get("/en/test-events/"))
    assert (
        soup.select_one(".events__empty")
        .get_text(strip=True)
        .startswith("No events are planned at the moment.")
    )
    assert soup.select("form.event-filters") == []  # nothing to filter


# Filters


def test_category_filter_works_in_both_languages_with_the_same_slug(client, demo):
    en = soup_of(client.get("/en/events/", {"category": "forum"}))
    assert section_titles(en, "past") == ["Better Work Bangladesh Business Forum 2022"]
    bn = soup_of(client.get("/bn/events/", {"category": "forum"}))
    assert section_titles(bn, "past") == ["বেটার ওয়ার্ক বাংলাদেশ বিজনেস ফোরাম ২০২২"]
    assert bn.select_one("#event-category option[selected]").get_text() == "ফোরাম"
    assert bn.select_one(".events__status").get_text(strip=True) == (
        "“ফোরাম” ধরনের আয়োজন দেখানো হচ্ছে।"
    )
    options = [o.get_text() for o in bn.select("#event-category option")]
    assert sorted(options) == sorted(["সব ধরন", "ফোরাম", "প্রচারাভিযান", "কর্মশালা"])


def test_year_filter_and_its_choices(client, demo, empty_index, forum_category):
    add_event(empty_index, "Old forum", at(2019, 5, 1, 10), category=forum_category)
    add_event(empty_index, "Old workshop", at(2019, 8, 1, 10))
    # 31 December 2020 at 23:00 in Dhaka is still 2020 there, though 2020-12-31 17:00 UTC
    add_event(empty_index, "New Year's Eve", at(2020, 12, 31, 23))
    soup = soup_of(client.get("/en/test-events/", {"year": "2019"}))
    assert section_titles(soup, "past") == ["Old workshop", "Old forum"]
    years = [o["value"] for o in soup.select("#event-year option")]
    assert years == ["", "2020", "2019"]
    both = soup_of(client.get("/en/test-events/", {"year": "2019", "category": "forum"}))
    assert section_titles(both, "past") == ["Old forum"]
    assert section_titles(soup_of(client.get("/en/test-events/", {"year": "2020"})), "past") == [
        "New Year's Eve"
    ]
    bn_years = soup_of(client.get("/bn/events/")).select("#event-year option")
    assert [o.get_text() for o in bn_years] == ["সব বছর", "২০২২"]


def test_filters_are_a_labelled_get_form(client, demo):
    form = soup_of(client.get("/en/events/")).select_one("form.event-filters")
    assert form["method"] == "get"
    for select in form.select("select"):
        assert form.select_one(f'label[for="{select["id"]}"]').get_text(strip=True)


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "99999999999999999999999"},
        {"year": "-1"},
        {"year": "1900"},
        {"category": "no-such-category"},
        {"category": "<script>alert(1)</script>"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "0"},
        {"page": "-1", "year": "2022", "category": "x" * 500},
    ],
)
def test_bad_filter_values_are_answered_gracefully(client, demo, query):
    response = client.get("/en/events/", query)
    soup = soup_of(response)
    assert len(section_titles(soup, "past")) == 3  # the value is ignored: all demo events
    assert soup.select_one("form.event-filters")
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_unknown_filter_values_are_left_out_and_said_so(client, demo):
    soup = soup_of(client.get("/bn/events/", {"category": "training", "year": "abc"}))
    assert len(section_titles(soup, "past")) == 3  # training has no events: everything shown
    assert soup.select_one(".events__status--ignored").get_text(strip=True) == (
        "এখানে ওই ধরন বা বছরের কোনো আয়োজন নেই, তাই সেই বাছাইটি বাদ দেওয়া হয়েছে।"
    )
    assert soup_of(client.get("/bn/events/")).select_one(".events__status--ignored") is None
    assert not soup.select('#event-category option[selected][value="training"]')


def test_past_events_are_paginated_by_twelve_keeping_the_filters(
    client, empty_index, forum_category
):
    for day in range(1, 31):
        add_event(empty_index, f"Forum {day}", at(2021, 1, day, 10), category=forum_category)
    add_event(empty_index, "Other", at(2021, 2, 1, 10))
    first = soup_of(client.get("/en/test-events/", {"category": "forum"}))
    assert section_titles(first, "past")[:2] == ["Forum 30", "Forum 29"]
    assert len(section_titles(first, "past")) == 12
    assert first.select_one(".pagination span").get_text(strip=True) == "Page 1 of 3"
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_link.startswith("?category=forum&page=2")
    last = soup_of(client.get("/en/test-events/", {"category": "forum", "page": "3"}))
    assert section_titles(last, "past") == [f"Forum {day}" for day in range(6, 0, -1)]
    beyond = soup_of(client.get("/en/test-events/", {"category": "forum", "page": "99"}))
    assert section_titles(beyond, "past") == section_titles(last, "past")


def test_bangla_pagination_uses_bengali_digits(client, bn_home):
    index = EventIndexPage(title="পরীক্ষা", slug="test-events-bn", locale=bn_home.locale)
    bn_home.add_child(instance=index)
    for day in range(1, 14):
        add_event(index, f"Event {day}", at(2021, 1, day, 10))
    soup = soup_of(client.get("/bn/test-events-bn/", {"page": "2"}))
    assert soup.html["lang"] == "bn"
    assert soup.select_one(".pagination span").get_text(strip=True) == "পাতা ২ / ২"
    assert soup.select_one('.pagination a[rel="prev"]').get_text(strip=True) == "আগের"
    assert section_titles(soup, "past") == ["Event 1"]


def test_listing_queries_do_not_grow_with_the_events(client, demo, forum_category):
    """10 events or 60 (12 past ones shown per page, all upcoming ones): the same queries."""
    image = CustomImage.objects.create(
        title="Event test image", file=get_test_image_file("event.png", size=(96, 54))
    )
    now = timezone.now()

    def queries_for(count):
        index = EventIndexPage(title=f"Listing {count}", slug=f"listing-{count}")
        demo.add_child(instance=index)
        for number in range(count):
            start = now + datetime.timedelta(days=number - count + 3, hours=1)  # three to come
            add_event(
                index, f"Event {count} {number}", start, hero_image=image, category=forum_category
            )
        client.get(index.url)  # the first visit makes the image renditions
        with CaptureQueriesContext(connection) as context:
            soup = soup_of(client.get(index.url))
        assert len(soup.select(".event-card img")) == 3 + min(count - 3, 12)
        assert len(soup.select(".event-card__category")) == 3 + min(count - 3, 12)
        return len(context.captured_queries)

    assert queries_for(10) == queries_for(60)


def test_categories_are_localized_in_one_query_at_most(demo, bn, django_assert_max_num_queries):
    events = list(EventPage.objects.filter(locale=demo.locale).select_related("category"))
    with django_assert_max_num_queries(1):
        localize_categories(events, bn)
    assert {e.category_in_locale.name for e in events} == {"ফোরাম", "প্রচারাভিযান", "কর্মশালা"}
    english_only = EventCategory.objects.create(name="Webinar", slug="webinar", locale=demo.locale)
    events[0].category = english_only
    localize_categories(events, bn)
    assert events[0].category_in_locale == english_only  # no translation: the source name


# iCalendar


def test_single_timed_event_downloads_as_icalendar_in_dhaka_time(client, demo):
    response = client.get(f"/en{FORUM}ical/")
    assert response["Content-Disposition"] == 'attachment; filename="business-forum-2022.ics"'
    calendar = parse_calendar(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] and calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Better Work Bangladesh Business Forum 2022"
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Dhaka"
    assert event.decoded("DTSTART") == at(2022, 11, 2, 9, 30)
    assert event.decoded("DTEND") == at(2022, 11, 3, 17)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Dhaka"]
    assert str(event["SUMMARY"]) == "Better Work Bangladesh Business Forum 2022"
    assert str(event["DESCRIPTION"]).startswith("About 400 people from government")
    assert str(event["LOCATION"]) == "Dhaka"
    assert str(event["URL"]) == f"{BASE}/en{FORUM}"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Forum"]
    page = EventPage.objects.get(locale=demo.locale, slug="business-forum-2022")
    assert str(event["UID"]) == f"{page.translation_key}-en@betterwork.example.org"
    assert event.decoded("DTSTAMP") == page.last_published_at.replace(microsecond=0)


def test_all_day_event_ends_the_day_after_its_last_day(client, demo):
    [event] = parse_calendar(client.get(f"/en{SIXTEEN_DAYS}ical/")).walk("VEVENT")
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTSTART") == datetime.date(2022, 11, 25)
    assert event.decoded("DTEND") == datetime.date(2022, 12, 11)  # exclusive: 10 December included
    assert str(event["LOCATION"]) == "Partner factories, Bangladesh"


def test_bangla_icalendar_is_in_bangla_with_its_own_uid(client, demo):
    [en] = parse_calendar(client.get(f"/en{SIXTEEN_DAYS}ical/")).walk("VEVENT")
    [bn] = parse_calendar(client.get(f"/bn{SIXTEEN_DAYS}ical/")).walk("VEVENT")
    assert str(bn["SUMMARY"]) == "জেন্ডারভিত্তিক সহিংসতার বিরুদ্ধে ১৬ দিনের প্রচারাভিযান ২০২২"
    assert bn["SUMMARY"].params["LANGUAGE"] == "bn"
    assert [str(c) for c in bn["CATEGORIES"].cats] == ["প্রচারাভিযান"]
    assert str(bn["URL"]) == f"{BASE}/bn{SIXTEEN_DAYS}"
    assert str(bn["UID"]) != str(en["UID"])
    assert str(bn["UID"]).split("-bn@")[0] == str(en["UID"]).split("-en@")[0]
    assert bn.decoded("DTEND") == en.decoded("DTEND")


def test_feed_has_every_live_event_of_its_language(client, demo, bn):
    index = EventIndexPage.objects.get(locale=demo.locale)
    add_event(index, "Draft event", at(2031, 1, 1, 10), live=False)
    response = client.get("/en/events/ical/")
    assert "attachment" not in response.get("Content-Disposition", "")
    calendar = parse_calendar(response)
    assert calendar["X-WR-CALNAME"] == "Better Work Bangladesh · Events"
    events = calendar.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(
        EventPage.objects.filter(locale=demo.locale).live().values_list("title", flat=True)
    )
    assert len(events) == 3
    assert len({str(e["UID"]) for e in events}) == 3
    assert all(str(e["URL"]).startswith(f"{BASE}/en/events/") for e in events)
    bn_calendar = parse_calendar(client.get("/bn/events/ical/"))
    assert bn_calendar["X-WR-CALNAME"] == "বেটার ওয়ার্ক বাংলাদেশ · আয়োজন"
    bn_uids = {str(e["UID"]) for e in bn_calendar.walk("VEVENT")}
    assert len(bn_uids) == 3 and bn_uids.isdisjoint(str(e["UID"]) for e in events)
    links = soup_of(client.get("/en/events/")).select('a[type="text/calendar"]')
    assert links[0]["href"] == "/en/events/ical/"


def test_event_without_end_or_place_is_still_valid_icalendar(client, empty_index):
    add_event(empty_index, "Open end", at(2031, 5, 5, 15))
    [event] = parse_calendar(client.get("/en/test-events/open-end/ical/")).walk("VEVENT")
    assert "DTEND" not in event and "LOCATION" not in event and "CATEGORIES" not in event
    assert event.decoded("DTSTART") == at(2031, 5, 5, 15)


def test_unknown_route_under_an_event_is_a_404(client, demo):
    assert client.get(f"/en{FORUM}nope/").status_code == 404
    assert client.get("/en/events/ical/nope/").status_code == 404


# Validation


def test_end_before_start_is_refused(demo):
    page = EventPage(
        title="Backwards",
        slug="backwards",
        summary="x",
        start=at(2031, 3, 2, 10),
        end=at(2031, 3, 2, 9),
    )
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "cannot end before it starts" in error.value.message_dict["end"][0]
    page.all_day = True  # all day: the same day is fine, only dates count
    page.clean()
    page.end = at(2031, 3, 1, 23)
    with pytest.raises(ValidationError):
        page.clean()
    page.all_day, page.end = False, page.start  # ending as it starts is allowed
    page.clean()


# Admin


class EventAdminTests(WagtailPageTestCase):
    """Officers create events sections and events in the admin; the page tree rules hold."""

    def setUp(self):
        assert self.client.login(username="admin", password=DEMO_PASSWORD)
        self.home = HomePage.objects.get(locale=Locale.get_default())
        self.index = EventIndexPage.objects.get(locale=self.home.locale)
        self.category = EventCategory.objects.get(slug="workshop", locale=self.home.locale)

    def test_page_tree_rules(self):
        self.assertCanCreateAt(HomePage, EventIndexPage)
        self.assertCanCreateAt(EventIndexPage, EventPage)
        self.assertCanNotCreateAt(HomePage, EventPage)
        self.assertCanNotCreateAt(EventPage, EventPage)
        self.assertAllowedSubpageTypes(EventPage, {})
        self.assertAllowedParentPageTypes(EventIndexPage, {HomePage})
        self.assertFalse(EventIndexPage.can_create_at(self.home))  # one per home page

    def event_data(self, **extra):
        story = Page.objects.get(locale=self.home.locale, slug="trade-unions-empowered-with-data")
        data = {
            "title": "Data for decent work: training of trainers",
            "slug": "data-training-of-trainers",
            "summary": "Union trainers learn to teach others how to use the transparency portal.",
            "start": "2031-03-12 10:00",
            "end": "2031-03-12 16:30",
            "venue": "ILO Country Office",
            "city": "Dhaka",
            "organiser": "Better Work Bangladesh",
            "category": self.category.pk,
            "registration_url": "https://example.org/register",
            "video_url": "",
            "hero_image_alt": "",
            "body": streamfield(
                [
                    ("heading", {"text": "What you will learn", "level": "h2"}),
                    ("paragraph", rich_text("<p>How to read a factory's public report.</p>")),
                ]
            ),
            "related_pages": inline_formset([{"related_page": story.pk}]),
            "comments": inline_formset([]),
        }
        data.update(extra)
        return nested_form_data(data)

    def test_officer_creates_an_event_entered_in_dhaka_time(self):
        self.assertCanCreate(self.index, EventPage, self.event_data())
        page = EventPage.objects.get(slug="data-training-of-trainers")
        self.assertTrue(page.live)
        self.assertEqual(page.start, at(2031, 3, 12, 10))
        self.assertEqual(page.start, datetime.datetime(2031, 3, 12, 4, tzinfo=datetime.UTC))
        self.assertEqual(page.category, self.category)
        self.assertEqual([b.block_type for b in page.body], ["heading", "paragraph"])
        self.assertEqual(
            page.related_pages.get().related_page.slug, "trade-unions-empowered-with-data"
        )
        soup = soup_of(self.client.get(page.url))
        self.assertEqual(soup.select_one("a.button")["href"], "https://example.org/register")
        self.assertEqual(
            soup.select_one(".event-when").get_text(" ", strip=True),
            "12 March 2031 , 10:00 AM to 4:30 PM",
        )
        upcoming = section_titles(soup_of(self.client.get("/en/events/")), "upcoming")
        self.assertEqual(upcoming, ["Data for decent work: training of trainers"])

    def test_new_event_can_be_previewed_before_it_is_saved(self):
        url = f"/admin/pages/add/events/eventpage/{self.index.pk}/preview/"
        response = self.client.post(url, self.event_data())
        self.assertEqual(response.json()["is_valid"], True)
        preview = self.client.get(url)
        self.assertContains(preview, "Data for decent work: training of trainers")
        self.assertContains(preview, "10:00 AM to 4:30 PM")
        self.assertFalse(EventPage.objects.filter(slug="data-training-of-trainers").exists())

    def test_existing_event_is_editable_and_previewable(self):
        page = EventPage.objects.get(locale=self.home.locale, slug="business-forum-2022")
        # Wagtail's StreamField editor is drawn by JavaScript, so the form data is given here.
        data = self.event_data(title=page.title, slug=page.slug, venue="Hotel ballroom")
        self.assertPageIsEditable(page, post_data=data)
        self.assertPageIsPreviewable(page, post_data=data)
        newest = page.revisions.order_by("-created_at", "-pk").first()
        self.assertEqual(newest.as_object().venue, "Hotel ballroom")

    def test_admin_refuses_an_end_before_the_start(self):
        url = f"/admin/pages/add/events/eventpage/{self.index.pk}/"
        response = self.client.post(
            url, self.event_data(end="2031-03-11 16:30", action_publish="1")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The event cannot end before it starts")
        self.assertFalse(EventPage.objects.filter(slug="data-training-of-trainers").exists())

    def test_officer_creates_an_events_section_under_a_new_home(self):
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title="Second site", slug="second-site", hero_heading="Second")
        )
        data = nested_form_data(
            {
                "title": "Calendar",
                "slug": "calendar",
                "intro": rich_text("<p>What is on.</p>", features=["bold", "italic", "link"]),
                "comments": inline_formset([]),
            }
        )
        self.assertCanCreate(home, EventIndexPage, data)
        index = EventIndexPage.objects.get(slug="calendar", path__startswith=home.path)
        self.assertTrue(index.live)
        self.assertPageIsRenderable(self.index, query_data={"year": "abc", "page": "x"})
        self.assertPageIsPreviewable(self.index)

    def test_categories_are_listed_and_filtered_by_language(self):
        url = "/admin/snippets/events/eventcategory/"
        response = self.client.get(url)
        self.assertContains(response, "Forum")
        self.assertContains(response, "ফোরাম")  # all languages
        self.assertContains(response, 'name="locale"')  # Wagtail's language filter
        filtered = self.client.get(url, {"locale": "bn"})
        self.assertContains(filtered, "ফোরাম")
        self.assertNotContains(filtered, "Forum")
        searched = self.client.get(url, {"locale": "en", "q": "work"})
        self.assertContains(searched, "Workshop")
        self.assertNotContains(searched, "Campaign")
        export = self.client.get(url, {"locale": "en", "export": "csv"})
        self.assertEqual(export.status_code, 200)
        rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
        self.assertEqual(rows[0], "Name,Slug,Locale")
        self.assertIn("Forum,forum,English", rows)


# Translations and demo content


def test_bangla_interface_catalogue_is_complete():
    from pathlib import Path

    import polib
    from django.conf import settings

    po = polib.pofile(str(Path(settings.BASE_DIR) / "events/locale/bn/LC_MESSAGES/django.po"))
    assert len(po) > 50
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_demo_has_bilingual_events_without_missing_bangla(demo, bn):
    output = SESSION.get("first_load_output", "")
    assert "EventPage 'Better Work Bangladesh Business Forum 2022'" in output
    assert "! no Bangla" not in output
    for locale in (demo.locale, bn):
        assert EventPage.objects.filter(locale=locale).live().count() == 3
        assert EventCategory.objects.filter(locale=locale).count() == 4
    bn_forum = EventPage.objects.get(locale=bn, slug="business-forum-2022")
    assert bn_forum.category.locale == bn and bn_forum.category.name == "ফোরাম"
    assert bn_forum.start == at(2022, 11, 2, 9, 30) and not bn_forum.all_day
    assert [r.related_page.slug for r in bn_forum.related_pages.all()] == [
        "strategy-2022-2027-launched",
        "better-work-in-2022",
    ]
    bn_index = EventIndexPage.objects.get(locale=bn)
    assert bn_index.numchild == bn_index.get_children().count() == 3
    assert bn_index.show_in_menus


def test_loading_the_events_demo_again_changes_nothing(demo, bn):
    lines = []
    counts = (Page.objects.count(), EventCategory.objects.count(), EventRelatedPage.objects.count())
    load_events_demo(demo, bn, lines.append)
    assert lines == []
    assert counts == (
        Page.objects.count(),
        EventCategory.objects.count(),
        EventRelatedPage.objects.count(),
    )


def test_event_page_queries_do_not_grow_with_related_pages(client, demo):
    """An event with one related story costs as many queries as one with four."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.models import EventRelatedPage
    from stories.models import StoryPage

    event = EventPage.objects.get(locale=demo.locale, slug="business-forum-2022")
    stories = list(StoryPage.objects.filter(locale=demo.locale).order_by("pk"))

    def queries(count):
        EventRelatedPage.objects.filter(page=event).delete()
        for story in stories[:count]:
            EventRelatedPage.objects.create(page=event, related_page=story)
        renew_fragments()  # the rows changed without a publish
        client.get(event.url)
        renew_fragments()  # the page rendered, not served from its fragments
        with CaptureQueriesContext(connection) as captured:
            response = client.get(event.url)
        cards = BeautifulSoup(response.content.decode(), "html.parser").select(
            ".event__related .card"
        )
        assert len(cards) == count
        assert all(card.img and card.img["alt"] for card in cards)
        return len(captured)

    assert queries(1) == queries(4)
