"""How long the admin takes on the demo's largest page and issue, and where the time goes.

Issue 21 measured, in Chromium on these machines: the page editor 2-4.7 s to open, listings
1-2.7 s, publishing about 2 s, submitting a translation 3.9 s; the target is under 1 s each. This
bench times the server's part of each (the request through Django's test client, as `make run`
serves it: development settings, tasks queued for the worker) on a throw-away copy of the demo
(SQLite in a temporary folder, media there too):

- open the editor: the largest English page (by body size) and the largest issue, as an officer;
  the Bangla page's translation editor, as the translator;
- listings: the explorer of the largest section, Newsletter → Issues, Subscribers (2,000 of them),
  the page search, the translation status report;
- publish: the Bangla page from the translation editor (the translator's Publish, a real POST),
  and the English page and issue as Wagtail's edit view does after its form (a revision, then
  `publish()`), each with its on-commit work;
- submit a translation: wagtail-localize's "Translate this page" (POST) of a fresh copy of the
  largest page into Bangla.

Per action: the median and slowest of REPS runs after one warm-up, SQL queries and their time;
then, for each action over TARGET_MS (else the three slowest), where its time goes: a cProfile of
one run grouped by package (SQL, templates, Wagtail admin, wagtail-localize, search index, ...)
and its heaviest functions.

Then the same pages in Chromium (when installed) against `manage.py runserver` on that database,
as an officer and the translator would wait for them: the server's time to the first byte, the
HTML received, DOMContentLoaded (the admin's scripts run: StreamField, Draftail, the translation
editor's React app), the load event, and the first load in a fresh browser (files and size);
then the time from clicking Publish (English page; Bangla translation) and "Translate this page"
to the next page loaded.

    .venv/bin/python bench/admin.py        # or: make bench
    REPS=10 .venv/bin/python bench/admin.py
"""

import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPS = int(os.environ.get("REPS", "5"))
TARGET_MS = 1000
SUBSCRIBERS = 2000
PASSWORD = "bench-only-password"  # noqa: S105 (a throw-away database)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Where the time goes: the first prefix of a function's file that matches names its part
PARTS = [
    ("sql", ("django/db/backends", "sqlite3", "psycopg")),
    ("django templates", ("django/template",)),
    ("wagtail-localize", ("wagtail_localize",)),
    ("search index", ("wagtail/search",)),
    ("images", ("wagtail/images", "willow", "PIL")),
    ("wagtail admin", ("wagtail/admin", "wagtail/snippets", "wagtail/users")),
    ("wagtail blocks", ("wagtail/blocks", "wagtail/fields", "wagtail/rich_text", "telepath")),
    ("wagtail core", ("wagtail/",)),
    ("django forms", ("django/forms",)),
    ("django orm", ("django/db/",)),
    ("django other", ("django/",)),
    ("project", ("website/", "stories/", "events/", "newsletter/")),
]


