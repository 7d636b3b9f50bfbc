"""Translation memory: a string translated once is offered pre-filled wherever it recurs.

Why: wagtail-localize stores one `String` per distinct source text, shared by every page and
snippet that contains it, but keys its translations by (string, locale, context), where the
context is one field of one object. So the programme's recurring phrases (its name, "workers
supported", a donor's name) reach the translator untranslated on every new page, and on every
field of a synced page that gains them, although the same `String` is already translated elsewhere.

What: for each string segment of a source that has no translation in a target locale for its own
context, copy the most recent translation of the same `String` in that locale from any other
context. The copy is an ordinary `StringTranslation` the translator edits like any other; its
`tool_name` says it came from memory (the editor shows "Translated with Translation memory on
<date>"), and its type and translator are those of the translation it was copied from. An existing
translation of a context, even one with an error, is never overwritten.

When: wagtail-localize has no signal of its own, so this listens to the saves its own code paths
make, before they build the target page (so pre-filled strings are published with it):

- a `Translation` is saved enabled: "Translate this page/snippet" (`TranslationCreator`), a
  restarted synced translation, `load_demo`;
- a `StringSegment` is created: `TranslationSource.refresh_segments`, which "Sync translated
  pages" (`update_from_db`) and every new source run, for text that is new in the source.
"""

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail_localize.models import StringSegment, StringTranslation, Translation

TOOL_NAME = "Translation memory"


def untranslated_keys(segments, locale_id):
    """(string id, context id) of the segments that have no translation into `locale_id`."""
    translated = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=locale_id,
    )
    return set(
        segments.annotate(translated=Exists(translated))
        .filter(translated=False)
        .values_list("string_id", "context_id")
    )


def remembered_translations(string_ids, locale_id):
    """The most recent error-free translation into `locale_id` of each of `string_ids`."""
    latest = {}
    candidates = StringTranslation.objects.filter(
        translation_of_id__in=string_ids, locale_id=locale_id, has_error=False
    ).order_by("translation_of_id", "-updated_at", "-pk")
    for candidate in candidates:
        latest.setdefault(candidate.translation_of_id, candidate)
    return latest


def fill_from_memory(translation, segments=None):
    """Pre-fill the untranslated string segments of `translation` from other contexts.

    `segments` narrows the work to some of the source's segments (default: all of them).
    Returns the number of translations created.
    """
    if not translation.enabled:
        return 0
    if segments is None:
        segments = StringSegment.objects.filter(source_id=translation.source_id)
    locale_id = translation.target_locale_id
    wanted = untranslated_keys(segments, locale_id)
    if not wanted:
        return 0
    memory = remembered_translations({string_id for string_id, _ in wanted}, locale_id)
    created = 0
    for string_id, context_id in sorted(wanted):
        remembered = memory.get(string_id)
        if remembered is None:
            continue
        # get_or_create, not update_or_create: a translation made meanwhile stays as it is
        _copy, was_created = StringTranslation.objects.get_or_create(
            translation_of_id=string_id,
            locale_id=locale_id,
            context_id=context_id,
            defaults={
                "data": remembered.data,
                "translation_type": remembered.translation_type,
                "tool_name": TOOL_NAME,
                "last_translated_by_id": remembered.last_translated_by_id,
            },
        )
        created += was_created
    return created


@receiver(post_save, sender=Translation, dispatch_uid="translation_memory_on_translation")
def fill_new_translation(sender, instance, raw=False, **kwargs):
    """A translation started (or restarted) gets every string already translated elsewhere."""
    if not raw:
        fill_from_memory(instance)


@receiver(post_save, sender=StringSegment, dispatch_uid="translation_memory_on_segment")
def fill_new_segment(sender, instance, created, raw=False, **kwargs):
    """Text new in a synced source gets the translations it already has elsewhere."""
    if raw or not created:
        return
    translations = Translation.objects.filter(source_id=instance.source_id, enabled=True)
    segment = StringSegment.objects.filter(pk=instance.pk)
    for translation in translations:
        fill_from_memory(translation, segment)
