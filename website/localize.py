"""Picking translatable objects (pages, snippets) in a locale, else their source: the one place
that knows how, for every app.

Two shapes of the same rule, each in a fixed number of queries however many objects:

- `localize(objects, locale, queryset)`: the objects a page already holds (its topics, its links,
  an event's category), each swapped for its translation in `locale` when `queryset` has one,
  else kept as it is;
- `pick_localized(candidates, locale)`: from every version of some translation keys (e.g. the live
  pages behind a list of links), the one to show per key: in `locale`, else the source
  (not an alias), else any.
"""


def localize(objects, locale, queryset):
    """`objects` (None allowed) in `locale` where `queryset` holds their translation, else as
    given; order kept. One query at most, none when every object is in `locale` already."""
    objects = list(objects)
    keys = {
        obj.translation_key for obj in objects if obj is not None and obj.locale_id != locale.pk
    }
    if not keys:
        return objects
    translated = {
        obj.translation_key: obj for obj in queryset.filter(locale=locale, translation_key__in=keys)
    }
    return [
        translated.get(obj.translation_key, obj)
        if obj is not None and obj.locale_id != locale.pk
        else obj
        for obj in objects
    ]


def pick_localized(candidates, locale):
    """{translation key: the candidate to show in `locale`}: the one in `locale`, else one that
    is not an alias (the source), else any. `candidates` is evaluated once."""
    chosen = {}
    for obj in candidates:
        rank = 0 if obj.locale_id == locale.pk else (2 if getattr(obj, "alias_of_id", None) else 1)
        current = chosen.get(obj.translation_key)
        if current is None or rank < current[0]:
            chosen[obj.translation_key] = (rank, obj)
    return {key: obj for key, (_rank, obj) in chosen.items()}
