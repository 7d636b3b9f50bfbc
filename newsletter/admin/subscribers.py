"""The subscriber admin: listing with counts, filters, export and bulk actions; add, edit, erase;
import from a CSV file. Registered in wagtail_hooks.py under the "Newsletter" menu.

Officers decide about people, not about their consent:
- adding someone sends them a confirmation e-mail (they become subscribed when they confirm),
  unless the officer records where the person already agreed;
- editing cannot make anybody subscribed without recording where they agreed again;
- deleting erases: the person's data and history go, only a suppression hash stays, so no import
  can add the address back.
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from django_filters import ChoiceFilter, DateFromToRangeFilter, ModelMultipleChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from website.exports import SafeSpreadsheetMixin, csv_safe
from website.formatting import format_number
from website.models import Topic

from ..addresses import normalize_email
from ..audiences import Audience
from ..emails import send_confirmation_task
from ..importing import CONSENT_DECLARATION, UnreadableFile, import_subscribers
from ..models import Label, Segment, Source, StakeholderGroup, Status, Subscriber, SuppressedAddress
from .issues import IssueViewSet
from .sends import ISSUES, SENDS, SendViewSet

VIEWSET_NAME = "newsletter_subscribers"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SHOWN_SKIPPED_LINES = 1000  # the import report lists at most this many skipped lines
BULK_CHUNK = 500

# The statuses an officer may move a subscriber to, from each status. Moving anyone to
# "subscribed" also needs a new consent record (SubscriberEditForm.clean).
STATUS_TRANSITIONS = {
    Status.PENDING: {Status.SUBSCRIBED, Status.UNSUBSCRIBED},
    Status.SUBSCRIBED: {Status.UNSUBSCRIBED, Status.BOUNCED, Status.COMPLAINED},
    Status.UNSUBSCRIBED: {Status.SUBSCRIBED},
    Status.BOUNCED: {Status.SUBSCRIBED, Status.UNSUBSCRIBED},
    Status.COMPLAINED: {Status.SUBSCRIBED, Status.UNSUBSCRIBED},
}
STATUS_LOG_ACTIONS = {
    Status.SUBSCRIBED: "newsletter.confirm",
    Status.UNSUBSCRIBED: "newsletter.unsubscribe",
    Status.BOUNCED: "newsletter.bounce",
    Status.COMPLAINED: "newsletter.complaint",
}


def officer_name(user):
    return user.get_full_name() or user.get_username()


def erase_subscriber(subscriber, user=None):
    """Erase a subscriber: their row and their history (it repeats the address) go, the
    suppression hash stays, and one anonymous history entry records who erased "subscriber #id".
    """
    pk = subscriber.pk
    log_registry.get_logs_for_instance(subscriber).delete()
    subscriber.erase()
    log_model = log_registry.get_log_model_for_model(Subscriber) or ModelLogEntry
    log_model.objects.log_action(
        Subscriber(pk=pk),
        "wagtail.delete",
        user=user,
        title=_("Erased subscriber #%(id)s") % {"id": pk},
        deleted=True,
    )


def search_subscribers(queryset, query):
    """What the listing's search box does: part of the address or of the name."""
    if not query:
        return queryset
    return queryset.filter(Q(email__icontains=query) | Q(name__icontains=query))


# Listing