def setup_django(folder):
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["VAR_DIR"] = str(folder)
    os.environ["MEDIA_ROOT"] = str(Path(folder) / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.dev"
    os.environ["DEMO_PASSWORD"] = PASSWORD
    os.environ["LOG_LEVEL"] = "WARNING"  # no line per purged page
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_demo", stdout=quiet)


class Queries:
    """Counts the SQL queries run and their time (Django's execute_wrapper)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


@contextmanager
def on_commit_run():
    """Run the work queued for the end of the transaction, as a request's commit would: the
    test client's requests run outside any transaction here, so this only matters to the
    model-level publish."""
    from django.db import transaction

    with transaction.atomic():
        yield


def measure(action, reps=REPS):
    """(times in ms, queries, SQL ms) of `action` after one warm-up run."""
    from django.db import connection

    action()
    times, queries, sql = [], [], []
    for _ in range(reps):
        counter = Queries()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count)
        sql.append(counter.seconds * 1000)
    return times, statistics.median(queries), statistics.median(sql)


def where_time_goes(action):
    """cProfile of one run: {part: seconds} by the file each function's own time is spent in,
    and the heaviest functions by cumulative time outside Python's and Django's plumbing."""
    profile = cProfile.Profile()
    profile.enable()
    action()
    profile.disable()
    stats = pstats.Stats(profile)
    parts = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        parts[part_of(filename)] += own
    heaviest = sorted(
        (
            (cumulative, f"{short(filename)}:{name}")
            for (filename, _line, name), (_cc, _nc, _own, cumulative, _callers) in (
                stats.stats.items()
            )
            if any(p in filename for p in ("wagtail", "website/", "stories/", "newsletter/"))
        ),
        reverse=True,
    )
    total = sum(parts.values())
    return parts, [(cum, name) for cum, name in heaviest if cum < 0.9 * total][:8]


def part_of(filename):
    for part, prefixes in PARTS:
        if any(prefix in filename for prefix in prefixes):
            return part
    return "python"


def short(filename):
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def client_for(username, language):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password=PASSWORD)
    return client


def largest(pages):
    return max(pages, key=lambda page: len(str(page.body.raw_data)))


def get(client, url):
    def action():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return action


def main():
    folder = tempfile.mkdtemp(prefix="bench-admin-")
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder):
    setup_django(folder)
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from wagtail.models import Locale, Page

    from newsletter.models import NewsletterIssuePage, Subscriber
    from website.models import ContentPage

    en = Locale.objects.get(language_code="en")
    bn = Locale.objects.get(language_code="bn")
    page = largest(Page.objects.filter(locale=en).type(ContentPage).specific())
    issue = largest(NewsletterIssuePage.objects.filter(locale=en))
    bn_page = page.get_translation(bn)
    section = page.get_parent()
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.org",
            source="import",
            language="bn" if n % 3 else "en",
            status="subscribed",
        )
        for n in range(SUBSCRIBERS)
    )
    officer = client_for("officer", "en")
    translator = client_for("translator", "en")  # the demo translator's admin is Bangla
    User = get_user_model()
    officer_user = User.objects.get(username="officer")
    print(
        f"Largest page: {page.title!r} ({len(str(page.body.raw_data)):,} characters of body, "
        f"{len(page.body)} blocks); largest issue: {issue.title!r} ({len(issue.body)} blocks); "
        f"{SUBSCRIBERS:,} subscribers; REPS={REPS}; development settings, SQLite."
    )

    copies = []

    def fresh_copy():
        copy = page.copy(
            to=section,
            update_attrs={"slug": f"bench-copy-{len(copies)}", "title": f"{page.title} (copy)"},
            keep_live=False,
        )
        copy.save_revision(user=officer_user).publish(user=officer_user)
        copies.append(copy)
        return copy

    untranslated = [fresh_copy() for _ in range(REPS + 2)]  # published, never translated

    def submit_translation():
        url = reverse("wagtail_localize:submit_page_translation", args=[untranslated.pop().pk])
        response = officer.post(url, {"locales": [bn.pk]})
        assert response.status_code == 302, response.status_code

    def publish_model(target):
        def action():
            with on_commit_run():
                target.save_revision(user=officer_user).publish(user=officer_user)

        return action

    def publish_translation():
        response = translator.post(f"/admin/pages/{bn_page.pk}/edit/", {"action": "publish"})
        assert response.status_code == 302, response.status_code

    page_editor = f"/admin/pages/{page.pk}/edit/"
    translation_editor = f"/admin/pages/{bn_page.pk}/edit/"
    issue_editor = f"/admin/pages/{issue.pk}/edit/"
    actions = [
        ("editor: largest English page (officer)", get(officer, page_editor)),
        ("editor: its translation (translator)", get(translator, translation_editor)),
        ("editor: largest issue (officer)", get(officer, issue_editor)),
        ("listing: explorer of its section", get(officer, f"/admin/pages/{section.pk}/")),
        ("listing: Newsletter → Issues", get(officer, "/admin/newsletter/issues/")),
        ("listing: Subscribers", get(officer, "/admin/newsletter/subscribers/")),
        ("listing: page search", get(officer, "/admin/pages/search/?q=factories")),
        ("listing: translation status", get(officer, "/admin/reports/translation-status/")),
        ("publish: translation (translator)", publish_translation),
        ("publish: largest English page", publish_model(page)),
        ("publish: largest issue", publish_model(issue)),
        # each run (warm-up and profile included) submits one of the pages made for it
        ("submit translation (officer)", submit_translation),
    ]
    rows = []
    for label, action in actions:
        times, queries, sql = measure(action)
        rows.append((label, statistics.median(times), max(times), queries, sql, action))

    print(f"\n{'action':<42} {'median ms':>10} {'max ms':>8} {'queries':>8} {'SQL ms':>7}")
    for label, median, slowest, queries, sql, _action in rows:
        flag = "" if median < TARGET_MS else "  over target"
        print(f"{label:<42} {median:>10.0f} {slowest:>8.0f} {queries:>8.0f} {sql:>7.0f}{flag}")
    print(f"target: under {TARGET_MS} ms each")

    # the actions over the target, else the three slowest: where their time goes
    slow = [row for row in rows if row[1] >= TARGET_MS] or sorted(rows, key=lambda r: -r[1])[:3]
    for label, _median, _slowest, _queries, _sql, action in slow:
        parts, heaviest = where_time_goes(action)
        total = sum(parts.values())
        print(f"\nWhere the time goes: {label} (one profiled run, {total * 1000:.0f} ms)")
        for part, seconds in sorted(parts.items(), key=lambda item: -item[1]):
            if seconds / total >= 0.02:
                print(f"  {part:<18} {seconds * 1000:>7.0f} ms {seconds / total:>5.0%}")
        print("  heaviest (cumulative):")
        for seconds, name in heaviest:
            print(f"    {seconds * 1000:>7.0f} ms  {name}")

    if not Path(CHROMIUM).exists():
        print(f"\nNo Chromium at {CHROMIUM}: the browser's part is not measured.")
        return
    in_the_browser(
        [
            ("officer", "editor: largest English page", page_editor),
            ("translator", "editor: its translation", translation_editor),
            ("officer", "editor: largest issue", issue_editor),
            ("officer", "listing: explorer of its section", f"/admin/pages/{section.pk}/"),
            ("officer", "listing: Newsletter → Issues", "/admin/newsletter/issues/"),
        ],
        page_editor,
        translation_editor,
        fresh_copy,
    )


NAVIGATION = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    return {
        server: nav.responseStart - nav.requestStart,
        html: nav.responseEnd - nav.requestStart,
        ready: nav.domContentLoadedEventEnd - nav.startTime,
        load: nav.loadEventEnd - nav.startTime,
        resources: resources.length,
        bytes: nav.encodedBodySize + resources.reduce((sum, r) => sum + r.encodedBodySize, 0),
    };
}"""


@contextmanager
def live_server():
    """`manage.py runserver` on the bench's database, as `make run` serves the admin."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from django.db import connections

    connections.close_all()  # the server process writes to the same SQLite file
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/admin/login/")  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait()


def in_the_browser(pages, page_editor, translation_editor, fresh_copy):
    """What an officer and the translator wait for in Chromium: each page's first (cold
    cache) and median later load, with the server's share, then Publish and Translate."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls between clicks
    # (fresh_copy) are plain synchronous code all the same
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    print("\nIn Chromium (runserver, development settings), ms:")
    print(
        f"{'page':<36} {'server':>7} {'html':>6} {'DOM ready':>9} {'load':>6} "
        f"{'cold load':>9} {'files':>6} {'KB':>6}"
    )
    with live_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        tabs = {}
        for username in ("officer", "translator"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(60_000)
            tab = context.new_page()
            tab.goto(f"{url}/admin/login/")
            tab.fill("input[name='username']", username)
            tab.fill("input[name='password']", PASSWORD)
            tab.click("form button[type='submit']")
            tab.wait_for_url(f"{url}/admin/")
            tabs[username] = tab
        for username, label, path in pages:
            tab = tabs[username]
            runs = []
            for _ in range(REPS + 1):
                tab.goto(url + path, wait_until="load")
                runs.append(tab.evaluate(NAVIGATION))
            cold, warm = runs[0], runs[1:]

            def median(key, runs=warm):
                return statistics.median(run[key] for run in runs)

            print(
                f"{label:<36} {median('server'):>7.0f} {median('html'):>6.0f} "
                f"{median('ready'):>9.0f} {median('load'):>6.0f} {cold['load']:>9.0f} "
                f"{cold['resources']:>6} {cold['bytes'] / 1000:>6.0f}"
            )

        def clicked(tab, *selectors):
            """(ms from the last click to the next page's load event, ms the POST took to
            answer: the server's part, the rest being the next page's own load)."""
            for selector in selectors[:-1]:
                tab.click(selector)
            start = time.perf_counter()
            with (
                tab.expect_request(lambda r: r.method == "POST") as posted,
                tab.expect_navigation(wait_until="load"),
            ):
                tab.click(selectors[-1])
            timing = posted.value.timing
            return (time.perf_counter() - start) * 1000, timing["responseStart"]

        officer, translator = tabs["officer"], tabs["translator"]
        timings = defaultdict(list)
        for _ in range(REPS):
            officer.goto(url + page_editor, wait_until="load")
            timings["publish: largest English page"].append(
                clicked(
                    officer,
                    "footer button.w-dropdown__toggle",
                    "footer button[name='action-publish']",
                )
            )
            translator.goto(url + translation_editor, wait_until="load")
            timings["publish: its translation"].append(
                clicked(translator, "button[name='action'][value='publish']")
            )
            copy = fresh_copy()
            officer.goto(f"{url}/admin/localize/submit/page/{copy.pk}/", wait_until="load")
            officer.check("input[name='locales']")
            timings["submit translation"].append(
                clicked(officer, "form[method='POST'] input[type='submit']")
            )
        for label, runs in timings.items():
            total = statistics.median(run[0] for run in runs)
            post = statistics.median(run[1] for run in runs)
            print(
                f"{label:<36} click to next page loaded: {total:>5.0f} "
                f"(the POST answered in {post:.0f})"
            )
        browser.close()


if __name__ == "__main__":
    main()
