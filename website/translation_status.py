"""What is left to translate: every source item and its state in each other language.

Source items are the live pages of the default language (English), the tree root aside, and
the English rows of the translatable snippet types. In each other language an item is:

- **not translated** (`MISSING`) when it has no translation there, when its translated page is
  only an alias of the English one (wagtail-localize's placeholder, showing English), is a draft
  not published yet, or was published with the English text of every string (nothing translated);
- **out of date** when a translation is live but lags behind its source, for one or more of:
  - *source changed*: the English page was published after its wagtail-localize source was last
    synced (`TranslationSource.last_updated_at`); for snippets, which have no publishing dates,
    the English row differs from the synced source. An officer's "Sync translated pages" clears
    it.
  - *not republished*: the source was synced after the translation was last published (a page's
    `last_published_at`; for a snippet, the last time wagtail-localize saved it, its latest
    `TranslationLog`). The translator's next publish clears it.
  - *untranslated strings*: strings of the synced source have no valid translation, so the
    published translation shows them in English (wagtail-localize publishes with fallbacks).
- **translated** otherwise. Percent translated is translated / source items, rounded down, so
  100% means nothing is left.

Everything is computed in a fixed number of queries, whatever the number of pages.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, Max, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel, get_serializable_data_for_fields
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationLog,
    TranslationSource,
)

from .permissions import translatable_snippet_models

TRANSLATED = "translated"
MISSING = "missing"
OUT_OF_DATE = "out_of_date"
STATUS_LABELS = {
    TRANSLATED: _("Translated"),
    MISSING: _("Not translated"),
    OUT_OF_DATE: _("Out of date"),
}

NOT_TRANSLATED = "not_translated"
ALIAS = "alias"
NOT_LIVE = "not_live"
ENGLISH_ONLY = "english_only"
SOURCE_CHANGED = "source_changed"
NOT_REPUBLISHED = "not_republished"
UNTRANSLATED_STRINGS = "untranslated_strings"
REASON_LABELS = {
    NOT_TRANSLATED: _("No translation yet"),
    ALIAS: _("The translated page is an alias showing the English"),
    NOT_LIVE: _("The translation is not published"),
    ENGLISH_ONLY: _("Published with the English text: no string translated yet"),
    SOURCE_CHANGED: _("The English changed after the last sync"),
    NOT_REPUBLISHED: _("Synced after the translation was last published"),
    UNTRANSLATED_STRINGS: _("Strings without a translation"),
}


@dataclass
class ItemStatus:
    """One source item in one language."""

    model: type
    source_pk: int
    title: str
    locale: Locale
    status: str = TRANSLATED
    reasons: list = field(default_factory=list)
    target_pk: int | None = None
    translation_source_id: int | None = None
    source_changed_at: datetime | None = None  # pages: when the English was last published
    synced_at: datetime | None = None  # when the English was last extracted for translation
    translated_at: datetime | None = None  # when the translation was last published
    untranslated_strings: int = 0
    # the next step, set by the report for the user looking at it
    action_label: str = ""
    action_url: str | None = None
    action_link: str = ""  # absolute, for exports

    @property
    def is_page(self):
        return issubclass(self.model, Page)

    @property
    def type_key(self):
        return self.model._meta.label_lower

    @property
    def type_label(self):
        return capfirst(self.model._meta.verbose_name_plural)

    @property
    def language(self):
        return self.locale.get_display_name()

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def reasons_label(self):
        labels = []
        for reason in self.reasons:
            label = str(REASON_LABELS[reason])
            if reason == UNTRANSLATED_STRINGS:
                label = f"{label}: {self.untranslated_strings}"
            labels.append(label)
        return "; ".join(labels)


@dataclass
class TypeSummary:
    """Counts of one type of item (a page type or snippet type) in one language."""

    model: type
    locale: Locale
    sources: int = 0
    translated: int = 0
    missing: int = 0
    out_of_date: int = 0

    @property
    def type_key(self):
        return self.model._meta.label_lower if self.model else ""

    @property
    def type_label(self):
        if self.model is None:
            return _("All types")
        return capfirst(self.model._meta.verbose_name_plural)

    @property
    def percent(self):
        """Share translated, rounded down: 100 only when nothing is missing or out of date."""
        return self.translated * 100 // self.sources if self.sources else None

    def count(self, item):
        self.sources += 1
        setattr(self, item.status, getattr(self, item.status) + 1)


@dataclass
class _Source:
    model: type
    pk: int
    title: str
    translation_key: object
    changed_at: datetime | None = None  # pages: when the English was last published
    instance: object = None  # snippets: the English row, compared with its synced source


def _source_items(default):
    """English pages (live, tree root aside) in tree order, then English snippets."""
    items = []
    pages = (
        Page.objects.filter(locale=default, depth__gt=1, live=True)
        .order_by("path")
        .values_list("pk", "title", "content_type_id", "translation_key", "last_published_at")
    )
    for pk, title, content_type_id, key, published_at in pages:
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        items.append(_Source(model, pk, title, key, published_at))
    for model in translatable_snippet_models():
        for instance in model.objects.filter(locale=default).select_related("locale"):
            key = instance.translation_key
            items.append(_Source(model, instance.pk, str(instance), key, instance=instance))
    return items


def _serialized(instance):
    """An instance as wagtail-localize serialises it into a TranslationSource."""
    if isinstance(instance, ClusterableModel):
        return json.loads(instance.to_json())
    return json.loads(json.dumps(get_serializable_data_for_fields(instance), cls=DjangoJSONEncoder))


def _targets(locale, snippet_models):
    """translation_key -> (model name, pk, alias_of_id, live, last_published_at) in `locale`."""
    targets = {}
    pages = Page.objects.filter(locale=locale).values_list(
        "translation_key", "pk", "alias_of_id", "live", "last_published_at"
    )
    for key, pk, alias_of_id, live, published_at in pages:
        targets[("page", key)] = (pk, alias_of_id, live, published_at)
    for model in snippet_models:
        for key, pk in model.objects.filter(locale=locale).values_list("translation_key", "pk"):
            targets[(model._meta.label_lower, key)] = (pk, None, True, None)
    return targets


def _strings(default):
    """TranslationSource id -> number of its strings."""
    rows = (
        StringSegment.objects.filter(source__locale=default)
        .order_by()
        .values("source_id")
        .annotate(count=Count("pk"))
        .values_list("source_id", "count")
    )
    return dict(rows)


def _untranslated_strings(default, locale):
    """TranslationSource id -> number of its strings without a valid translation in `locale`."""
    translated = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale=locale,
        has_error=False,
    )
    rows = (
        StringSegment.objects.filter(source__locale=default)
        .annotate(translated=Exists(translated))
        .filter(translated=False)
        .order_by()
        .values("source_id")
        .annotate(count=Count("pk"))
        .values_list("source_id", "count")
    )
    return dict(rows)


def item_statuses(locales=None):
    """The status of every source item in each of `locales` (default: every other language)."""
    default = Locale.get_default()
    if locales is None:
        locales = Locale.objects.exclude(pk=default.pk).order_by("language_code")
    items = _source_items(default)
    sources = {
        source.object_id: source
        for source in TranslationSource.objects.filter(locale=default).defer("content_json")
    }
    snippet_models = translatable_snippet_models()
    snippet_source_ids = [
        sources[item.translation_key].pk
        for item in items
        if item.instance is not None and item.translation_key in sources
    ]
    synced_content = dict(
        TranslationSource.objects.filter(pk__in=snippet_source_ids).values_list(
            "pk", "content_json"
        )
    )

    strings = _strings(default)
    statuses = []
    for locale in locales:
        targets = _targets(locale, snippet_models)
        enabled = set(
            Translation.objects.filter(
                source__locale=default, target_locale=locale, enabled=True
            ).values_list("source_id", flat=True)
        )
        untranslated = _untranslated_strings(default, locale)
        saved_at = dict(
            TranslationLog.objects.filter(locale=locale, source__locale=default)
            .order_by()
            .values("source_id")
            .annotate(at=Max("created_at"))
            .values_list("source_id", "at")
        )
        for item in items:
            kind = "page" if item.instance is None else item.model._meta.label_lower
            target = targets.get((kind, item.translation_key))
            source = sources.get(item.translation_key)
            status = ItemStatus(
                item.model,
                item.pk,
                item.title,
                locale,
                source_changed_at=item.changed_at,
                translation_source_id=source.pk if source else None,
                synced_at=source.last_updated_at if source else None,
            )
            statuses.append(status)
            if target is None:
                status.status, status.reasons = MISSING, [NOT_TRANSLATED]
                continue
            target_pk, alias_of_id, live, published_at = target
            status.target_pk = target_pk
            if alias_of_id:
                status.status, status.reasons = MISSING, [ALIAS]
                continue
            if not live:
                status.status, status.reasons = MISSING, [NOT_LIVE]
                continue
            if source is None:
                continue  # translated outside wagtail-localize: nothing to compare with
            if item.instance is None:
                status.translated_at = published_at
                if item.changed_at and item.changed_at > source.last_updated_at:
                    status.reasons.append(SOURCE_CHANGED)
            else:
                status.translated_at = saved_at.get(source.pk)
                if _serialized(item.instance) != json.loads(synced_content[source.pk]):
                    status.reasons.append(SOURCE_CHANGED)
            if status.translated_at and source.last_updated_at > status.translated_at:
                status.reasons.append(NOT_REPUBLISHED)
            if source.pk in enabled and untranslated.get(source.pk):
                status.untranslated_strings = untranslated[source.pk]
                if status.untranslated_strings == strings.get(source.pk):
                    status.status, status.reasons = MISSING, [ENGLISH_ONLY]
                    continue
                status.reasons.append(UNTRANSLATED_STRINGS)
            if status.reasons:
                status.status = OUT_OF_DATE
    return statuses


def summarise(statuses):
    """(per type, totals): TypeSummary rows per (language, type) and one per language."""
    per_type, totals = {}, {}
    for item in statuses:
        key = (item.locale.pk, item.model)
        if key not in per_type:
            per_type[key] = TypeSummary(item.model, item.locale)
        if item.locale.pk not in totals:
            totals[item.locale.pk] = TypeSummary(None, item.locale)
        per_type[key].count(item)
        totals[item.locale.pk].count(item)
    rows = sorted(
        per_type.values(),
        key=lambda row: (
            row.locale.language_code,
            not issubclass(row.model, Page),
            str(row.type_label),
        ),
    )
    return rows, list(totals.values())