class SubscriberFilterSet(WagtailFilterSet):
    status = ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    language = ChoiceFilter(
        label=gettext_lazy("Language"),
        choices=Subscriber._meta.get_field("language").choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    source = ChoiceFilter(
        label=gettext_lazy("Source"),
        choices=Source.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    signed_up_at = DateFromToRangeFilter(
        label=gettext_lazy("Signed up"), widget=DateRangePickerWidget
    )
    confirmed_at = DateFromToRangeFilter(
        label=gettext_lazy("Confirmed"), widget=DateRangePickerWidget
    )
    group = ChoiceFilter(
        label=gettext_lazy("Stakeholder group"),
        choices=[("none", gettext_lazy("Not given"))] + StakeholderGroup.choices,
        empty_label=gettext_lazy("All"),
        method="filter_group",
    )
    topics = ModelMultipleChoiceFilter(
        label=gettext_lazy("Topics (any of)"),
        queryset=Topic.objects.filter(locale__language_code=settings.LANGUAGE_CODE),
        widget=forms.CheckboxSelectMultiple,
    )
    labels = ModelMultipleChoiceFilter(
        label=gettext_lazy("Labels (any of)"),
        queryset=Label.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscriber
        fields = ["status", "language", "source", "signed_up_at", "confirmed_at", "group"]

    def filter_group(self, queryset, name, value):
        return queryset.filter(group="" if value == "none" else value)

    def filter_queryset(self, queryset):
        # Several topics or labels match any of them: one row per subscriber all the same.
        return super().filter_queryset(queryset).distinct()


def listing_queryset(request):
    """The subscribers the listing shows for this request's search and filters."""
    filterset = SubscriberFilterSet(request.GET, queryset=Subscriber.objects.all(), request=request)
    queryset = filterset.qs if filterset.is_valid() else Subscriber.objects.all()
    return search_subscribers(queryset, request.GET.get("q", "").strip())


def subscriber_counts(language=None):
    """Per language, how many subscribers there are in each status (one query)."""
    counts = {
        (row["language"], row["status"]): row["n"]
        for row in Subscriber.objects.values("language", "status").annotate(n=Count("pk"))
    }
    languages = Subscriber._meta.get_field("language").choices
    result = []
    for code, label in languages:
        statuses = [
            {"status": status, "label": status_label, "count": counts.get((code, status), 0)}
            for status, status_label in Status.choices
        ]
        for item in statuses:
            item["shown"] = format_number(item["count"], language)
        total = sum(item["count"] for item in statuses)
        result.append(
            {
                "code": code,
                "label": label,
                "total": format_number(total, language),
                "statuses": [s for s in statuses if s["count"] or s["status"] == Status.SUBSCRIBED],
            }
        )
    return result


def group_counts(language=None):
    """Subscribed people per stakeholder group (and without one), for the listing's header."""
    counts = dict(
        Subscriber.objects.sendable().values_list("group").annotate(n=Count("pk")).order_by()
    )
    return [
        {"code": code or "none", "label": label, "count": format_number(counts.get(code, 0))}
        for code, label in [*StakeholderGroup.choices, ("", _("Not given"))]
        if counts.get(code)
    ]


class ReadersPanel(Component):
    """ "Who reads the newsletter" on the dashboard of those who may see subscribers: confirmed
    subscribers per language (both included) and per stakeholder group, each a link to the
    filtered listing."""

    name = "newsletter_readers"
    template_name = "newsletter/admin/home_readers_panel.html"
    order = 95

    def get_context_data(self, parent_context):
        sendable = Subscriber.objects.sendable()
        per_language = dict(sendable.values_list("language").annotate(n=Count("pk")).order_by())
        return {
            "languages": [
                {"code": code, "label": label, "count": format_number(per_language.get(code, 0))}
                for code, label in Subscriber._meta.get_field("language").choices
            ],
            "groups": group_counts(),
            "total": format_number(sum(per_language.values())),
            "listing": reverse(f"{VIEWSET_NAME}:index"),
        }


class SubscriberIndexView(SafeSpreadsheetMixin, generic.IndexView):
    custom_field_preprocess = {
        "email": {"csv": csv_safe},
        "name": {"csv": csv_safe},
        "consent_source": {"csv": csv_safe},
    }

    def _get_title_column(self, field_name, *args, **kwargs):
        kwargs.setdefault("get_title_id", lambda subscriber: f"subscriber_{subscriber.pk}_title")
        return super()._get_title_column(field_name, *args, **kwargs)

    @cached_property
    def columns(self):
        columns = super().columns
        if self.can_act_in_bulk:
            columns = [BulkActionsCheckboxColumn("bulk_actions", obj_type="subscriber"), *columns]
        return columns

    @cached_property
    def can_act_in_bulk(self):
        return self.user_has_any_permission(["change", "delete"])

    @cached_property
    def import_url(self):
        if self.user_has_permission("add"):
            return reverse(f"{VIEWSET_NAME}:import")
        return None

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.import_url:
            buttons.append(
                HeaderButton(_("Import"), url=self.import_url, icon_name="upload", priority=20)
            )
        return buttons

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["subscriber_counts"] = subscriber_counts()
        context["group_counts"] = group_counts()
        context["can_act_in_bulk"] = self.can_act_in_bulk
        return context


# Adding and editing


class SubscriberCreateForm(WagtailAdminModelForm):
    PENDING, SUBSCRIBED = "pending", "subscribed"

    add_as = forms.ChoiceField(
        label=gettext_lazy("How to add"),
        choices=[
            (
                PENDING,
                gettext_lazy(
                    "Send a confirmation e-mail: the person is subscribed when they confirm"
                ),
            ),
            (
                SUBSCRIBED,
                gettext_lazy(
                    "Subscribe now: the person has already agreed (record where and when below)"
                ),
            ),
        ],
        initial=PENDING,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Subscriber
        fields = ["email", "name", "language", "consent_source", "consent_at"]
        labels = {
            "consent_source": gettext_lazy("Where the person agreed"),
            "consent_at": gettext_lazy("When the person agreed"),
        }
        help_texts = {
            "consent_source": gettext_lazy(
                "Needed to subscribe someone now, e.g. “sign-up sheet, buyers' forum, Dhaka, "
                "3 March 2026”."
            ),
            "consent_at": gettext_lazy("Leave empty to use the current time."),
        }

    field_order = ["email", "name", "language", "add_as", "consent_source", "consent_at"]

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        existing = Subscriber.objects.with_email(email).first()
        if existing is not None:
            raise ValidationError(
                _("This address is already on the list (%(status)s).")
                % {"status": existing.get_status_display()},
                code="unique",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("add_as") == self.SUBSCRIBED:
            if not (cleaned.get("consent_source") or "").strip():
                self.add_error(
                    "consent_source",
                    _(
                        "Record where the person agreed before subscribing them without a "
                        "confirmation e-mail."
                    ),
                )
            email = cleaned.get("email")
            if email and SuppressedAddress.is_suppressed(email):
                self.add_error(
                    "add_as",
                    _(
                        "This address was erased at the person's request. Send a confirmation "
                        "e-mail instead: the person can subscribe again by confirming."
                    ),
                )
        return cleaned

    def save(self, commit=True):
        subscriber = super().save(commit=False)
        subscriber.source = Source.ADMIN
        now = timezone.now()
        who = officer_name(self.for_user) if self.for_user else "?"
        if self.cleaned_data["add_as"] == self.SUBSCRIBED:
            subscriber.status = Status.SUBSCRIBED
            subscriber.confirmed_at = now
            subscriber.consent_at = subscriber.consent_at or now
            subscriber.consent_text = _(
                "Recorded by %(officer)s in the admin: the person agreed to receive the "
                "newsletter (%(source)s)."
            ) % {"officer": who, "source": subscriber.consent_source}
        else:
            subscriber.status = Status.PENDING
            subscriber.consent_at = None
            subscriber.consent_text = ""
            subscriber.consent_source = _(
                "Added by %(officer)s in the admin; consent by confirming the e-mail"
            ) % {"officer": who}
        if commit:
            subscriber.save()
        return subscriber


class SubscriberEditForm(WagtailAdminModelForm):
    new_consent_source = forms.CharField(
        label=gettext_lazy("Where the person agreed again"),
        max_length=Subscriber._meta.get_field("consent_source").max_length,
        required=False,
        help_text=gettext_lazy(
            "Needed to make someone subscribed, e.g. “e-mail to the office, 3 March 2026”."
        ),
    )

    class Meta:
        model = Subscriber
        fields = ["name", "language", "status", "labels"]
        widgets = {"labels": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.old = {"name": self.instance.name, "language": self.instance.language}
        self.old_status = self.instance.status
        allowed = STATUS_TRANSITIONS.get(self.old_status, set()) | {self.old_status}
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value in allowed
        ]
        self.fields["status"].help_text = _(
            "Only the person can confirm a pending sign-up, unless you record where they agreed."
        )
        if self.old_status == Status.SUBSCRIBED:
            del self.fields["new_consent_source"]
        self.log_entries = []

    def clean(self):
        cleaned = super().clean()
        becomes_subscribed = (
            cleaned.get("status") == Status.SUBSCRIBED and self.old_status != Status.SUBSCRIBED
        )
        if becomes_subscribed and not (cleaned.get("new_consent_source") or "").strip():
            self.add_error(
                "new_consent_source",
                _("Record where the person agreed before making them subscribed."),
            )
        return cleaned

    def save(self, commit=True):
        subscriber = super().save(commit=False)
        now = timezone.now()
        entries = []
        if subscriber.name != self.old["name"]:
            entries.append(("wagtail.edit", {"fields": ["name"]}))
        if subscriber.language != self.old["language"]:
            entries.append(
                (
                    "newsletter.language",
                    {"from": self.old["language"], "to": subscriber.language, "via": "admin"},
                )
            )
        if subscriber.status != self.old_status:
            data = {"from": self.old_status, "via": "admin"}
            if subscriber.status == Status.SUBSCRIBED:
                source = self.cleaned_data["new_consent_source"].strip()
                subscriber.confirmed_at = now
                subscriber.unsubscribed_at = None
                subscriber.consent_at = now
                subscriber.consent_source = source
                subscriber.consent_text = _(
                    "Recorded by %(officer)s in the admin: the person agreed again to receive "
                    "the newsletter (%(source)s)."
                ) % {
                    "officer": officer_name(self.for_user) if self.for_user else "?",
                    "source": source,
                }
                data["consent_source"] = source
            elif subscriber.status == Status.UNSUBSCRIBED:
                subscriber.unsubscribed_at = now
            entries.append((STATUS_LOG_ACTIONS[subscriber.status], data))
        if "labels" in self.changed_data:
            names = [label.name for label in self.cleaned_data["labels"]]
            entries.append(("newsletter.labels", {"labels": names}))
        self.log_entries = entries
        if commit:
            subscriber.save()
            self.save_m2m()
        return subscriber


class SubscriberCreateView(generic.CreateView):
    def save_instance(self):
        subscriber = self.form.save()
        log(
            instance=subscriber,
            action="newsletter.admin_add",
            user=self.request.user,
            data={"status": subscriber.status, "consent_source": subscriber.consent_source},
        )
        if subscriber.status == Status.PENDING:
            transaction.on_commit(partial(send_confirmation_task.enqueue, subscriber.pk))
        return subscriber

    def get_success_message(self, instance):
        if instance.status == Status.PENDING:
            return _(
                "%(email)s added: a confirmation e-mail is on its way. They are subscribed once "
                "they confirm."
            ) % {"email": instance.email}
        return _("%(email)s subscribed.") % {"email": instance.email}


class SubscriberEditView(generic.EditView):
    def save_instance(self):
        subscriber = self.form.save()
        for action, data in self.form.log_entries:
            log(instance=subscriber, action=action, user=self.request.user, data=data)
        return subscriber


class SubscriberDeleteView(generic.DeleteView):
    page_title = gettext_lazy("Erase")
    success_message = gettext_lazy("%(model_name)s '%(object)s' erased.")

    @property
    def confirmation_message(self):
        return _(
            "Erase this subscriber? Their data and history are deleted for good; only a "
            "fingerprint of the address is kept, so that no import can add it back."
        )

    def get_usage_url(self):
        return None  # nothing refers to a subscriber

    def delete_action(self):
        with transaction.atomic():
            erase_subscriber(self.object, user=self.request.user)


# Import


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 CSV with the columns email, name and language (bn or en), or a Mailchimp "
            "audience export. The first line names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language where the file gives none"),
        choices=Subscriber._meta.get_field("language").choices,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file: change nothing and show what would happen"),
        required=False,
    )
    consent = forms.BooleanField(
        label=CONSENT_DECLARATION,
        error_messages={
            "required": gettext_lazy(
                "Tick the box: only people who agreed to receive the newsletter may be imported."
            )
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB: split it and import each part.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class SubscriberImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Subscriber
    permission_required = "add"
    form_class = ImportForm
    template_name = "newsletter/admin/import.html"
    page_title = gettext_lazy("Import subscribers")
    header_icon = "upload"
    index_url_name = f"{VIEWSET_NAME}:index"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Subscriber._meta.verbose_name_plural),
            },
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        upload.seek(0)
        try:
            report = import_subscribers(
                upload.file,
                file_name=upload.name,
                default_language=form.cleaned_data["language"],
                dry_run=form.cleaned_data["dry_run"],
                user=self.request.user,
            )
        except UnreadableFile as exc:
            form.add_error("file", _("%(error)s Nothing was changed.") % {"error": exc})
            return self.form_invalid(form)
        except IntegrityError:
            form.add_error(
                "file",
                _(
                    "Somebody signed up with an address from the file during the import. Nothing "
                    "was changed: import the file again."
                ),
            )
            return self.form_invalid(form)
        if report.dry_run:
            messages.info(self.request, _("Dry run: nothing was changed."))
        else:
            messages.success(
                self.request,
                _("Import done: %(added)d added, %(updated)d updated, %(skipped)d skipped.")
                % {
                    "added": report.added,
                    "updated": report.updated,
                    "skipped": report.skipped_count,
                },
            )
        context = self.get_context_data(
            form=self.form_class(initial={"language": form.cleaned_data["language"]}),
            report=report,
            shown_skipped=report.skipped[:SHOWN_SKIPPED_LINES],
            more_skipped=max(0, report.skipped_count - SHOWN_SKIPPED_LINES),
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["index_url"] = reverse(self.index_url_name)
        return context


# Bulk actions


class SubscriberBulkAction(PermissionCheckedMixin, BulkAction):
    models = [Subscriber]

    def get_all_objects_in_listing_query(self, parent_id):
        """ "Select all" means everyone the listing shows: same search, same filters."""
        return listing_queryset(self.request).values_list("pk", flat=True)

    def object_context(self, subscriber):
        return {
            "item": subscriber,
            "edit_url": reverse(f"{VIEWSET_NAME}:edit", args=(quote(subscriber.pk),)),
        }

    def get_execution_context(self):
        return {"user": self.request.user}


class UnsubscribeBulkAction(SubscriberBulkAction):
    display_name = gettext_lazy("Unsubscribe")
    action_type = "unsubscribe"
    aria_label = gettext_lazy("Unsubscribe the selected subscribers")
    template_name = "newsletter/admin/confirm_bulk_unsubscribe.html"
    action_priority = 20
    permission_required = "change"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        """Stop sending to pending and subscribed people; bounced and complained stay so."""
        now = timezone.now()
        targets = [s for s in objects if s.status in (Status.PENDING, Status.SUBSCRIBED)]
        for start in range(0, len(targets), BULK_CHUNK):
            chunk = targets[start : start + BULK_CHUNK]
            Subscriber.objects.filter(pk__in=[s.pk for s in chunk]).update(
                status=Status.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now
            )
            for subscriber in chunk:
                log(
                    instance=subscriber,
                    action="newsletter.unsubscribe",
                    user=user,
                    data={"via": "admin", "from": subscriber.status},
                )
        return len(targets), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d subscriber unsubscribed.",
            "%(count)d subscribers unsubscribed.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class LabelForm(forms.Form):
    label = forms.ModelChoiceField(
        label=gettext_lazy("Label"), queryset=Label.objects.all(), required=False
    )
    new_label = forms.CharField(label=gettext_lazy("or a new label"), max_length=80, required=False)
    remove = forms.BooleanField(
        label=gettext_lazy("Remove this label instead of adding it"), required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("label") and not data.get("new_label", "").strip():
            raise ValidationError(_("Choose a label or type a new one."))
        return data

    def chosen_label(self):
        if self.cleaned_data.get("label"):
            return self.cleaned_data["label"]
        return Label.objects.get_or_create(name=self.cleaned_data["new_label"].strip())[0]


class LabelBulkAction(SubscriberBulkAction):
    display_name = gettext_lazy("Label")
    action_type = "label"
    aria_label = gettext_lazy("Add a label to the selected subscribers")
    template_name = "newsletter/admin/confirm_bulk_label.html"
    action_priority = 10
    permission_required = "change"
    form_class = LabelForm

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            "label": self.cleaned_form.chosen_label(),
            "remove": self.cleaned_form.cleaned_data["remove"],
        }

    @classmethod
    def execute_action(cls, objects, user=None, label=None, remove=False, **kwargs):
        if remove:
            label.subscribers.remove(*objects)
        else:
            label.subscribers.add(*objects)
        for subscriber in objects:
            log(
                instance=subscriber,
                action="newsletter.labels",
                user=user,
                data={"removed" if remove else "added": label.name},
            )
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Label changed on %(count)d subscriber.",
            "Label changed on %(count)d subscribers.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class EraseBulkAction(SubscriberBulkAction):
    display_name = gettext_lazy("Delete")
    action_type = "delete"
    aria_label = gettext_lazy("Erase the selected subscribers")
    template_name = "newsletter/admin/confirm_bulk_erase.html"
    action_priority = 30
    classes = {"serious"}
    permission_required = "delete"

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for subscriber in objects:
            erase_subscriber(subscriber, user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d subscriber erased.",
            "%(count)d subscribers erased.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


# Viewset


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "user"
    menu_label = gettext_lazy("Subscribers")
    add_to_reference_index = False  # a subscriber refers to nothing
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "email",
        "name",
        "language",
        "status",
        "source",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
        "confirmation_sent_at",
        "consent_source",
        "consent_at",
        "consent_text",
    ]

    index_view_class = SubscriberIndexView
    add_view_class = SubscriberCreateView
    edit_view_class = SubscriberEditView
    delete_view_class = SubscriberDeleteView
    index_template_name = "newsletter/admin/subscriber_index.html"

    list_display = [
        "email",
        "name",
        "language",
        "status",
        "source",
        DateColumn("signed_up_at", label=gettext_lazy("Signed up"), sort_key="signed_up_at"),
        DateColumn("confirmed_at", label=gettext_lazy("Confirmed"), sort_key="confirmed_at"),
    ]
    list_per_page = 50
    filterset_class = SubscriberFilterSet
    search_fields = ["email", "name"]
    search_backend_name = None  # plain database search: subscribers are not in the search index
    list_export = [
        "email",
        "name",
        "language",
        "status",
        "source",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
        "consent_source",
        "consent_at",
        "group",
        "label_names",
    ]
    export_headings = {
        "email": "email",
        "name": "name",
        "language": "language",
        "status": "status",
        "source": "source",
        "signed_up_at": "signed_up_at",
        "confirmed_at": "confirmed_at",
        "unsubscribed_at": "unsubscribed_at",
        "consent_source": "consent_source",
        "consent_at": "consent_at",
        "group": "group",
        "label_names": "labels",
    }
    export_filename = "newsletter-subscribers"

    def get_form_class(self, for_update=False):
        return SubscriberEditForm if for_update else SubscriberCreateForm

    @property
    def import_view(self):
        return SubscriberImportView.as_view()

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", self.import_view, name="import"),
        ]


class LabelViewSet(ModelViewSet):
    """Labels officers apply to subscribers (one at a time on the edit form, or in bulk)."""

    model = Label
    icon = "tag"
    menu_label = gettext_lazy("Labels")
    add_to_reference_index = False
    copy_view_enabled = False
    form_fields = ["name"]
    list_display = [
        "name",
        Column("subscriber_count", label=gettext_lazy("Subscribers"), sort_key="subscriber_count"),
    ]
    search_fields = ["name"]
    search_backend_name = None

    def get_queryset(self, request):
        return Label.objects.annotate(subscriber_count=Count("subscribers"))


def segment_rules(segment):
    return Audience.from_json(segment.rules).describe()


class SegmentViewSet(ModelViewSet):
    """Saved segments (made on the send screen): their rules in words, renamed or deleted here.
    A send keeps its own copy of the rules, so deleting a segment changes no send."""

    model = Segment
    icon = "group"
    menu_label = gettext_lazy("Segments")
    add_to_reference_index = False
    copy_view_enabled = False
    form_fields = ["name"]
    list_display = ["name", Column("rules", label=gettext_lazy("Who"), accessor=segment_rules)]
    search_fields = ["name"]
    search_backend_name = None


class NewsletterViewSetGroup(ViewSetGroup):
    """The "Newsletter" menu. Other newsletter viewsets can join `items`, or register menu items
    with the `register_newsletter_menu_item` hook."""

    menu_label = gettext_lazy("Newsletter")
    menu_icon = "mail"
    menu_order = 250
    submenu_hook = "register_newsletter_menu_item"
    items = (
        IssueViewSet(ISSUES, url_prefix="newsletter/issues"),
        SendViewSet(SENDS, url_prefix="newsletter/sends"),
        SubscriberViewSet(VIEWSET_NAME, url_prefix="newsletter/subscribers"),
        LabelViewSet("newsletter_labels", url_prefix="newsletter/labels"),
        SegmentViewSet("newsletter_segments", url_prefix="newsletter/segments"),
    )
