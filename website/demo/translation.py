"""Bangla for demo content: wagtail-localize synced translations filled from PO files.

Every app keeps the Bangla of its demo content in `<app>/demo/translations/bn.po` (English msgid,
Bangla msgstr). The catalogues are merged, so a phrase translated once (the programme's name,
"workers supported") serves every page, as translation memory does for translators.
"""

from functools import cache

import polib
from django.conf import settings
from wagtail.models import DraftStateMixin
from wagtail_localize.models import Translation, TranslationSource


def catalogue_paths():
    return sorted(settings.BASE_DIR.glob("*/demo/translations/bn.po"))


@cache
def bangla_catalogue():
    """English -> Bangla strings of all demo content."""
    catalogue = {}
    for path in catalogue_paths():
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                catalogue[entry.msgid] = entry.msgstr
    return catalogue


def translate(instance, locale, report):
    """Create a synced translation of `instance` and fill it through a PO upload.

    This is what a translator does in the admin: "Translate" creates the synced translation,
    the PO upload fills its strings, publishing saves the Bangla page or snippet. Strings missing
    from the catalogues stay in English and are reported. Returns the translated instance.
    """
    catalogue = bangla_catalogue()
    # What "Translate" in the admin does (TranslationCreator), minus its publish-on-commit of an
    # untranslated copy, which would land after, and over, the Bangla publish below.
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    translation, _created = Translation.objects.update_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    po = translation.export_po()
    missing = []
    for entry in po:
        entry.msgstr = catalogue.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    translation.import_po(po, tool_name="load_demo")
    drafts = isinstance(instance, DraftStateMixin)
    # Publish now, from the database: wagtail-localize's on-commit publish would save the page as
    # it was in memory and undo children added later in the same load (numchild=0, /bn/... 404).
    translation.save_target(publish=not drafts)
    if drafts:
        translation.get_target_instance().get_latest_revision().publish()
    for msgid in missing:
        report(f"  ! no Bangla for {msgid[:70]!r} ({instance})")
    return translation.get_target_instance()


def ensure_translation(instance, locale, report):
    """The translation of `instance` into `locale`, created once through wagtail-localize."""
    existing = instance.get_translation_or_none(locale)
    if existing is not None:
        return existing
    translated = translate(instance, locale, report)
    report(f"  + {type(instance).__name__} '{instance}' translated into {locale.language_code}")
    return translated
