"""Sending in the admin: the "Send" confirmation of an issue, the list of sends, a send's page
with live progress and pause/resume/cancel, and the delivery ledger with filters and CSV export.

Who may do what:
- send, pause, resume and cancel: whoever may publish the issue in the source language
  (officers, superusers), as they could publish it to the web archive. Translators publish the
  Bangla pages only, so they cannot send.
- watch sends and read the ledger: whoever may publish some newsletter page in the source
  language. The ledger lists subscribers' addresses, so translators do not see it either.
Sends and deliveries change only through newsletter.sending, never through generic forms: the
permission policy grants "view" and nothing else.
"""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView, View
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.log_actions import log
from wagtail.models import Locale, Page
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import page_permission_policy

from website.exports import SafeSpreadsheetMixin, csv_safe
from website.formatting import format_datetime, format_number
from website.models import Topic

from .. import sending
from ..audiences import MATCH_ALL, MATCH_ANY, Audience
from ..languages import language_name
from ..models import (
    BOTH,
    LANGUAGE_CHOICES,
    Delivery,
    DeliveryStatus,
    Label,
    NewsletterArchivePage,
    NewsletterIssuePage,
    Segment,
    Send,
    SendState,
    StakeholderGroup,
)
from ..models.sending import PENDING_STATUSES
from ..readiness import LanguageReadiness

SENDS = "newsletter_sends"
ISSUES = "newsletter_issues"
DELIVERIES = "newsletter_deliveries"


# Permissions


def source_issue(issue):
    """The issue in the source language (what a send sends), or None if there is none."""
    page = issue.get_translation_or_none(Locale.get_default())
    return page.specific if page is not None else None


def can_send(user, issue):
    """May `user` send, pause, resume or cancel sends of `issue` (any language's page)?"""
    source = source_issue(issue)
    return source is not None and source.permissions_for_user(user).can_publish()


def may_watch_sends(user):
    """May `user` see sends and their ledger? Anyone who may publish a newsletter page in the
    source language. Remembered on the user object for the rest of the request."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_newsletter_may_watch_sends"):
        publishable = page_permission_policy.instances_user_has_permission_for(user, "publish")
        user._newsletter_may_watch_sends = (
            publishable.filter(locale=Locale.get_default())
            .type(NewsletterArchivePage, NewsletterIssuePage)
            .exists()
        )
    return user._newsletter_may_watch_sends


class SendPermissionPolicy(BasePermissionPolicy):
    """Sends and deliveries: "view" for those who may watch sends, no other action for anyone
    (they are created and changed by newsletter.sending, not by generic forms)."""

    def user_has_permission(self, user, action):
        return action == "view" and may_watch_sends(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and may_watch_sends(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.none()
        if "view" not in actions:
            return users
        for archive in NewsletterArchivePage.objects.filter(locale=Locale.get_default()):
            users |= page_permission_policy.users_with_permission_for_instance("publish", archive)
        return users.distinct()


# Figures


def language_order():
    return {code: number for number, (code, _name) in enumerate(LANGUAGE_CHOICES)}


def format_duration(seconds):
    """A short, rounded duration for an ETA: "40 s", "12 min", "2 h 5 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": format_number(seconds)}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": format_number(minutes)}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min") % {
        "hours": format_number(hours),
        "minutes": format_number(minutes),
    }


def send_figures(send, now=None):
    """What the send page shows, all from the ledger in one query: counts per language and in
    all, the share done, the rate (messages sent per second since the start) and the ETA."""
    now = now or timezone.now()
    names = dict(LANGUAGE_CHOICES)
    progress = send.progress()
    order = language_order()
    languages = []
    totals = dict.fromkeys(("total", "sent", "failed", "skipped", "pending"), 0)
    # The bilingual edition's row only when some readers of both are in the ledger.
    codes = set(progress) | (set(send.editions or {}) - {BOTH})
    for code in sorted(codes, key=lambda c: order.get(c, 99)):
        counts = progress.get(code, {})
        row = {
            "sent": counts.get(DeliveryStatus.SENT, 0),
            "failed": counts.get(DeliveryStatus.FAILED, 0),
            "skipped": counts.get(DeliveryStatus.SKIPPED, 0),
            "pending": sum(counts.get(status, 0) for status in PENDING_STATUSES),
            "total": sum(counts.values()),
        }
        for key, value in row.items():
            totals[key] += value
        languages.append({"code": code, "name": names.get(code, code), **row})
    done = totals["sent"] + totals["failed"] + totals["skipped"]
    rate = eta = None
    if send.started_at:
        elapsed = ((send.finished_at or now) - send.started_at).total_seconds()
        if elapsed > 0:
            rate = totals["sent"] / elapsed
    if send.state == SendState.SENDING and rate and totals["pending"]:
        eta = totals["pending"] / rate
    return {
        "state": send.state,
        "state_label": send.get_state_display(),
        "active": send.is_active,
        "pause_reason": send.pause_reason,
        "languages": languages,
        "totals": totals,
        "done": done,
        "percent": round(100 * done / totals["total"]) if totals["total"] else 0,
        "rate": round(rate, 2) if rate is not None else None,
        "eta_seconds": round(eta) if eta is not None else None,
    }


