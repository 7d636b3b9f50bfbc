"""Time to compose both editions (English and Bangla) of a 20-item newsletter issue.

Loads the demo into a throw-away SQLite database and gives the December 2022 issue, in memory, a
body of 16 featured items, a list of 4 items (news, stories and events in the edition's language)
and one statistics block. After WARMUP renders of each edition (templates, site root paths,
renditions), each of REPS repetitions renders the English edition then the Bangla one with
`render_edition`, from the raw body each time, as an issue loaded from the database would be.
For each edition: median and p90 time, the share of `compile_mjml` (mjml2html, attribute unescaping
and line wrapping) and of `mjml.mjml2html` alone, SQL queries, and the HTML part's size as sent.

Then the print edition (`newsletter.printing.render_print`) of the demo issue as it is, in each
language: median time of PDF_REPS renders after one warm-up (which makes the print renditions),
pages and size, beside the same issue's e-mail edition; targets 3 s per edition and 3 MB.

    .venv/bin/python bench/compose.py            # or: make bench
    REPS=100 .venv/bin/python bench/compose.py
"""

import copy
import os
import shutil
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPS = int(os.environ.get("REPS", "30"))
WARMUP = int(os.environ.get("WARMUP", "3"))
FEATURED, LISTED = 16, 4
TARGET_MS = 200  # both editions of a 20-item issue, after warm-up
PDF_REPS = int(os.environ.get("PDF_REPS", "5"))
PDF_TARGET_MS = 3000  # the demo issue's print edition, per edition
PDF_TARGET_BYTES = 3_000_000


def setup_django(workdir):
    os.environ.pop("DATABASE_URL", None)  # always a throw-away SQLite file, never a real database
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    os.environ.setdefault("DEMO_PASSWORD", "bench-only-password")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())


def issues():
    """The demo's December 2022 issue in English and Bangla, each with a 20-item body (raw)."""
    from wagtail.models import Locale

    from events.models import EventPage
    from newsletter.models import NewsletterIssuePage
    from stories.models import NewsPage, StoryPage

    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    bn = en.get_translation(Locale.objects.get(language_code="bn"))
    sources = [
        page
        for model in (NewsPage, StoryPage, EventPage)
        for page in model.objects.live().filter(locale=en.locale).order_by("path")
    ]
    out = []
    for issue in (en, bn):
        pages = [page.get_translation(issue.locale) for page in sources]
        stats = next(block for block in issue.body.raw_data if block["type"] == "statistics")
        body = [
            {"type": "featured_item", "value": {"page": pages[i % len(pages)].pk}}
            for i in range(FEATURED)
        ]
        body.insert(2, {"type": "statistics", "value": copy.deepcopy(stats["value"])})
        listed = [pages[(FEATURED + i) % len(pages)].pk for i in range(LISTED)]
        body.append({"type": "item_list", "value": {"heading": "", "pages": listed}})
        out.append((issue, body))
    return out


class Stopwatch:
    """Wraps a function; keeps the seconds of every call."""

    def __init__(self, function):
        self.function, self.calls = function, []

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.calls.append(time.perf_counter() - start)


def p90(values):
    return statistics.quantiles(values, n=10)[8]


