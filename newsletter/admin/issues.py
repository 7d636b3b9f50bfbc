"""Admin views of newsletter issues: Newsletter → Issues (the listing, with each language's
status and the last send), and an issue's readiness per language with "Send test"."""

import datetime
import logging
import smtplib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import PageTitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.log_actions import log
from wagtail.models import Locale, PageLogEntry

from website.formatting import format_date, format_number

from ..addresses import normalize_email
from ..audiences import Audience
from ..languages import BOTH, language_name
from ..links import recipient_links, sample_links
from ..messages import edition_message
from ..models import (
    DeliveryStatus,
    NewsletterArchivePage,
    NewsletterIssuePage,
    NewsletterSettings,
    Segment,
    Send,
    Subscriber,
)
from ..readiness import readiness
from .sends import ISSUES, can_send

logger = logging.getLogger(__name__)
MAX_TEST_RECIPIENTS = 10
SEGMENT_SAMPLE = 10  # a test "as a segment receives it": the editions of its first recipients


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label=gettext_lazy("Send to"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Up to 10 addresses, separated by commas or on separate lines: people with an account "
            "in this admin, or addresses at the domains allowed under Settings → Newsletter "
            "settings. Subscribers among them get their own working links; the others get links "
            "to the sign-up page."
        ),
    )
    editions = forms.ChoiceField(
        label=gettext_lazy("Editions"),
        choices=[
            ("all", gettext_lazy("Both editions")),
            ("en", gettext_lazy("English only")),
            ("bn", gettext_lazy("Bangla only")),
            ("both", gettext_lazy("The edition for readers of both languages")),
        ],
        initial="all",
    )
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Or as a saved segment receives it"),
        queryset=Segment.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The editions of the segment's first 10 recipients, instead of the choice above."
        ),
    )

    def __init__(self, *args, allowed_domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_domains = set(allowed_domains)
        self.fields["segment"].queryset = Segment.objects.all()
        if not self.fields["segment"].queryset.exists():
            del self.fields["segment"]  # nothing to choose yet

    def clean_addresses(self):
        raw = [
            part.strip() for part in self.cleaned_data["addresses"].replace("\n", ",").split(",")
        ]
        addresses, invalid = [], []
        for address in filter(None, raw):
            try:
                validate_email(address)
                addresses.append(normalize_email(address))
            except ValidationError:
                invalid.append(address)
        if invalid:
            raise ValidationError(
                _("Not valid e-mail addresses: %(addresses)s") % {"addresses": ", ".join(invalid)}
            )
        if not addresses:
            raise ValidationError(_("Give at least one address."))
        if len(addresses) > MAX_TEST_RECIPIENTS:
            raise ValidationError(
                _("A test goes to %(max)d addresses at most.") % {"max": MAX_TEST_RECIPIENTS}
            )
        refused = not_allowed(addresses, self.allowed_domains)
        if refused:
            raise ValidationError(
                _(
                    "Tests go only to people with an account in this admin or to the domains "
                    "allowed under Settings → Newsletter settings. Not allowed: %(addresses)s"
                )
                % {"addresses": ", ".join(refused)}
            )
        return list(dict.fromkeys(addresses))


def not_allowed(addresses, domains):
    """The addresses that may not receive a test: neither an active admin user's (any case)
    nor at one of `domains`. A test is the real newsletter: the test view is no mail relay."""
    lowered = {address.lower() for address in addresses}
    accounts = {
        user.email.lower()
        for user in get_user_model()
        .objects.annotate(lower_email=Lower("email"))
        .filter(is_active=True, lower_email__in=lowered)
        if user.has_perm("wagtailadmin.access_admin")
    }
    return [
        address
        for address in addresses
        if address.lower() not in accounts and address.rpartition("@")[2].lower() not in domains
    ]


def tests_sent_today(user):
    """Test messages `user` sent in the last 24 hours (from the issues' history)."""
    since = timezone.now() - datetime.timedelta(hours=24)
    entries = PageLogEntry.objects.filter(
        user=user, action="newsletter.test_send", timestamp__gte=since
    )
    return sum(
        (entry.data or {}).get("messages")
        or len((entry.data or {}).get("editions", [])) * (entry.data or {}).get("recipients", 0)
        for entry in entries
    )


def test_editions(report, chosen, user):
    """The editions to send for the choice (`all`: each language's; a language; `both`) and,
    for each chosen edition that is not sent, why: not translated, not the user's to edit (a
    translator may not send the English edition), or a header with a line break."""
    editions, not_sent = [], []
    pages = [entry.page for entry in report if not entry.bilingual]
    for entry in report:
        if not (chosen == entry.language or (chosen == "all" and not entry.bilingual)):
            continue
        name = {"language": language_name(entry.language)}
        own = pages if entry.bilingual else [entry.page]
        if entry.edition is None:
            not_sent.append(
                _("%(language)s edition not sent: the issue is not translated yet.") % name
            )
        elif not all(page and page.permissions_for_user(user).can_edit() for page in own):
            not_sent.append(
                _("%(language)s edition not sent: only those who may edit it can test it.") % name
            )
        elif entry.line_breaks:
            not_sent.append(
                _("%(language)s edition not sent: its subject or preheader has a line break.")
                % name
            )
        else:
            editions.append(entry.edition)
    if chosen == BOTH and not any(entry.bilingual for entry in report):
        not_sent.append(
            _(
                "%(language)s edition not sent: it needs the issue in both languages; translate "
                "it first."
            )
            % {"language": language_name(BOTH)}
        )
    return editions, not_sent


def segment_languages(segment, issue):
    """The edition languages of the first SEGMENT_SAMPLE people a send of `issue` to `segment`
    would reach, in the order met."""
    recipients = Audience.from_json(segment.rules).recipients(issue).order_by("pk")
    return list(dict.fromkeys(recipients.values_list("language", flat=True)[:SEGMENT_SAMPLE]))


def send_test(editions, addresses):
    """Send each edition to each address over one connection; returns the number sent.

    SMTP errors propagate: the view reports them and nothing is marked as sent.
    """
    subscribers = {s.email.lower(): s for s in Subscriber.objects.filter(email__in=addresses)}
    messages_ = []
    for edition in editions:
        for address in addresses:
            subscriber = subscribers.get(address.lower())
            links = recipient_links(subscriber) if subscriber else sample_links(edition.language)
            messages_.append(edition_message(edition, address, links, test=True))
    with get_connection() as connection:
        return connection.send_messages(messages_) or 0


class IssueTestView(WagtailAdminTemplateMixin, FormView):
    """Readiness per language and "Send test", for those who may edit the issue's page. Tests
    go to admin users or allowed domains, at most NEWSLETTER_TEST_DAILY_LIMIT messages a day
    per user, and each edition only for those who may edit it."""

    form_class = TestSendForm
    template_name = "newsletter/admin/issue_test.html"
    page_title = gettext_lazy("Readiness and test send")
    header_icon = "mail"

    def dispatch(self, request, page_id):
        self.issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
        if not self.issue.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        self.issue = self.issue.get_latest_revision_as_object()
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.issue.title

    def get_initial(self):
        return {"addresses": self.request.user.email}

    def get_form_kwargs(self):
        domains = NewsletterSettings.for_request(self.request).allowed_domains()
        return {**super().get_form_kwargs(), "allowed_domains": domains}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.issue.pk]),
                "label": self.issue.title,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issue"] = self.issue
        context["report"] = getattr(self, "report", None) or readiness(self.issue)
        limit = settings.NEWSLETTER_TEST_DAILY_LIMIT
        context["daily_limit"] = format_number(limit)
        context["left_today"] = format_number(max(0, limit - tests_sent_today(self.request.user)))
        return context

    def form_valid(self, form):
        self.report = readiness(self.issue)
        segment = form.cleaned_data.get("segment")
        chosen = (
            segment_languages(segment, self.issue) if segment else [form.cleaned_data["editions"]]
        )
        if not chosen:
            form.add_error(
                "segment",
                _("This segment matches nobody who has not received the issue: nothing to test."),
            )
            return self.form_invalid(form)
        editions, not_sent = [], []
        for choice in chosen:
            chosen_editions, reasons = test_editions(self.report, choice, self.request.user)
            editions += chosen_editions
            not_sent += reasons
        if not editions:
            for reason in not_sent or [_("Nothing to send.")]:
                form.add_error("editions", reason)
            return self.form_invalid(form)
        addresses = form.cleaned_data["addresses"]
        count = len(editions) * len(addresses)
        used, limit = tests_sent_today(self.request.user), settings.NEWSLETTER_TEST_DAILY_LIMIT
        if used + count > limit:
            form.add_error(
                None,
                _(
                    "This test would send %(count)s messages, and you have sent %(used)s of your "
                    "%(limit)s test messages of the last 24 hours. Send fewer, or later."
                )
                % {
                    "count": format_number(count),
                    "used": format_number(used),
                    "limit": format_number(limit),
                },
            )
            return self.form_invalid(form)
        try:
            sent = send_test(editions, addresses)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("Test send of issue %s failed: %s", self.issue.pk, exc)
            messages.error(
                self.request,
                _("The mail server refused the test (%(error)s). Nothing was sent; try again.")
                % {"error": exc},
            )
            return self.form_invalid(form)
        log(
            instance=self.issue,
            action="newsletter.test_send",
            user=self.request.user,
            data={
                "editions": [e.language for e in editions],
                "recipients": len(addresses),
                "messages": sent,
            },
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)s test message sent (%(editions)s).",
                "%(count)s test messages sent (%(editions)s).",
                sent,
            )
            % {
                "count": format_number(sent),
                "editions": ", ".join(language_name(e.language) for e in editions),
            },
        )
        for reason in not_sent:
            messages.warning(self.request, reason)
        return redirect(self.request.path)