def shown_figures(figures):
    """The figures as the page writes them, in the admin's language (Bengali digits in bn)."""
    shown = {
        "totals": {key: format_number(value) for key, value in figures["totals"].items()},
        "done": format_number(figures["done"]),
        "percent": format_number(figures["percent"]),
        "rate": format_number(round(figures["rate"], 1)) if figures["rate"] is not None else "",
        "eta": format_duration(figures["eta_seconds"])
        if figures["eta_seconds"] is not None
        else "",
        "languages": [
            {
                **row,
                **{
                    key: format_number(row[key])
                    for key in ("sent", "failed", "skipped", "pending", "total")
                },
            }
            for row in figures["languages"]
        ],
    }
    return shown


def live_readiness(editions):
    """The readiness table's rows for the published pages a send would freeze."""
    names = dict(LANGUAGE_CHOICES)
    report = []
    for code, (page, edition) in editions.items():
        entry = LanguageReadiness(code, names.get(code, code), page=page, edition=edition)
        if page is not None:
            entry.edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        report.append(entry)
    order = language_order()
    return sorted(report, key=lambda entry: order.get(entry.language, 99))


def active_send(issue):
    return Send.objects.active().filter(issue=issue).order_by("-pk").first()


def speed_text(max_rate):
    """A send's speed limit in words: "At most 600 e-mails per minute", or "No speed limit"."""
    if not max_rate:
        return _("No speed limit")
    per_minute = max(1, round(max_rate * 60))
    return ngettext(
        "At most %(count)s e-mail per minute", "At most %(count)s e-mails per minute", per_minute
    ) % {"count": format_number(per_minute)}


def send_url(send):
    return reverse(f"{SENDS}:detail", args=[send.pk])


def ledger_url(send, **params):
    query = "&".join(f"{key}={value}" for key, value in {"send": send.pk, **params}.items())
    return f"{reverse(f'{DELIVERIES}:index')}?{query}"


# The "Send" confirmation of an issue


class DhakaDateTimeField(forms.DateTimeField):
    """A date-time read as Dhaka time (the site's TIME_ZONE), whatever the officer's own."""

    def to_python(self, value):
        with timezone.override(settings.TIME_ZONE):
            return super().to_python(value)


