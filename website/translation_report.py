"""Reports → Translation status, and its summary on the dashboard.

The counts per type and language sit above a listing of what needs work (missing or out of date
items, see website/translation_status.py for the definitions), each linked to where the work is
done: wagtail-localize's "Translate" for a missing item, the translation editor for a lagging
one, "Sync translated pages" when the English changed since the last sync. Officers and
translators see it; links to actions a user may not take (sending for translation, syncing)
are left out for them.
"""

import datetime

import django_filters
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page, get_page_models
from wagtail.permissions import policy_registry
from wagtail_localize.models import Translation

from .permissions import translatable_snippet_models
from .translation_status import (
    ALIAS,
    MISSING,
    NOT_TRANSLATED,
    OUT_OF_DATE,
    SOURCE_CHANGED,
    STATUS_LABELS,
    TRANSLATED,
    item_statuses,
    summarise,
)

PROBLEMS = {MISSING, OUT_OF_DATE}
ALL = "all"


def may_view_translation_status(user):
    """Officers and translators: anyone who may edit or publish pages somewhere."""
    policy = policy_registry.get_by_type(Page)
    return policy.user_has_any_permission(user, ["change", "publish"])


def may_send_for_translation(user):
    """Sending for translation and syncing are wagtail-localize's submit_translation."""
    return user.has_perm("wagtail_localize.submit_translation")


def action_for(item, user):
    """(label, URL) of the next step for `item`, or (None, None) if `user` cannot take it."""
    submits = may_send_for_translation(user)
    if item.status == MISSING and item.reasons[0] in (NOT_TRANSLATED, ALIAS):
        if not submits:
            return None, None
        if item.is_page:
            return _("Translate"), reverse(
                "wagtail_localize:submit_page_translation", args=[item.source_pk]
            )
        opts = item.model._meta
        return _("Translate"), reverse(
            "wagtail_localize:submit_snippet_translation",
            args=[opts.app_label, opts.model_name, item.source_pk],
        )
    if SOURCE_CHANGED in item.reasons and submits:
        return _("Sync translations"), reverse(
            "wagtail_localize:update_translations", args=[item.translation_source_id]
        )
    if item.target_pk is None:
        return None, None
    if item.is_page:
        return _("Edit translation"), reverse("wagtailadmin_pages:edit", args=[item.target_pk])
    edit_url_name = item.model.snippet_viewset.get_url_name("edit")
    return _("Edit translation"), reverse(edit_url_name, args=[item.target_pk])


def type_choices():
    """Every page type and translatable snippet type, as filter choices."""
    pages = sorted(
        (model for model in get_page_models() if model is not Page),
        key=lambda model: str(model._meta.verbose_name_plural),
    )
    return [
        (model._meta.label_lower, capfirst(model._meta.verbose_name_plural))
        for model in [*pages, *translatable_snippet_models()]
    ]


def language_choices():
    return [
        (locale.language_code, locale.get_display_name())
        for locale in Locale.objects.exclude(pk=Locale.get_default().pk).order_by("language_code")
    ]


class TranslationStatusFilterSet(django_filters.FilterSet):
    """Filters of computed rows (not a queryset): django-filters builds the form, and
    `filter_queryset` below does the filtering."""

    type = django_filters.ChoiceFilter(label=_("Type"), choices=type_choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (MISSING, STATUS_LABELS[MISSING]),
            (OUT_OF_DATE, STATUS_LABELS[OUT_OF_DATE]),
            (TRANSLATED, STATUS_LABELS[TRANSLATED]),
            (ALL, _("All")),
        ],
        empty_label=_("Not translated or out of date"),
    )
    language = django_filters.ChoiceFilter(label=_("Language"), choices=language_choices)

    class Meta:
        model = Translation  # only for django-filters' bookkeeping
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if len(language_choices()) < 2:
            del self.filters["language"]

    def filter_queryset(self, rows):
        data = self.form.cleaned_data
        status = data.get("status")
        if status == ALL:
            statuses = {MISSING, OUT_OF_DATE, TRANSLATED}
        else:
            statuses = {status} if status else PROBLEMS
        rows = [row for row in rows if row.status in statuses]
        if data.get("type"):
            rows = [row for row in rows if row.type_key == data["type"]]
        if data.get("language"):
            rows = [row for row in rows if row.locale.language_code == data["language"]]
        return rows


class ActionColumn(Column):
    cell_template_name = "website/admin/translation_action_cell.html"


class TranslationStatusReportView(ReportView):
    page_title = _("Translation status")
    header_icon = "wagtail-localize-language"
    template_name = "website/admin/translation_status_report.html"
    index_url_name = "translation_status_report"
    index_results_url_name = "translation_status_report_results"
    filterset_class = TranslationStatusFilterSet
    any_permission_required = ["change", "publish"]
    export_filename = "translation-status"
    all_columns = [
        TitleColumn("title", label=_("Original"), get_url=lambda row: row.action_url),
        Column("type_label", label=_("Type")),
        Column("language", label=_("Language")),
        StatusTagColumn(
            "status_label", label=_("Status"), primary=lambda row: row.status == OUT_OF_DATE
        ),
        Column("reasons_label", label=_("Details")),
        DateColumn("synced_at", label=_("Source synced")),
        DateColumn("translated_at", label=_("Translation published")),
        ActionColumn("action_label", label=_("Next step")),
    ]
    list_export = [
        "type_label",
        "title",
        "language",
        "status_label",
        "reasons_label",
        "source_changed_at",
        "synced_at",
        "translated_at",
        "untranslated_strings",
        "action_label",
        "action_link",
    ]
    export_headings = {
        "type_label": _("Type"),
        "title": _("Original"),
        "language": _("Language"),
        "status_label": _("Status"),
        "reasons_label": _("Details"),
        "source_changed_at": _("Source published"),
        "synced_at": _("Source synced"),
        "translated_at": _("Translation published"),
        "untranslated_strings": _("Strings without a translation"),
        "action_label": _("Next step"),
        "action_link": _("Link"),
    }

    custom_value_preprocess = {
        **ReportView.custom_value_preprocess,
        datetime.datetime: {
            **ReportView.custom_value_preprocess[datetime.datetime],
            ReportView.FORMAT_CSV: lambda value: value.isoformat(timespec="seconds"),
        },
    }

    @cached_property
    def columns(self):
        """Without the language column when there is only one language to translate into, so
        the table fits a 1280-pixel screen beside the menu."""
        if len(language_choices()) < 2:
            return [column for column in self.all_columns if column.name != "language"]
        return self.all_columns

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Page)

    @cached_property
    def statuses(self):
        return item_statuses()

    def get_queryset(self):
        for row in self.statuses:
            label, url = action_for(row, self.request.user)
            row.action_label = label or ""
            row.action_url = url
            row.action_link = self.request.build_absolute_uri(url) if url else ""
        return self.statuses

    def stream_csv(self, queryset):
        # Written now, in the user's language: a streamed response is read after the view has
        # returned and the admin's language has been reset, which would give English headings.
        return iter(list(super().stream_csv(queryset)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"], context["totals"] = summarise(self.statuses)
        return context


class TranslationStatusPanel(Component):
    """Dashboard: share translated per language, linking to the report."""

    name = "translation_status"
    template_name = "website/admin/translation_status_panel.html"
    order = 150

    def get_context_data(self, parent_context):
        _rows, totals = summarise(item_statuses())
        return {"totals": totals, "report_url": reverse("translation_status_report")}
