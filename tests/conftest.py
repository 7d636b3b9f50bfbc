"""Shared fixtures: demo content loaded as `make run` loads it, and pages in both languages."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from website.models import HomePage

DEMO_PASSWORD = "demo-password-for-tests"


def load_demo(capture_on_commit):
    """Run `manage.py load_demo` and return what it printed.

    wagtail-localize publishes translations on commit; tests run inside a transaction that never
    commits, so the callbacks are run here as a real commit would run them.
    """
    out = StringIO()
    with capture_on_commit(execute=True):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_env(monkeypatch, tmp_path, settings):
    """Demo password from the environment; credentials file kept out of the project."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    settings.DEMO_CREDENTIALS_FILE = tmp_path / "demo-credentials.txt"


@pytest.fixture
def demo(db, demo_env, django_capture_on_commit_callbacks):
    """The demo content and users; returns the English home page."""
    load_demo(django_capture_on_commit_callbacks)
    return HomePage.objects.get(locale=Locale.get_default())


@pytest.fixture
def bn_home(demo):
    return demo.get_translation(Locale.objects.get(language_code="bn"))
