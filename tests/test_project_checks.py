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


@pytest.mark.parametrize(
    "app, domain", [(app, "django") for app in CATALOGUES] + [("website", "djangojs")]
)
def test_bangla_catalogues_are_complete(app, domain):
    """Every interface string of each Bangla catalogue is translated, none fuzzy (the djangojs
    catalogue holds the admin's JavaScript strings: wagtail-localize's editor, Wagtail's own)."""
    from django.conf import settings

    po = polib.pofile(
        str(settings.BASE_DIR / app / "locale" / "bn" / "LC_MESSAGES" / f"{domain}.po")
    )
    assert len(po) > 20
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


GETTEXT_FUNCTIONS = ["_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"]
TEMPLATE_SUFFIXES = {".html", ".txt", ".mjml"}


def interface_strings(app_dir):
    """(msgid, where) of every translatable string in an app's templates and Python code.

    Templates go through Django's own `templatize` (what `makemessages` runs), Python through
    Babel's extractor, so no GNU gettext is needed.
    """
    import ast
    import io
    import re

    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    for path in sorted(app_dir.rglob("*")):
        if {"migrations", "demo", "__pycache__"} & set(path.parts) or not path.is_file():
            continue
        if path.suffix in TEMPLATE_SUFFIXES:
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            for call in re.finditer(r" n?gettext\((.*?)\) ", code):
                try:
                    args = ast.parse(f"f({call.group(1)})").body[0].value.args
                except SyntaxError:
                    continue
                strings = [a.value for a in args if isinstance(a, ast.Constant)]
                if strings and isinstance(strings[0], str):
                    yield strings[0], path.name
        elif path.suffix == ".py":
            source = io.BytesIO(path.read_bytes())
            for _line, _func, message, _comments in extract_python(
                source, GETTEXT_FUNCTIONS, [], {}
            ):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid:
                    yield msgid, path.name


def test_every_interface_string_is_in_a_bangla_catalogue():
    """A string added to a template, form or model without its Bangla fails here."""
    from django.conf import settings

    translated = set()
    for app in CATALOGUES:
        po = settings.BASE_DIR / app / "locale" / "bn" / "LC_MESSAGES" / "django.po"
        translated |= {entry.msgid for entry in polib.pofile(str(po)) if entry.translated()}
    missing = sorted(
        {
            f"{where}: {msgid}"
            for app in CATALOGUES
            for msgid, where in interface_strings(settings.BASE_DIR / app)
            if msgid not in translated
        }
    )
    assert missing == []
