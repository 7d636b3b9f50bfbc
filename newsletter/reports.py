"""A send's report: what happened to each issue, per language and in total, from the ledger and
the clicks (docs/reports.md says what each figure means and what is left out).

- `send_report(send)`: recipients, delivered, bounced (hard, soft), complaints, unsubscribes
  attributed to the issue, opens, people who clicked and the click rate (clicked / delivered),
  per language and in total; each link's unique and total clicks; people's clicks per day over
  the first days.
- `issue_rows(sends)`: one row per send for the list that compares issues over time.
Nothing here writes: the figures are counted when asked for (a few grouped queries).
"""

import dataclasses
from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from wagtail.models import Page

from .clicks import link_counts
from .links import OPEN_PLACEHOLDER
from .models import BOTH, LANGUAGE_CHOICES, Click, Delivery, DeliveryStatus

CHART_DAYS = 7  # clicks over the first week

FIGURES = (
    "recipients",
    "delivered",
    "bounced_hard",
    "bounced_soft",
    "complaints",
    "unsubscribes",
    "opened",
    "clicked",
)


@dataclasses.dataclass
class Link:
    language: str
    position: int
    url: str
    title: str
    page_language: str
    unique: int
    total: int


def language_figures(send):
    """{language: {figure: count}} from the ledger, in one grouped query."""
    rows = (
        Delivery.objects.filter(send=send)
        .values("language")
        .annotate(
            recipients=Count("pk"),
            delivered=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
            bounced_hard=Count("pk", filter=Q(bounce="hard")),
            bounced_soft=Count("pk", filter=Q(bounce="soft")),
            complaints=Count("pk", filter=Q(complained_at__isnull=False)),
            unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
    )
    return {row.pop("language"): row for row in rows}


def rate(part, whole):
    return part / whole if whole else None


def with_rates(row):
    return {
        **row,
        "click_rate": rate(row["clicked"], row["delivered"]),
        "open_rate": rate(row["opened"], row["delivered"]),
    }


def ordered_languages(codes):
    order = [code for code, _name in LANGUAGE_CHOICES]
    return sorted(codes, key=lambda code: order.index(code) if code in order else 99)


def links(send):
    """Every tracked link of the send with its clicks, most clicked first."""
    counts = link_counts(send)
    frozen = {language: data.get("links", []) for language, data in (send.editions or {}).items()}
    pages = {
        page.pk: page
        for page in Page.objects.filter(
            pk__in=[link["page"] for items in frozen.values() for link in items if link["page"]]
        ).select_related("locale")
    }
    result = []
    for language, items in frozen.items():
        for position, link in enumerate(items):
            page = pages.get(link["page"])
            count = counts.get((language, position), {"unique": 0, "total": 0})
            result.append(
                Link(
                    language=language,
                    position=position,
                    url=link["url"],
                    title=page.title if page else "",
                    page_language=page.locale.language_code if page else "",
                    **count,
                )
            )
    return sorted(result, key=lambda x: (-x.unique, -x.total, x.language, x.position))


def clicks_per_day(send, days=CHART_DAYS):
    """{language: [people's clicks on day 1, day 2, ...]} since the send started."""
    start = send.started_at or send.created_at
    first_day = timezone.localtime(start).date()
    languages = set(send.editions or {}) - {BOTH}  # readers of both: only if they clicked
    result = {language: [0] * days for language in ordered_languages(languages)}
    rows = (
        Click.objects.filter(send=send, at__lt=start + timedelta(days=days))
        .by_people()
        .annotate(day=TruncDate("at"))
        .values("language", "day")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        index = (row["day"] - first_day).days
        if 0 <= index < days:
            result.setdefault(row["language"], [0] * days)[index] += row["n"]
    return result


def send_report(send):
    """Everything the report page shows, as plain numbers (formatting is the page's job)."""
    figures = language_figures(send)
    # The bilingual edition's column only when readers of both are in the ledger.
    languages = ordered_languages(set(figures) | (set(send.editions or {}) - {BOTH}))
    empty = dict.fromkeys(FIGURES, 0)
    per_language = {code: with_rates(figures.get(code, empty)) for code in languages}
    total = {key: sum(figures.get(code, empty)[key] for code in languages) for key in FIGURES}
    per_day = clicks_per_day(send)
    return {
        "languages": per_language,
        "total": with_rates(total),
        "links": links(send),
        "per_day": {code: per_day.get(code, [0] * CHART_DAYS) for code in languages},
        "opens_tracked": any(
            OPEN_PLACEHOLDER in data.get("html", "") for data in (send.editions or {}).values()
        ),
    }


def issue_rows(sends):
    """One row per send for comparing issues: figures and click rate per language and in all."""
    rows = []
    for send in sends:
        figures = language_figures(send)
        row = {"send": send, "languages": {}}
        for code in ordered_languages(figures):
            row["languages"][code] = with_rates(figures[code])
        total = {key: sum(f[key] for f in figures.values()) for key in FIGURES}
        row["total"] = with_rates(total)
        rows.append(row)
    return rows
