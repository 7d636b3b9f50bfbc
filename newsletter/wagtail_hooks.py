"""Admin integration of the newsletter: log actions shown in a subscriber's history, viewsets."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = [
    ("newsletter.signup", _("Sign-up"), _("Signed up through the form")),
    ("newsletter.confirmation_sent", _("Confirmation sent"), _("Confirmation e-mail sent")),
    ("newsletter.confirm", _("Confirm"), _("Confirmed the subscription")),
    ("newsletter.unsubscribe", _("Unsubscribe"), _("Unsubscribed")),
    ("newsletter.language", _("Change language"), _("Changed the newsletter language")),
    ("newsletter.import", _("Import"), _("Imported")),
    ("newsletter.admin_add", _("Added by an officer"), _("Added by an officer")),
    ("newsletter.bounce", _("Bounce"), _("Marked as bounced")),
    ("newsletter.complaint", _("Complaint"), _("Marked as complained")),
    ("newsletter.test_send", _("Test sent"), _("Test of the newsletter sent")),
    ("newsletter.send_created", _("Send created"), _("Sending of the newsletter requested")),
    ("newsletter.send_done", _("Send finished"), _("Sending of the newsletter finished")),
]


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)


# The subscriber admin (newsletter/admin_views.py): the "Newsletter" menu and its bulk actions.
from .admin_views import EraseBulkAction, NewsletterViewSetGroup, UnsubscribeBulkAction  # noqa: E402


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterViewSetGroup()


hooks.register("register_bulk_action", UnsubscribeBulkAction)
hooks.register("register_bulk_action", EraseBulkAction)


# Newsletter issues: "Readiness and test send" beside the page's other header actions.
from django.urls import path, reverse  # noqa: E402
from wagtail.admin.widgets.button import Button  # noqa: E402

from .issue_admin import IssueTestView  # noqa: E402
from .models import NewsletterIssuePage  # noqa: E402


@hooks.register("register_admin_urls")
def register_issue_urls():
    return [
        path(
            "newsletter/issues/<int:page_id>/test/",
            IssueTestView.as_view(),
            name="newsletter_issue_test",
        )
    ]


@hooks.register("register_page_header_buttons")
def issue_test_button(page, user, view_name, next_url=None):
    if page.specific_class is NewsletterIssuePage and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Readiness and test send"),
            url=reverse("newsletter_issue_test", args=[page.pk]),
            icon_name="mail",
            priority=12,
        )
