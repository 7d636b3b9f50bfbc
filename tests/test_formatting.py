"""Numbers, figures and dates per language: Bengali digits and lakh/crore in Bangla."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from website.formatting import (
    bengali_digits,
    format_date,
    format_date_range,
    format_datetime,
    format_figure,
    format_number,
    format_time,
)


@pytest.mark.parametrize(
    ("value", "unit", "english", "bangla"),
    [
        ("1.26", "million", "1.26 million", "১২.৬ লাখ"),
        ("1916", "", "1,916", "১,৯১৬"),
        ("50", "%", "50%", "৫০%"),
        ("55", "%", "55%", "৫৫%"),
        ("437", "", "437", "৪৩৭"),
        ("181740", "", "181,740", "১,৮১,৭৪০"),
        ("4", "million", "4 million", "৪০ লাখ"),
        ("12", "million", "12 million", "১.২ কোটি"),
        ("5.911", "thousand", "5.911 thousand", "৫.৯১ হাজার"),
    ],
)
def test_figures(value, unit, english, bangla):
    assert format_figure(Decimal(value), unit, "en") == english
    assert format_figure(Decimal(value), unit, "bn") == bangla


def test_numbers_use_south_asian_grouping_in_bangla():
    assert format_number(1260000, "bn") == "১২,৬০,০০০"
    assert format_number(1260000, "en") == "1,260,000"
    assert format_number(None, "bn") == ""


def test_dates_use_bengali_month_names_and_digits():
    day = datetime.date(2022, 11, 2)
    assert format_date(day, "bn") == "২ নভেম্বর ২০২২"
    assert format_date(day, "en") == "2 November 2022"
    assert format_date(datetime.datetime(2022, 12, 10, 18, 0), "bn") == "১০ ডিসেম্বর ২০২২"


def test_bengali_digits_leaves_other_text_alone():
    assert bengali_digits("Dhaka-1207, 3rd") == "Dhaka-১২০৭, ৩rd"


def test_template_tags_follow_the_active_language():
    template = Template(
        "{% load website_tags %}"
        "{% figure value unit %}|{{ count|local_number }}|{{ day|local_date }}"
    )
    context = Context(
        {
            "value": Decimal("1.26"),
            "unit": "million",
            "count": 1916,
            "day": datetime.date(2022, 11, 2),
        }
    )
    with translation.override("bn"):
        assert template.render(context) == "১২.৬ লাখ|১,৯১৬|২ নভেম্বর ২০২২"
    with translation.override("en"):
        assert template.render(context) == "1.26 million|1,916|2 November 2022"


@pytest.mark.parametrize(
    ("start", "end", "english", "bangla"),
    [
        ((2022, 11, 2), (2022, 11, 3), "2–3 November 2022", "২–৩ নভেম্বর ২০২২"),
        (
            (2022, 11, 25),
            (2022, 12, 10),
            "25 November – 10 December 2022",
            "২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২",
        ),
        ((2022, 3, 2), (2023, 1, 3), "2 March 2022 – 3 January 2023", "২ মার্চ ২০২২ – ৩ জানুয়ারি ২০২৩"),
        ((2022, 11, 2), (2022, 11, 2), "2 November 2022", "২ নভেম্বর ২০২২"),
        ((2022, 11, 2), None, "2 November 2022", "২ নভেম্বর ২০২২"),
    ],
)
def test_date_ranges(start, end, english, bangla):
    start = datetime.date(*start)
    end = datetime.date(*end) if end else None
    assert format_date_range(start, end, "en") == english
    assert format_date_range(start, end, "bn") == bangla


def test_datetimes_are_shown_in_dhaka_time():
    # 18:00 UTC on 24 November is past midnight in Dhaka (UTC+6): 25 November, 12:00 AM
    moment = datetime.datetime(2022, 11, 24, 18, 30, tzinfo=datetime.UTC)
    assert format_date_range(moment, None, "en") == "25 November 2022"
    assert format_time(moment, "en") == "12:30 AM"
    assert format_time(datetime.time(9, 30), "bn") == "সকাল ৯:৩০"


@pytest.mark.parametrize(
    ("month", "spelling"), [(1, "জানুয়ারি"), (2, "ফেব্রুয়ারি"), (3, "মার্চ"), (12, "ডিসেম্বর")]
)
def test_bangla_months_use_the_bangla_academy_spelling(month, spelling):
    # CLDR writes জানুয়ারী/ফেব্রুয়ারী; Bangladeshi publications and the Bangla Academy write -ি.
    from website.formatting import format_month

    day = datetime.date(2023, month, 5)
    assert format_date(day, "bn") == f"৫ {spelling} ২০২৩"
    assert format_month(day, "bn") == f"{spelling} ২০২৩"
    assert spelling in format_date_range(day, day + datetime.timedelta(days=40), "bn")
    turn_of_month = format_date_range(datetime.date(2023, 1, 30), datetime.date(2023, 2, 2), "bn")
    assert "ী " not in turn_of_month


def test_admin_datetimes_cannot_be_read_day_for_month():
    """The admin's moments: "3 Dec 2026, 13:43", never "12/03/2026 1:43 p.m." (which a Dhaka
    reader takes for 12 March); Bengali digits and month in Bangla; always in Dhaka time."""
    moment = datetime.datetime(2026, 12, 3, 7, 43, tzinfo=datetime.UTC)  # 13:43 in Dhaka
    assert format_datetime(moment, "en") == "3 Dec 2026, 13:43"
    assert format_datetime(moment, "bn") == "৩ ডিসেম্বর ২০২৬, ১৩:৪৩"
    assert format_datetime(datetime.datetime(2027, 1, 9, 18, 5, tzinfo=datetime.UTC), "bn") == (
        "১০ জানুয়ারি ২০২৭, ০০:০৫"
    )
    assert format_datetime(None) == ""
    with translation.override("bn"):
        shown = Template("{% load website_tags %}{{ at|local_datetime }}").render(
            Context({"at": moment})
        )
    assert shown == "৩ ডিসেম্বর ২০২৬, ১৩:৪৩"