class SendForm(forms.Form):
    allow_fallback = forms.BooleanField(
        label=gettext_lazy("Send English items in place of untranslated ones"),
        required=False,
        help_text=gettext_lazy(
            "Without this, the send is refused while a language has untranslated items."
        ),
    )
    send_at = DhakaDateTimeField(
        label=gettext_lazy("Send at (Dhaka time)"),
        required=False,
        widget=AdminDateTimeInput,
        help_text=gettext_lazy("Leave empty to start now. Written as 2027-01-15 09:30."),
    )
    per_minute = forms.IntegerField(
        label=gettext_lazy("At most this many e-mails per minute"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"placeholder": gettext_lazy("no limit")}),
        help_text=gettext_lazy(
            "Leave empty for no limit. If your e-mail provider allows so many an hour, divide "
            "by 60."
        ),
    )

    # Who it goes to: everyone (nothing chosen), a saved segment, or the rules below.
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Saved segment"),
        queryset=Segment.objects.all(),
        required=False,
        empty_label=gettext_lazy("None: use the choices below"),
    )
    groups = forms.MultipleChoiceField(
        label=gettext_lazy("Stakeholder groups"),
        choices=StakeholderGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics of interest"),
        queryset=Topic.objects.filter(locale__language_code=settings.LANGUAGE_CODE),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    labels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Labels"),
        queryset=Label.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    match = forms.ChoiceField(
        label=gettext_lazy("People who match"),
        choices=[
            (MATCH_ANY, gettext_lazy("any of the chosen groups, topics and labels")),
            (MATCH_ALL, gettext_lazy("all of them (a group, a topic and a label)")),
        ],
        initial=MATCH_ANY,
        required=False,
        widget=forms.RadioSelect,
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Only these languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: both."),
    )
    save_as = forms.CharField(
        label=gettext_lazy("Save these choices as a segment named"),
        max_length=120,
        required=False,
    )
    resend = forms.BooleanField(
        label=gettext_lazy("Also send to people who already received this issue"),
        required=False,
        help_text=gettext_lazy(
            "By default a later send of an issue goes only to those it has not reached yet."
        ),
    )
    confirm_resend = forms.BooleanField(
        label=gettext_lazy("Yes, they will receive this issue a second time"),
        required=False,
    )

    def __init__(self, *args, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue = issue

    def clean_send_at(self):
        value = self.cleaned_data["send_at"]
        if value and value < timezone.now() - datetime.timedelta(minutes=1):
            raise ValidationError(_("This time has passed. Leave it empty to start now."))
        return value

    def max_rate(self):
        """The speed limit as a send stores it: messages per second, 0 for none."""
        per_minute = self.cleaned_data.get("per_minute")
        return per_minute / 60 if per_minute else 0

    def clean_save_as(self):
        name = self.cleaned_data["save_as"].strip()
        if name and Segment.objects.filter(name__iexact=name).exists():
            raise ValidationError(_("A segment of this name exists: choose another name."))
        return name

    def audience(self):
        """The Audience the choices name (a saved segment's rules when one is chosen)."""
        data = self.cleaned_data
        if data.get("segment"):
            rules = data["segment"].rules
        else:
            rules = {
                "groups": data.get("groups") or [],
                "topics": [topic.pk for topic in data.get("topics") or []],
                "labels": [label.pk for label in data.get("labels") or []],
                "languages": data.get("languages") or [],
                "match": data.get("match") or MATCH_ANY,
            }
        return Audience.from_json({**rules, "resend": bool(data.get("resend"))})

    def clean(self):
        data = super().clean()
        if self.issue is not None and data.get("resend") and not self.errors:
            again = self.audience().counts(self.issue)["already"]
            if again and not data.get("confirm_resend"):
                self.add_error(
                    "confirm_resend",
                    ngettext(
                        "%(count)s person already received this issue: tick this box to send "
                        "it to them again.",
                        "%(count)s people already received this issue: tick this box to send "
                        "it to them again.",
                        again,
                    )
                    % {"count": format_number(again)},
                )
        return data


def already_text(count, resend):
    """What the send screen says of the audience's people who already received the issue."""
    if not count:
        return ""
    if resend:
        return ngettext(
            "%(count)s of them already received this issue and will receive it again.",
            "%(count)s of them already received this issue and will receive it again.",
            count,
        ) % {"count": format_number(count)}
    return ngettext(
        "%(count)s person already received this issue: left out unless you choose to send it "
        "again.",
        "%(count)s people already received this issue: left out unless you choose to send it "
        "again.",
        count,
    ) % {"count": format_number(count)}


def counts_shown(counts):
    """`Audience.counts` with every figure formatted for the admin's language."""
    return {
        "languages": {code: format_number(n) for code, n in counts["languages"].items()},
        "total": format_number(counts["total"]),
        "already": format_number(counts["already"]),
    }


def recipients_by_language(counts):
    """ "2,901 in Bangla, 1,411 in English": the languages with recipients, most first."""
    order = language_order()
    languages = sorted(
        (code for code, count in counts["languages"].items() if count),
        key=lambda code: (-counts["languages"][code], order.get(code, 99)),
    )
    return ", ".join(
        _("%(count)s in %(language)s")
        % {"count": format_number(counts["languages"][code]), "language": language_name(code)}
        for code in languages
    )


def send_question(issue, counts, scheduled_at=None):
    """What the confirmation asks, as Mailchimp does: "Send “January 2027” to 4,312
    subscribers: 2,901 in Bangla, 1,411 in English?" (with the time when scheduled)."""
    values = {
        "title": issue.title,
        "count": format_number(counts["total"]),
        "languages": recipients_by_language(counts),
    }
    if scheduled_at:
        values["time"] = format_datetime(scheduled_at)
        return (
            ngettext(
                "Send “%(title)s” on %(time)s (Dhaka time) to %(count)s subscriber: %(languages)s?",
                "Send “%(title)s” on %(time)s (Dhaka time) to %(count)s subscribers: "
                "%(languages)s?",
                counts["total"],
            )
            % values
        )
    return (
        ngettext(
            "Send “%(title)s” now to %(count)s subscriber: %(languages)s?",
            "Send “%(title)s” now to %(count)s subscribers: %(languages)s?",
            counts["total"],
        )
        % values
    )


class IssueSendView(WagtailAdminTemplateMixin, FormView):
    """Recipients per language, readiness of the published editions and what blocks the send;
    a first POST shows what will happen (how many people, in which language, when) and asks
    for a confirmation; the confirmed POST calls sending.create_send and goes to the send's page.

    The confirmation carries every field of the form as hidden inputs, so a field added to
    SendForm (another way to choose the audience) travels through it unchanged."""

    form_class = SendForm
    template_name = "newsletter/admin/issue_send.html"
    confirm_template_name = "newsletter/admin/issue_send_confirm.html"
    page_title = gettext_lazy("Send")
    header_icon = "mail"
    confirming = None  # the confirmation's context while it is shown

    def dispatch(self, request, page_id):
        issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
        self.issue = source_issue(issue)
        if self.issue is None:
            raise Http404
        if not self.issue.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.issue.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{ISSUES}:index"), "label": _("Issues")},
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.issue.pk]),
                "label": self.issue.title,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_initial(self):
        rate = settings.NEWSLETTER_MAX_RATE
        return {"per_minute": max(1, round(rate * 60)) if rate else None}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "issue": self.issue}

    def get_template_names(self):
        return [self.confirm_template_name] if self.confirming else super().get_template_names()

    def get(self, request, *args, **kwargs):
        if request.GET.get("count"):
            return self.counts_response()
        return super().get(request, *args, **kwargs)

    def counts_response(self):
        """Recipients per edition language for the audience in the query (the send screen
        updates its table with them as the officer chooses)."""
        form = SendForm(self.request.GET, issue=self.issue, initial=self.get_initial())
        form.is_valid()  # fields that do not validate are left out of the audience
        audience = form.audience()
        counts = audience.counts(self.issue)
        shown = counts_shown(counts)
        shown["already_text"] = already_text(counts["already"], audience.resend)
        shown["count"] = counts["total"]
        return JsonResponse(shown)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.confirming:
            context.update(self.confirming, issue=self.issue, media=context["form"].media)
            return context
        editions = sending.live_editions(self.issue)
        form = context["form"]
        audience = form.audience() if form.is_bound and form.is_valid() else Audience()
        counts = audience.counts(self.issue)
        order = language_order()
        shown = counts_shown(counts)
        problems = sending.edition_problems(editions, allow_fallback=False)
        blocking = sending.edition_problems(editions, allow_fallback=True)
        active = active_send(self.issue)
        fallback_chosen = form.is_bound and form.data.get("allow_fallback") in ("on", "True")
        context.update(
            issue=self.issue,
            media=form.media,
            report=live_readiness(editions),
            recipients=[
                {"code": code, "name": language_name(code), "count": shown["languages"][code]}
                for code in sorted(counts["languages"], key=lambda code: order.get(code, 99))
            ],
            recipients_total=shown["total"],
            nobody=not counts["total"],
            already_text=already_text(counts["already"], audience.resend),
            problems=problems,
            blocking=blocking,
            # The button waits for the fallback choice while only untranslated items stop it.
            needs_fallback=bool(problems) and not blocking and active is None,
            disabled=bool(active or blocking or (problems and not fallback_chosen)),
            drafts=[
                language_name(code)
                for code, (page, _edition) in editions.items()
                if page is not None and page.has_unpublished_changes
            ],
            active=active,
            earlier=Send.objects.filter(issue=self.issue).order_by("-pk")[:10],
        )
        last_done = (
            Send.objects.filter(issue=self.issue, state=SendState.DONE).order_by("-pk").first()
        )
        if last_done is not None:
            context.update(
                last_done=last_done, last_done_sent=format_number(last_done.totals()["sent"])
            )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        if "back" in request.POST:  # from the confirmation to the choices, as they were
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("confirmed") != "yes":
            return self.confirm(form)
        return self.form_valid(form)

    def confirm(self, form):
        """The confirmation: what will happen, or the form again with what stops it."""
        data = form.cleaned_data
        problems = sending.edition_problems(
            sending.live_editions(self.issue), allow_fallback=data["allow_fallback"]
        )
        audience = form.audience()
        counts = audience.counts(self.issue)
        if not counts["total"]:
            problems.append(
                _(
                    "Nobody to send to: the audience matches no confirmed subscriber who has "
                    "not received this issue yet."
                )
            )
        if problems:
            form.add_error(None, _("Not sent; nothing was created:"))
            for problem in problems:
                form.add_error(None, problem)
            return self.form_invalid(form)
        self.confirming = {
            "question": send_question(self.issue, counts, data["send_at"]),
            "audience": audience.describe(),
            "already_text": already_text(counts["already"], audience.resend),
            "speed": speed_text(form.max_rate()),
            "scheduled": bool(data["send_at"]),
            "fallback": data["allow_fallback"],
        }
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        data = form.cleaned_data
        with transaction.atomic():
            # One active send per issue: on PostgreSQL the row lock makes a second officer's
            # simultaneous "Send" wait, then find this one.
            Page.objects.select_for_update().filter(pk=self.issue.pk).first()
            active = active_send(self.issue)
            if active is not None:
                form.add_error(
                    None,
                    _(
                        "This issue is already being sent (%(state)s). Open that send to follow "
                        "it, or cancel it before sending the issue again."
                    )
                    % {"state": active.get_state_display()},
                )
                return self.form_invalid(form)
            try:
                send = sending.create_send(
                    self.issue,
                    user=self.request.user,
                    scheduled_at=data["send_at"],
                    allow_fallback=data["allow_fallback"],
                    max_rate=form.max_rate(),
                    audience=form.audience(),
                )
                if data["save_as"]:
                    Segment.objects.create(name=data["save_as"], rules=form.audience().rules)
            except sending.NotReady as exc:
                form.add_error(None, _("Not sent; nothing was created:"))
                for problem in exc.problems:
                    form.add_error(None, problem)
                return self.form_invalid(form)
        if send.state == SendState.SCHEDULED:
            messages.success(
                self.request,
                _("Send scheduled for %(time)s (Dhaka time).")
                % {"time": format_datetime(send.scheduled_at)},
            )
        elif send.state == SendState.PAUSED:
            messages.warning(self.request, send.pause_reason)
        else:
            messages.success(self.request, _("Sending started."))
        return redirect(send_url(send))


