"""Bangla for demo content: wagtail-localize synced translations filled from PO files.

Every app keeps the Bangla of its demo content in `<app>/demo/translations/bn.po` (English msgid,
Bangla msgstr). The catalogues are merged, so a phrase translated once (the programme's name,
"workers supported") serves every page, as translation memory does for translators.
"""

from functools import cache

import polib
from django.conf import settings
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.operations import TranslationCreator


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
    TranslationCreator(user=None, target_locales=[locale]).create_translations(instance)
    source = TranslationSource.objects.get_for_instance(instance)
    translation = Translation.objects.get(source=source, target_locale=locale)
    po = translation.export_po()
    missing = []
    for entry in po:
        entry.msgstr = catalogue.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    translation.import_po(po, tool_name="load_demo")
    translation.save_target(publish=True)
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
