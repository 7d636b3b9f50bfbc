"""Date formats of Django's `date` filter when no format is given, which Wagtail's admin uses
(the tooltips of "2 days ago", history, reports): day first and a 24-hour clock in both
languages, "3 Dec 2026, 13:43" / "৩ ডিসে. ২০২৬, ১৩:৪৩" (Bengali digits from
website/admin_language.py), never Django's "Dec. 3, 2026, 1:43 p.m." or "12/03/2026". Only the
output formats: what forms accept stays Django's. The site's pages format dates themselves
(website/formatting.py)."""