# Sends: listing, page, progress, pause/resume/cancel


class SendIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("issue")
            .annotate(
                sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
                failed_count=Count(
                    "deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)
                ),
                pending_count=Count(
                    "deliveries", filter=Q(deliveries__status__in=PENDING_STATUSES)
                ),
            )
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "issue",
                label=gettext_lazy("Issue"),
                accessor=lambda send: send.issue.title,
                get_url=send_url,
                sort_key="issue__title",
            ),
            StatusTagColumn(
                "state",
                label=gettext_lazy("State"),
                accessor="get_state_display",
                primary=lambda send: send.state == SendState.SENDING,
                sort_key="state",
            ),
            DateColumn("created_at", label=gettext_lazy("Created"), sort_key="created_at"),
            DateColumn("started_at", label=gettext_lazy("Started"), sort_key="started_at"),
            DateColumn("finished_at", label=gettext_lazy("Finished"), sort_key="finished_at"),
            Column(
                "sent_count",
                label=gettext_lazy("Sent"),
                accessor=lambda send: format_number(send.sent_count),
                sort_key="sent_count",
            ),
            Column(
                "failed_count",
                label=gettext_lazy("Failed"),
                accessor=lambda send: format_number(send.failed_count),
                sort_key="failed_count",
            ),
            Column(
                "pending_count",
                label=gettext_lazy("Pending"),
                accessor=lambda send: format_number(send.pending_count),
                sort_key="pending_count",
            ),
        ]


