"""Bilingual demo content, loaded by `manage.py load_demo`.

Every step is idempotent: it creates what is missing and leaves alone what exists, so running
the loader again never duplicates content nor overwrites what an editor changed. Bangla versions
are made the way translators make them: wagtail-localize creates a synced translation of the
English source, and the Bangla strings arrive through a PO file (`translations/bn.po`, English
msgid -> Bangla msgstr) imported with the same code as the translation editor's PO upload.
"""

from .content import load_content
from .users import load_users

__all__ = ["load_content", "load_users"]
