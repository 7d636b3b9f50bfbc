"""The project passes Django's system checks and has no model change without a migration."""

from io import StringIO

import polib
import pytest
from django.core.management import call_command


def test_system_checks_pass():
    out = StringIO()
    call_command("check", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


CATALOGUES = ["website", "stories", "events", "newsletter"]


@pytest.mark.parametrize("app", CATALOGUES)
def test_bangla_catalogues_are_complete(app):
    """Every interface string of each Bangla catalogue is translated, none fuzzy."""
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / app / "locale" / "bn" / "LC_MESSAGES" / "django.po"))
    assert len(po) > 20
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
