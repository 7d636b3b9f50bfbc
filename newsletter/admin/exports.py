"""What every CSV export of the newsletter's admin shares."""


def csv_safe(value):
    """Spreadsheets run cells starting with = + - @ as formulas: make them plain text."""
    value = "" if value is None else str(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
