"""Reports in the admin: a send's report (figures per language side by side and in total, clicks
per link, clicks per day as an SVG chart), the list under Reports that compares issues over time
with CSV/XLSX export, and the latest send's summary on the dashboard.

Who: those who may watch sends (newsletter.admin.sends.may_watch_sends). Figures come from
newsletter.reports; numbers and dates are written in the admin's language (Bengali digits in bn).
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from website.exports import csv_safe
from website.formatting import format_date, format_number

from .. import reports
from ..models import LANGUAGE_CHOICES, Send, SendState
from .sends import may_watch_sends, send_url

REPORT = "newsletter_report"
REPORTS = "newsletter_reports"
ROWS = (
    ("recipients", gettext_lazy("Recipients")),
    ("delivered", gettext_lazy("Delivered")),
    ("bounced_hard", gettext_lazy("Bounced (hard)")),
    ("bounced_soft", gettext_lazy("Bounced (soft)")),
    ("complaints", gettext_lazy("Complaints")),
    ("unsubscribes", gettext_lazy("Unsubscribes")),
    ("opened", gettext_lazy("Opened (unreliable)")),
    ("clicked", gettext_lazy("Clicked")),
)


def percent(value):
    """A rate as the admin writes it: "12.5 %" (Bengali digits in bn), or a dash."""
    return "–" if value is None else f"{format_number(round(100 * value, 1))} %"


def language_names():
    return dict(LANGUAGE_CHOICES)


def chart(per_day, width=640, height=220):
    """A grouped bar chart of people's clicks per day (one bar per language), as the geometry an
    SVG template draws: bars, the y axis' ticks and the day labels, numbers in the admin's digits.
    """
    languages = list(per_day)
    days = max((len(values) for values in per_day.values()), default=0)
    top = max((value for values in per_day.values() for value in values), default=0)
    step = max(1, -(-top // 4))  # four ticks, whole numbers
    scale_top = step * 4
    left, bottom, plot_height = 40, height - 30, height - 50
    plot_width = width - left - 10
    group = plot_width / days if days else plot_width
    bar = group * 0.8 / max(len(languages), 1)
    colours = ["#2e5aa8", "#d9822b", "#3a8f5c", "#8a4baf"]
    bars = []
    for n, language in enumerate(languages):
        for day, value in enumerate(per_day[language]):
            bar_height = plot_height * value / scale_top
            bars.append(
                {
                    "x": round(left + day * group + group * 0.1 + n * bar, 1),
                    "y": round(bottom - bar_height, 1),
                    "width": round(bar, 1),
                    "height": round(bar_height, 1),
                    "colour": colours[n % len(colours)],
                    "label": f"{language_names().get(language, language)}: {format_number(value)}",
                }
            )
    ticks = [
        {"y": round(bottom - plot_height * i / 4, 1), "label": format_number(step * i)}
        for i in range(5)
    ]
    labels = [
        {"x": round(left + (day + 0.5) * group, 1), "label": format_number(day + 1)}
        for day in range(days)
    ]
    legend = [
        {"name": language_names().get(code, code), "colour": colours[n % len(colours)]}
        for n, code in enumerate(languages)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": bottom,
        "right": width - 10,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": legend,
    }


class WatchSendsMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_watch_sends(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SendReportView(WatchSendsMixin, WagtailAdminTemplateMixin, TemplateView):
    """A send's report."""

    template_name = "newsletter/admin/report.html"
    page_title = gettext_lazy("Newsletter report")
    header_icon = "doc-full"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.send = get_object_or_404(Send.objects.select_related("issue"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.send.issue.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(REPORTS), "label": _("Newsletter reports")},
            {"url": "", "label": self.page_title, "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.send_report(self.send)
        names = language_names()
        columns = [(code, names.get(code, code)) for code in report["languages"]]
        figures = [
            {
                "key": key,
                "label": label,
                "values": [format_number(report["languages"][c][key]) for c, _n in columns],
                "total": format_number(report["total"][key]),
            }
            for key, label in ROWS
            if key != "opened" or report["opens_tracked"]
        ]
        figures.append(
            {
                "key": "click_rate",
                "label": _("Click rate (clicked ÷ delivered)"),
                "values": [percent(report["languages"][c]["click_rate"]) for c, _n in columns],
                "total": percent(report["total"]["click_rate"]),
            }
        )
        links = [
            {
                "language": names.get(link.language, link.language),
                "title": link.title or link.url,
                "url": link.url,
                "page_language": names.get(link.page_language, link.page_language),
                "unique": format_number(link.unique),
                "total": format_number(link.total),
            }
            for link in report["links"]
        ]
        context.update(
            send=self.send,
            columns=columns,
            figures=figures,
            links=links,
            chart=chart(report["per_day"]),
            opens_tracked=report["opens_tracked"],
            send_url=send_url(self.send),
            started=format_date(self.send.started_at) if self.send.started_at else "",
        )
        return context


def comparison(sends):
    """The list's rows: per send, the click rate and figures per language and in total."""
    names = language_names()
    codes = [code for code, _name in LANGUAGE_CHOICES]
    rows = []
    for row in reports.issue_rows(sends):
        send = row["send"]
        rows.append(
            {
                "send": send,
                "issue": send.issue.title,
                "date": send.started_at,
                "shown_date": format_date(send.started_at) if send.started_at else "",
                "url": reverse(REPORT, args=[send.pk]),
                "languages": [
                    {
                        "code": code,
                        "name": names[code],
                        **row["languages"].get(
                            code, {"delivered": 0, "clicked": 0, "click_rate": None}
                        ),
                    }
                    for code in codes
                ],
                "total": row["total"],
            }
        )
    return rows


def export(rows, kind):
    """The comparison as CSV or XLSX, one line per send."""
    codes = [code for code, _name in LANGUAGE_CHOICES]
    header = [_("Issue"), _("Started")]
    for code in codes:
        header += [
            f"{_('Delivered')} ({code})",
            f"{_('Clicked')} ({code})",
            f"{_('Click rate')} ({code})",
        ]
    header += [_("Delivered"), _("Clicked"), _("Click rate")]
    lines = []
    for row in rows:
        line = [row["issue"], row["date"].strftime("%Y-%m-%d %H:%M") if row["date"] else ""]
        for language in row["languages"]:
            line += [language["delivered"], language["clicked"], language["click_rate"]]
        line += [row["total"]["delivered"], row["total"]["clicked"], row["total"]["click_rate"]]
        lines.append(line)
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Newsletter"
        sheet.append([str(cell) for cell in header])
        for line in lines:
            sheet.append([csv_safe(cell) if isinstance(cell, str) else cell for cell in line])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([str(cell) for cell in header])
        for line in lines:
            writer.writerow(["" if cell is None else csv_safe(cell) for cell in line])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="newsletter-reports.{kind}"'
    return response


class ReportIndexView(WatchSendsMixin, WagtailAdminTemplateMixin, TemplateView):
    """Reports → Newsletter: every started send, newest first, click rate per language."""

    template_name = "newsletter/admin/report_index.html"
    page_title = gettext_lazy("Newsletter reports")
    header_icon = "doc-full"

    def sends(self):
        return Send.objects.filter(started_at__isnull=False).select_related("issue")

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in ("csv", "xlsx"):
            return export(comparison(self.sends()), kind)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = comparison(self.sends())
        for row in rows:
            row["shown"] = [
                {"name": lang["name"], "rate": percent(lang["click_rate"]), **lang}
                for lang in row["languages"]
            ]
            row["shown_total"] = percent(row["total"]["click_rate"])
        context.update(
            rows=rows,
            languages=[name for _code, name in LANGUAGE_CHOICES],
            csv_url=f"{reverse(REPORTS)}?export=csv",
            xlsx_url=f"{reverse(REPORTS)}?export=xlsx",
        )
        return context


class LatestSendPanel(Component):
    """The latest send's summary on the dashboard: delivered and click rate per language."""

    name = "newsletter_latest_report"
    template_name = "newsletter/admin/home_report_panel.html"
    order = 95

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        if not may_watch_sends(request.user):
            return {}
        send = (
            Send.objects.filter(started_at__isnull=False)
            .exclude(state=SendState.SCHEDULED)
            .select_related("issue")
            .first()
        )
        if send is None:
            return {}
        [row] = comparison([send])
        return {
            "row": row,
            "languages": [
                {
                    "name": lang["name"],
                    "delivered": format_number(lang["delivered"]),
                    "rate": percent(lang["click_rate"]),
                }
                for lang in row["languages"]
            ],
            "total_rate": percent(row["total"]["click_rate"]),
            "total_delivered": format_number(row["total"]["delivered"]),
        }
