"""Locale-aware formatting of numbers, figures and dates, in one place for pages and emails.

Babel knows Bengali month names and South Asian grouping (12,60,000; "12.6 লাখ") but writes Latin
digits, so Bangla output goes through `bengali_digits` last.
"""

import datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_compact_decimal, format_decimal
from django.utils import timezone, translation

BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")

# Multipliers of the units a statistics figure may carry ("1.26 million workers").
UNIT_MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


# CLDR spells two months with a long ী; the Bangla Academy and Bangladeshi publications write ি.
BANGLA_ACADEMY_MONTHS = {"জানুয়ারী": "জানুয়ারি", "ফেব্রুয়ারী": "ফেব্রুয়ারি"}


def current_language(language=None):
    """The language to format for: the one given, else the active one, reduced to `en`/`bn`."""
    return (language or translation.get_language() or "en").split("-")[0]


def bengali_digits(text):
    """Replace ASCII digits with Bengali digits (০-৯); everything else is left as it is."""
    return str(text).translate(BENGALI_DIGITS)


def localize_digits(text, language=None):
    """Bengali digits for Bangla, the text unchanged for any other language."""
    return bengali_digits(text) if current_language(language) == "bn" else str(text)


def date_text(value, pattern, language):
    """Babel's date in the given pattern, with the Bangla Academy's month spellings in Bangla."""
    text = babel_format_date(value, format=pattern, locale=language)
    if language == "bn":
        for cldr, academy in BANGLA_ACADEMY_MONTHS.items():
            text = text.replace(cldr, academy)
    return text


def format_number(value, language=None):
    """A plain number with the locale's grouping: 1,916 / ১,৯১৬; 1260000 / ১২,৬০,০০০."""
    if value is None or value == "":
        return ""
    language = current_language(language)
    return localize_digits(format_decimal(Decimal(str(value)), locale=language), language)


def format_figure(value, unit="", language=None):
    """A statistic as people write it: "50%", "1.26 million"; in Bangla "৫০%", "১২.৬ লাখ".

    English keeps the figure as the editor wrote it. Bangla re-expresses thousands and millions in
    the South Asian units (হাজার, লাখ, কোটি) that readers expect.
    """
    if value is None or value == "":
        return ""
    language = current_language(language)
    number = Decimal(str(value))
    if unit == "%":
        return f"{format_number(number, language)}%"
    multiplier = UNIT_MULTIPLIERS.get(unit)
    if not multiplier:
        text = format_number(number, language)
        return f"{text} {unit}".strip() if unit else text
    if language == "en":
        return f"{format_number(number, language)} {unit}"
    compact = format_compact_decimal(
        number * multiplier, locale=language, format_type="long", fraction_digits=2
    )
    return localize_digits(compact, language)


def format_date(value, language=None):
    """A long date: "2 November 2022" / "২ নভেম্বর ২০২২"."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    language = current_language(language)
    return localize_digits(date_text(value, "d MMMM y", language), language)


def format_month(value, language=None):
    """A month and year: "December 2022" / "ডিসেম্বর ২০২২"."""
    if not value:
        return ""
    language = current_language(language)
    return localize_digits(date_text(value, "LLLL y", language), language)


def format_file_size(size, language=None):
    """A file's size for a download link: "1.4 MB", "১.৪ MB"; "820 KB" under a megabyte."""
    language = current_language(language)
    if size >= 1_000_000:
        number = format_decimal(Decimal(size) / 1_000_000, format="#,##0.0", locale=language)
        return localize_digits(f"{number} MB", language)
    return localize_digits(f"{max(1, round(size / 1000))} KB", language)


def _as_local_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date_range(start, end=None, language=None):
    """A range of days, sharing what the two ends share.

    "2–3 November 2022", "25 November – 10 December 2022", "2 March 2022 – 3 January 2023";
    in Bangla "২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২". A missing or same-day end gives one date.
    Datetimes are taken in the site's time zone (Asia/Dhaka).
    """
    if not start:
        return ""
    language = current_language(language)
    start, end = _as_local_date(start), _as_local_date(end) if end else None
    if not end or end == start:
        return format_date(start, language)

    def fmt(day, pattern):
        return date_text(day, pattern, language)

    if (start.year, start.month) == (end.year, end.month):
        text = f"{fmt(start, 'd')}–{fmt(end, 'd MMMM y')}"
    elif start.year == end.year:
        text = f"{fmt(start, 'd MMMM')} – {fmt(end, 'd MMMM y')}"
    else:
        text = f"{fmt(start, 'd MMMM y')} – {fmt(end, 'd MMMM y')}"
    return localize_digits(text, language)


def format_datetime(value, language=None):
    """A moment for the admin, in the site's time zone (Asia/Dhaka), in a form nobody reads the
    wrong way round: "3 Dec 2026, 13:43" / "৩ ডিসেম্বর ২০২৬, ১৩:৪৩" (Bangla's short month names are
    not in common use, so Bangla writes the month in full)."""
    if not value:
        return ""
    language = current_language(language)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    day = date_text(value.date(), "d MMMM y" if language == "bn" else "d MMM y", language)
    return localize_digits(f"{day}, {value:%H:%M}", language)


def format_time(value, language=None):
    """A time of day in the site's time zone: "9:30 AM" / "সকাল ৯:৩০"."""
    if not value:
        return ""
    language = current_language(language)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).time() if timezone.is_aware(value) else value.time()
    pattern = "B h:mm" if language == "bn" else "h:mm a"
    return localize_digits(babel_format_time(value, format=pattern, locale=language), language)