class SendMixin(PermissionCheckedMixin):
    """A view of one send, for those who may watch sends."""

    model = Send
    permission_required = "view"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.send = get_object_or_404(Send.objects.select_related("issue"), pk=kwargs["pk"])

    @cached_property
    def can_control(self):
        return can_send(self.request.user, self.send.issue)

    def check_control(self):
        if not self.can_control:
            raise PermissionDenied


class SendView(SendMixin, WagtailAdminTemplateMixin, TemplateView):
    """A send's page: figures per language, a progress bar, rate and ETA, refreshed every few
    seconds from SendProgressView; pause, resume and cancel for those who may send."""

    template_name = "newsletter/admin/send.html"
    page_title = gettext_lazy("Sending")
    header_icon = "mail"
    refresh_seconds = 5

    def get_page_subtitle(self):
        return self.send.issue.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{SENDS}:index"), "label": capfirst(Send._meta.verbose_name_plural)},
            {"url": "", "label": self.page_title, "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = send_figures(self.send)
        context.update(
            send=self.send,
            figures=figures,
            shown=shown_figures(figures),
            can_control=self.can_control,
            progress_url=reverse(f"{SENDS}:progress", args=[self.send.pk]),
            ledger_url=ledger_url(self.send),
            export_url=ledger_url(self.send, export="csv"),
            issue_url=reverse("wagtailadmin_pages:edit", args=[self.send.issue_id]),
            refresh_seconds=self.refresh_seconds,
            shown_refresh=format_number(self.refresh_seconds),
            speed=speed_text(self.send.max_rate),
            audience=Audience.from_json(self.send.audience).describe(),
        )
        return context


class SendProgressView(SendMixin, View):
    """The send page's figures as JSON (and as the HTML the page swaps in)."""

    def get(self, request, pk):
        figures = send_figures(self.send)
        html = render_to_string(
            "newsletter/admin/send_progress.html",
            {"send": self.send, "figures": figures, "shown": shown_figures(figures)},
            request=request,
        )
        response = JsonResponse({**figures, "state": str(figures["state"]), "html": html})
        response["Cache-Control"] = "no-store"
        return response


class SendControlView(SendMixin, View):
    """Pause or resume (POST only), for those who may send the issue."""

    action = None  # "pause" or "resume"
    http_method_names = ["post"]

    def post(self, request, pk):
        self.check_control()
        send, user = self.send, request.user
        if self.action == "pause":
            reason = _("Paused by %(user)s.") % {
                "user": user.get_full_name() or user.get_username()
            }
            if send.pause(reason):
                log(instance=send.issue, action="newsletter.send_paused", user=user)
                messages.success(request, _("Sending paused. Resume it when you are ready."))
            else:
                messages.error(request, _("Only a send in progress can be paused."))
        elif self.action == "resume":
            if sending.resume(send):
                log(instance=send.issue, action="newsletter.send_resumed", user=user)
                sending.schedule_sweep()  # the sweep stops while no send is active
                send.refresh_from_db()
                if send.state == SendState.PAUSED:
                    messages.warning(request, send.pause_reason)
                else:
                    messages.success(request, _("Sending resumed."))
            else:
                messages.error(request, _("Only a paused send can be resumed."))
        return redirect(send_url(send))


class SendCancelView(SendMixin, WagtailAdminTemplateMixin, TemplateView):
    """Cancel a send, after a confirmation: what is not sent yet is never sent."""

    template_name = "newsletter/admin/send_cancel.html"
    page_title = gettext_lazy("Cancel sending")
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        self.check_control()
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.send.issue.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{SENDS}:index"), "label": capfirst(Send._meta.verbose_name_plural)},
            {"url": send_url(self.send), "label": _("Sending")},
            {"url": "", "label": self.page_title, "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = send_figures(self.send)
        context.update(
            send=self.send,
            pending=format_number(figures["totals"]["pending"]),
            send_url=send_url(self.send),
        )
        return context

    def post(self, request, pk):
        if self.send.cancel():
            log(instance=self.send.issue, action="newsletter.send_cancelled", user=request.user)
            messages.success(request, _("Sending cancelled."))
        else:
            messages.error(request, _("This send is already over."))
        return redirect(send_url(self.send))


class SendViewSet(ModelViewSet):
    model = Send
    icon = "mail"
    menu_label = gettext_lazy("Sends")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = SendIndexView
    form_fields = []  # never edited through a form (the policy refuses add/change/delete)
    list_filter = ["state"]
    list_per_page = 50

    def get_permissions_to_register(self):
        return Permission.objects.none()  # rights come from page publishing, not model perms

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/", SendView.as_view(), name="detail"),
            path("<int:pk>/progress/", SendProgressView.as_view(), name="progress"),
            path("<int:pk>/pause/", SendControlView.as_view(action="pause"), name="pause"),
            path("<int:pk>/resume/", SendControlView.as_view(action="resume"), name="resume"),
            path("<int:pk>/cancel/", SendCancelView.as_view(), name="cancel"),
        ]


# The delivery ledger


class DeliveryFilterSet(WagtailFilterSet):
    send = ModelChoiceFilter(
        label=gettext_lazy("Sending"),
        queryset=Send.objects.select_related("issue"),
        empty_label=gettext_lazy("All"),
    )
    status = ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=DeliveryStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    language = ChoiceFilter(
        label=gettext_lazy("Language"),
        choices=LANGUAGE_CHOICES,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Delivery
        fields = ["send", "status", "language"]


def subscriber_url(delivery):
    if delivery.subscriber_id:
        return reverse("newsletter_subscribers:edit", args=[delivery.subscriber_id])
    return None


class DeliveryIndexView(SafeSpreadsheetMixin, generic.IndexView):
    default_ordering = "pk"  # the order the ledger was written and is worked in

    @cached_property
    def custom_field_preprocess(self):
        described = {}

        def audience(rules):
            """The send's audience in words, looked up once per send of the export."""
            key = json.dumps(rules, sort_keys=True)
            if key not in described:
                described[key] = str(Audience.from_json(rules).describe())
            return described[key]

        return {
            "email": {"csv": csv_safe},
            "last_error": {"csv": csv_safe},
            "audience": {"csv": lambda rules: csv_safe(audience(rules)), "xlsx": audience},
        }

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("subscriber")
            .annotate(email=F("subscriber__email"), audience=F("send__audience"))
        )

    @cached_property
    def chosen_send(self):
        send_id = self.request.GET.get("send", "")
        if send_id.isdigit():
            return Send.objects.select_related("issue").filter(pk=send_id).first()
        return None

    def get_page_subtitle(self):
        if self.chosen_send:
            return str(self.chosen_send.issue.title)
        return super().get_page_subtitle()

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse(f"{SENDS}:index"), "label": capfirst(Send._meta.verbose_name_plural)},
        ]
        if self.chosen_send:
            items.append({"url": send_url(self.chosen_send), "label": _("Sending")})
        items.append({"url": "", "label": self.get_page_title()})
        return items

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "email",
                label=gettext_lazy("E-mail"),
                accessor=lambda delivery: delivery.email or _("(erased)"),
                get_url=subscriber_url,
                sort_key="email",
            ),
            Column("language", label=gettext_lazy("Language"), sort_key="language"),
            StatusTagColumn(
                "status",
                label=gettext_lazy("Status"),
                accessor="get_status_display",
                primary=lambda delivery: delivery.status == DeliveryStatus.SENT,
                sort_key="status",
            ),
            Column("attempts", label=gettext_lazy("Attempts"), sort_key="attempts"),
            Column("last_error", label=gettext_lazy("Last error")),
            DateColumn("sent_at", label=gettext_lazy("Sent"), sort_key="sent_at"),
        ]


