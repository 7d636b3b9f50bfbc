"""What every export of the newsletter's admin shares (website.exports: formulas, BOM)."""

from website.exports import SafeSpreadsheetMixin, csv_safe, csv_unsafe

__all__ = ["SafeSpreadsheetMixin", "csv_safe", "csv_unsafe"]
