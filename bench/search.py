"""What the site search finds: Wagtail's database search backend as the site used it before
(`Page.objects.search(query, operator="and")`) beside website/search.py, on the query set of
website/demo/search_queries.py (Bangla inflected forms and English), over the demo content.

Builds a throw-away copy of the demo site: a SQLite file in a temporary folder, or a PostgreSQL
database `bench_search_<pid>` on BENCH_POSTGRES (dropped at the end) when DB=postgres. Prints, per
query, how many pages each finds and how many of the expected ones, then the totals.

    .venv/bin/python bench/search.py
    DB=postgres .venv/bin/python bench/search.py
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def main():
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="bench-search-")
    database = None
    if os.environ.get("DB") == "postgres":
        import psycopg

        database = f"bench_search_{os.getpid()}"
        admin_url = POSTGRES.replace("postgres://", "postgresql://", 1) + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"{POSTGRES}/{database}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    os.environ.setdefault("DEMO_PASSWORD", "bench-only-password")
    try:
        run(folder)
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{database}"')


def run(folder):
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DEMO_CREDENTIALS_FILE = Path(folder) / "demo-credentials.txt"
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_demo", stdout=quiet)

    from django.db import connection
    from wagtail.models import Locale, Page

    from website import search
    from website.demo.search_queries import QUERIES

    def path_of(page):
        return page.url_path.split("/", 2)[2]

    def before(query, locale):
        pages = Page.objects.live().public().filter(locale=locale)
        return [path_of(page) for page in pages.search(query, operator="and")]

    def after(query, locale):
        return [path_of(result.page) for result in search.search(query, locale)]

    print(f"Database: {connection.vendor}; {len(QUERIES)} queries")
    header = f"{'query':32} {'expected':>8} | {'before: found, expected':>24}"
    print(f"{header} | after: found, expected")
    totals = {"expected": 0, "before": 0, "after": 0, "wrong_before": 0, "wrong_after": 0}
    for language, query, expected, unexpected in QUERIES:
        locale = Locale.objects.get(language_code=language)
        old, new = before(query, locale), after(query, locale)
        hits_old, hits_new = len(set(expected) & set(old)), len(set(expected) & set(new))
        totals["expected"] += len(expected)
        totals["before"] += hits_old
        totals["after"] += hits_new
        totals["wrong_before"] += len(set(unexpected) & set(old))
        totals["wrong_after"] += len(set(unexpected) & set(new))
        label = f"{language}: {query}"
        print(
            f"{label:32} {len(expected):>8} | {len(old):>12} {hits_old:>11} |"
            f" {len(new):>6} {hits_new:>9}"
        )
    print(
        f"Expected pages found: before {totals['before']}/{totals['expected']},"
        f" after {totals['after']}/{totals['expected']}; pages that should not be found:"
        f" before {totals['wrong_before']}, after {totals['wrong_after']}"
    )


if __name__ == "__main__":
    main()
