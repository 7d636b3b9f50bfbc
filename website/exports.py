"""Spreadsheet exports that are safe to open: Wagtail's CSV and XLSX exports with formulas
neutralised in every text cell and a UTF-8 byte order mark, so that Excel shows Bangla names.

A spreadsheet runs a cell as a formula when it starts with = + - or @, also after leading spaces
or a no-break space, and, where the list separator is `;` or a tab, after either inside a cell
(the cell is split there). Each such start gets a `'`, which spreadsheets show as text;
`csv_unsafe` undoes it for the project's own imports, so an export imports back unchanged.
"""

import re

from wagtail.admin.views.reports.audit_logging import LogEntriesView

FORMULA_START = re.compile(r"(^|[;\t\r\n])([ \u00a0]*)(?=[=+\-@])")
NEUTRALISED_START = re.compile(r"(^|[;\t\r\n])([ \u00a0]*)'(?=[=+\-@])")
BOM = "\ufeff"


def csv_safe(value):
    """`value` as text no spreadsheet runs as a formula."""
    value = "" if value is None else str(value)
    return FORMULA_START.sub(r"\1\2'", value)


def csv_unsafe(value):
    """The value `csv_safe` was given (for re-importing the project's own exports)."""
    return NEUTRALISED_START.sub(r"\1\2", value or "")


class SafeSpreadsheetMixin:
    """For a Wagtail index view with SpreadsheetExportMixin: every CSV text cell through
    `csv_safe`, and the CSV starts with a UTF-8 BOM (XLSX cells are typed as text by Wagtail)."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return csv_safe(value)
        return value

    def stream_csv(self, queryset):
        yield BOM
        yield from super().stream_csv(queryset)


class SiteHistoryView(SafeSpreadsheetMixin, LogEntriesView):
    """Reports → Site history, whose export names subscribers by their address."""