class DeliveryViewSet(ModelViewSet):
    """The ledger; reached from a send's page (?send=ID), not from the menu."""

    model = Delivery
    icon = "list-ul"
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = DeliveryIndexView
    form_fields = []
    filterset_class = DeliveryFilterSet
    search_fields = ["subscriber__email"]
    search_backend_name = None
    list_per_page = 50
    list_export = [
        "email",
        "language",
        "status",
        "attempts",
        "last_error",
        "message_id",
        "sent_at",
        "audience",  # whom the send was for, in words
    ]
    export_headings = {field: field for field in list_export}
    export_filename = "newsletter-deliveries"

    def get_permissions_to_register(self):
        return Permission.objects.none()


# The dashboard: the officer's own sends, so a pause or the end of a send is seen at login


class YourSendsPanel(Component):
    """ "Your newsletter sends" on the admin dashboard: the signed-in officer's sends of the last
    NOTICE_DAYS days with their state, figures and the reason of a pause (the same news as the
    e-mail of newsletter.notices, which cannot arrive while the mail server is down)."""

    name = "newsletter_sends"
    template_name = "newsletter/admin/home_sends_panel.html"
    order = 90  # above Wagtail's own panels: a paused send needs the officer
    NOTICE_DAYS = 14

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        since = timezone.now() - datetime.timedelta(days=self.NOTICE_DAYS)
        sends = Send.objects.filter(created_by=request.user, created_at__gte=since).select_related(
            "issue"
        )[:10]
        return {"sends": [(send, send.totals(), send_url(send)) for send in sends]}
