"""Numbers, figures and dates per language: Bengali digits and lakh/crore in Bangla."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from website.formatting import bengali_digits, format_date, format_figure, format_number


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