# Newsletter → Issues


def source_archive():
    """The archive new issues are created under: the source language's (translators make the
    Bangla page from it)."""
    return (
        NewsletterArchivePage.objects.filter(locale=Locale.get_default()).order_by("path").first()
    )


def language_statuses(page, translations):
    """Each site language's state of the issue, for the listing: ("English", "live"), ..."""
    rows = []
    for locale in Locale.objects.order_by("pk"):
        copy = page if locale.pk == page.locale_id else translations.get(locale.pk)
        if copy is None:
            status, label = "missing", _("not translated")
        elif not copy.live:
            status, label = "draft", _("draft")
        elif copy.has_unpublished_changes:
            status, label = "changed", _("live, changes not published")
        else:
            status, label = "live", _("live")
        rows.append(
            {
                "code": locale.language_code,
                "name": language_name(locale.language_code),
                "status": status,
                "label": label,
            }
        )
    return rows


class LanguageStatusColumn(Column):
    cell_template_name = "newsletter/admin/issue_languages_cell.html"


class LastSendColumn(Column):
    cell_template_name = "newsletter/admin/issue_last_send_cell.html"


class IssueIndexView(PageIndexView):
    """One row per issue (its source-language page): the date, each language's state and the
    last send with its figures. "Add issue" creates it under the archive."""

    add_item_label = gettext_lazy("Add issue")
    show_locale_labels = False  # every row is in the source language
    default_ordering = "-issue_date"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(locale=Locale.get_default())

    def get_valid_orderings(self):
        return [*super().get_valid_orderings(), "issue_date", "-issue_date"]

    def get_add_url(self):
        archive = source_archive()
        if archive is None or not archive.permissions_for_user(self.request.user).can_add_subpage():
            return None
        return reverse(
            "wagtailadmin_pages:add", args=["newsletter", "newsletterissuepage", archive.pk]
        )

    def get_context_data(self, **kwargs):
        """Each row's translations and last send, in two queries for the whole page."""
        context = super().get_context_data(**kwargs)
        pages = list(context["object_list"])
        translations = {}
        for copy in NewsletterIssuePage.objects.filter(
            translation_key__in=[page.translation_key for page in pages]
        ).exclude(locale=Locale.get_default()):
            translations.setdefault(copy.translation_key, {})[copy.locale_id] = copy
        last_sends = {}
        for send in (
            Send.objects.filter(issue__in=pages)
            .annotate(
                sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
                failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            )
            .order_by("issue_id", "-pk")
        ):
            last_sends.setdefault(send.issue_id, send)
        for page in pages:
            page.newsletter_languages = language_statuses(
                page, translations.get(page.translation_key, {})
            )
            page.newsletter_last_send = last_sends.get(page.pk)
            page.newsletter_can_send = can_send(self.request.user, page)
        return context


class IssueViewSet(PageListingViewSet):
    model = NewsletterIssuePage
    icon = "mail"
    menu_label = gettext_lazy("Issues")
    name = ISSUES
    index_view_class = IssueIndexView
    columns = [
        PageTitleColumn("title", label=gettext_lazy("Title"), sort_key="title", classname="title"),
        Column(
            "issue_date",
            label=gettext_lazy("Date"),
            accessor=lambda page: format_date(page.issue_date),
            sort_key="issue_date",
        ),
        LanguageStatusColumn("languages", label=gettext_lazy("Status per language")),
        LastSendColumn("last_send", label=gettext_lazy("Last send")),
    ]
