"""Compile the project's gettext catalogues (.po -> .mo) with Babel.

Django's own compilemessages needs GNU gettext's msgfmt, which a fresh machine may not have; Babel
is already a dependency. Fuzzy entries are left out, as msgfmt would. Every domain is compiled:
django.po and djangojs.po (the admin's JavaScript strings, served by the jsi18n views).
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po catalogues into .mo files (only those that changed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Recompile every catalogue.")

    def handle(self, *args, force=False, **options):
        root = Path(settings.BASE_DIR)
        catalogues = sorted(
            po
            for po in root.glob("*/locale/*/LC_MESSAGES/*.po")
            if not any(part.startswith(".") for part in po.relative_to(root).parts)
        )
        compiled = 0
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            up_to_date = mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            if up_to_date and not force:
                continue
            try:
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parent.parent.name)
            except Exception as exc:
                raise CommandError(f"{po_path.relative_to(root)} cannot be read: {exc}") from exc
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            compiled += 1
            self.stdout.write(f"compiled {po_path.relative_to(root)}")
        self.stdout.write(f"{len(catalogues)} catalogue(s), {compiled} compiled.")