def main():
    workdir = Path(tempfile.mkdtemp(prefix="bwb-compose-bench-"))
    try:
        setup_django(workdir)
        import mjml
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from newsletter import editions

        subjects = issues()

        def render(issue, body):
            issue.body = copy.deepcopy(body)  # as loaded: page and image choices not yet fetched
            start = time.perf_counter()
            edition = editions.render_edition(issue)
            return edition, time.perf_counter() - start

        for _ in range(WARMUP):
            for issue, body in subjects:
                render(issue, body)

        rows = {}
        for issue, body in subjects:
            with CaptureQueriesContext(connection) as captured:
                edition, _ = render(issue, body)
            rows[edition.language] = {
                "queries": len(captured),
                "bytes": edition.html_size,
                "notes": len(edition.notes),
                "total": [],
                "compile": [],
                "mjml2html": [],
            }

        compile_watch = Stopwatch(editions.compile_mjml)
        mjml_watch = Stopwatch(mjml.mjml2html)
        editions.compile_mjml, mjml.mjml2html = compile_watch, mjml_watch
        both = []
        try:
            for _ in range(REPS):
                pair = 0.0
                for issue, body in subjects:
                    edition, seconds = render(issue, body)
                    row = rows[edition.language]
                    row["total"].append(seconds)
                    row["compile"].append(compile_watch.calls[-1])
                    row["mjml2html"].append(mjml_watch.calls[-1])
                    pair += seconds
                both.append(pair)
        finally:
            editions.compile_mjml, mjml.mjml2html = compile_watch.function, mjml_watch.function

        python = sys.version.split()[0]
        print(
            f"{FEATURED + LISTED}-item issue ({FEATURED} featured, a list of {LISTED}, "
            f"1 statistics block), {REPS} runs after {WARMUP} warm-up, SQLite, Python {python}"
        )
        header = (
            f"{'edition':<8} {'median ms':>9} {'p90 ms':>7} {'compile ms':>10} {'share':>6} "
            f"{'mjml2html':>9} {'share':>6} {'queries':>7} {'HTML bytes':>10} {'notes':>5}"
        )
        print(header)
        print("-" * len(header))
        for language, row in rows.items():
            total = sum(row["total"])
            print(
                f"{language:<8} {statistics.median(row['total']) * 1000:>9.1f} "
                f"{p90(row['total']) * 1000:>7.1f} "
                f"{statistics.median(row['compile']) * 1000:>10.1f} "
                f"{sum(row['compile']) / total:>6.0%} "
                f"{statistics.median(row['mjml2html']) * 1000:>9.1f} "
                f"{sum(row['mjml2html']) / total:>6.0%} "
                f"{row['queries']:>7} {row['bytes']:>10,} {row['notes']:>5}"
            )
        median_both, p90_both = statistics.median(both) * 1000, p90(both) * 1000
        print(f"{'both':<8} {median_both:>9.1f} {p90_both:>7.1f}")
        verdict = "within" if median_both < TARGET_MS else "OVER"
        print(
            f"compose: {verdict} the {TARGET_MS} ms target for both editions of a "
            f"{FEATURED + LISTED}-item issue (median {median_both:.1f} ms, p90 {p90_both:.1f} ms)"
        )
        print_editions(subjects)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_editions(subjects):
    """The demo issue's print edition beside its e-mail edition, per language."""
    from newsletter import editions, printing

    print(f"\nprint edition of the demo issue (as published), {PDF_REPS} runs after 1 warm-up")
    header = (
        f"{'edition':<8} {'e-mail ms':>9} {'PDF ms':>7} {'p90 ms':>7} {'pages':>5} "
        f"{'PDF bytes':>10} {'HTML bytes':>10}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for issue, _body in subjects:
        issue.refresh_from_db()  # the demo body, not the bench's 20 items
        printing.render_print(issue)  # warm-up: print renditions, fonts
        start = time.perf_counter()
        edition = editions.render_edition(issue)
        mail_ms = (time.perf_counter() - start) * 1000
        times = []
        for _ in range(PDF_REPS):
            start = time.perf_counter()
            printed = printing.render_print(issue)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        worst = max(worst, median)
        slow = p90(times) * 1000 if len(times) > 1 else median
        print(
            f"{printed.language:<8} {mail_ms:>9.1f} {median:>7.0f} {slow:>7.0f} "
            f"{printed.pages:>5} {printed.size:>10,} {edition.html_size:>10,}"
        )
        if printed.size >= PDF_TARGET_BYTES:
            print(f"print: OVER the {PDF_TARGET_BYTES:,}-byte target ({printed.language})")
    verdict = "within" if worst < PDF_TARGET_MS else "OVER"
    print(f"print: {verdict} the {PDF_TARGET_MS} ms target per edition (slowest {worst:.0f} ms)")


if __name__ == "__main__":
    main()
