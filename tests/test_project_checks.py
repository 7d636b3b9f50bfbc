"""The project passes Django's system checks and has no model change without a migration."""

from io import StringIO

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


def test_bangla_catalogue_is_complete():
    """Every interface string of the Bangla catalogue is translated, none fuzzy."""
    from pathlib import Path

    import polib
    from django.conf import settings

    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "bn" / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
