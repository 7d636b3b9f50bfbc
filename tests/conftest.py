"""Shared fixtures.

The demo content is loaded once per test session into the test database, exactly as `make run`
loads it (`manage.py load_demo`); each test then runs in a transaction that is rolled back, so
every test starts from the same bilingual demo site.
"""

import contextlib
import os
import re
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from wagtail.models import Locale

from newsletter.clicks import frozen_links
from website.cache import purge_pending
from website.models import HomePage

DEMO_PASSWORD = "demo-password-for-tests"
SESSION = {}


def load_demo(capture_on_commit=None):
    """Run `manage.py load_demo` and return what it printed.

    wagtail-localize publishes translations on commit. Inside a test's transaction, which never
    commits, `capture_on_commit` (pytest-django's fixture) runs those callbacks as a commit would.
    """
    out = StringIO()
    if capture_on_commit is None:
        call_command("load_demo", stdout=out)
    else:
        with capture_on_commit(execute=True):
            call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database with the demo content and users, loaded once."""
    from django.db import connection

    credentials = tmp_path_factory.mktemp("demo") / "demo-credentials.txt"
    previous = os.environ.get("DEMO_PASSWORD")
    os.environ["DEMO_PASSWORD"] = DEMO_PASSWORD
    try:
        with django_db_blocker.unblock(), override_settings(DEMO_CREDENTIALS_FILE=credentials):
            SESSION["first_load_output"] = load_demo()
            if hasattr(connection, "_test_serialized_contents"):
                # transactional tests restore this snapshot: make it include the demo site
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    finally:
        if previous is None:
            os.environ.pop("DEMO_PASSWORD", None)
        else:
            os.environ["DEMO_PASSWORD"] = previous


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as with the demo database: nothing a previous test
    cached (pages, fragments, rate limits) from rows it then rolled back. The same for the
    tracked links each process keeps per send: a rolled-back send's id comes again."""
    cache.clear()
    frozen_links.cache_clear()
    yield
    cache.clear()
    frozen_links.cache_clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language. A request through the test client, or a
    task run in this thread, leaves its language active after it returns (Django activates a
    language per request and does not undo it), so the next test would read Bangla messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def demo_env(monkeypatch, tmp_path, settings):
    """Demo password from the environment; credentials file kept out of the project."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    settings.DEMO_CREDENTIALS_FILE = tmp_path / "demo-credentials.txt"


@pytest.fixture
def demo(db):
    """The English home page of the demo site (loaded once per session)."""
    return HomePage.objects.get(locale=Locale.get_default())


@pytest.fixture
def bn_home(demo):
    return demo.get_translation(Locale.objects.get(language_code="bn"))


class RecordingBackend:
    """An HTTP cache stand-in for WAGTAILFRONTENDCACHE: records the URLs it is asked to purge."""

    purged = []

    def __init__(self, params):
        pass

    def invalidates_hostname(self, hostname):
        return True

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        RecordingBackend.purged.extend(urls)


@pytest.fixture
def purged(settings):
    """The paths purged through frontend_cache, in order."""
    settings.WAGTAILFRONTENDCACHE = {"varnish": {"BACKEND": "tests.conftest.RecordingBackend"}}
    purge_pending()  # what an earlier test's rolled-back transaction left, not this test's
    RecordingBackend.purged = []

    def paths():
        return [re.sub(r"^https?://[^/]+", "", url) for url in RecordingBackend.purged]

    return paths


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
]


@contextlib.contextmanager
def launched_chromium(monkeypatch):
    """Debian's headless Chromium through Playwright's sync API, closed afterwards. Missing, it
    skips the test, and fails it in CI.

    Start it after the database fixtures: Playwright's sync API switches greenlets, each with its
    own context variables, and Django's connection handler is context-local. Its event loop is
    allowed for this test only (a subprocess started later, such as `check --deploy`, must not
    inherit DJANGO_ALLOW_ASYNC_UNSAFE)."""
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing browser is a failure
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
