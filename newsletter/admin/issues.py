"""Admin views of a newsletter issue: readiness per language and "Send test"."""

import logging
import smtplib

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ..addresses import normalize_email
from ..links import recipient_links, sample_links
from ..messages import edition_message, header_problems
from ..models import NewsletterIssuePage, Subscriber
from ..readiness import readiness

logger = logging.getLogger(__name__)
MAX_TEST_RECIPIENTS = 10


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label=gettext_lazy("Send to"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Up to 10 addresses, separated by commas or on separate lines. Subscribers among them "
            "get their own working links; the others get links to the sign-up page."
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
        return list(dict.fromkeys(addresses))


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
        return context

    def form_valid(self, form):
        self.report = readiness(self.issue)
        chosen = form.cleaned_data["editions"]
        editions = [
            entry.edition
            for entry in self.report
            if entry.edition
            and (chosen == entry.language or (chosen == "all" and not entry.bilingual))
        ]
        if not editions:
            form.add_error("editions", _("This edition does not exist yet: translate the issue."))
            return self.form_invalid(form)
        addresses = form.cleaned_data["addresses"]
        broken = [e.language for e in editions if header_problems(e)]
        if broken:
            messages.error(
                self.request,
                _("The subject or preheader has a line break (%(languages)s): fix it first.")
                % {"languages": ", ".join(broken)},
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
            data={"editions": [e.language for e in editions], "recipients": len(addresses)},
        )
        messages.success(
            self.request,
            ngettext("%(count)d test message sent.", "%(count)d test messages sent.", sent)
            % {"count": sent},
        )
        return self.render_to_response(self.get_context_data(form=form))
