"""Admin integration of the newsletter: log actions shown in a subscriber's history, viewsets."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.sends import DELIVERIES, DeliveryViewSet, SendPermissionPolicy
from .models import Delivery, NewsletterArchivePage, Send
from .parts import PlayMarkOperation

# Before any viewset asks for them: sends and the ledger are for those who may send issues.
register_permission_policy(Send, SendPermissionPolicy(Send))
register_permission_policy(Delivery, SendPermissionPolicy(Delivery))

LOG_ACTIONS = [
    ("newsletter.signup", _("Sign-up"), _("Signed up through the form")),
    ("newsletter.confirmation_sent", _("Confirmation sent"), _("Confirmation e-mail sent")),
    ("newsletter.confirm", _("Confirm"), _("Confirmed the subscription")),
    ("newsletter.welcome_sent", _("Welcome sent"), _("Welcome e-mail sent")),
    ("newsletter.unsubscribe", _("Unsubscribe"), _("Unsubscribed")),
    ("newsletter.language", _("Change language"), _("Changed the newsletter language")),
    ("newsletter.profile", _("About them"), _("Changed their group or topics")),
    ("newsletter.labels", _("Labels"), _("Labels changed")),
    ("newsletter.import", _("Import"), _("Imported")),
    ("newsletter.admin_add", _("Added by an officer"), _("Added by an officer")),
    ("newsletter.bounce", _("Bounce"), _("Marked as bounced")),
    ("newsletter.complaint", _("Complaint"), _("Marked as complained")),
    ("newsletter.test_send", _("Test sent"), _("Test of the newsletter sent")),
    ("newsletter.send_created", _("Send created"), _("Sending of the newsletter requested")),
    ("newsletter.send_done", _("Send finished"), _("Sending of the newsletter finished")),
    ("newsletter.send_paused", _("Send paused"), _("Sending of the newsletter paused")),
    ("newsletter.send_resumed", _("Send resumed"), _("Sending of the newsletter resumed")),
    ("newsletter.send_cancelled", _("Send cancelled"), _("Sending of the newsletter cancelled")),
]


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)


# The subscriber admin (newsletter/admin_views.py): the "Newsletter" menu and its bulk actions.
from .admin.subscribers import (  # noqa: E402
    EraseBulkAction,
    LabelBulkAction,
    NewsletterViewSetGroup,
    ReadersPanel,
    UnsubscribeBulkAction,
)


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterViewSetGroup()


@hooks.register("register_admin_viewset")
def register_delivery_ledger():
    return DeliveryViewSet(DELIVERIES, url_prefix="newsletter/deliveries")


hooks.register("register_bulk_action", UnsubscribeBulkAction)
hooks.register("register_bulk_action", LabelBulkAction)
hooks.register("register_bulk_action", EraseBulkAction)


# Newsletter issues: "Readiness and test send" beside the page's other header actions.
from django.urls import path, reverse  # noqa: E402
from wagtail.admin.widgets.button import Button  # noqa: E402

from .admin.issues import IssueTestView  # noqa: E402
from .admin.sends import IssueSendView, YourSendsPanel, can_send  # noqa: E402
from .models import NewsletterIssuePage  # noqa: E402


@hooks.register("register_admin_urls")
def register_issue_urls():
    return [
        path(
            "newsletter/issues/<int:page_id>/test/",
            IssueTestView.as_view(),
            name="newsletter_issue_test",
        ),
        path(
            "newsletter/issues/<int:page_id>/send/",
            IssueSendView.as_view(),
            name="newsletter_issue_send",
        ),
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


@hooks.register("register_page_header_buttons")
def issue_send_button(page, user, view_name, next_url=None):
    """The "Send" button, for those who may publish the issue in the source language."""
    if page.specific_class is NewsletterIssuePage and can_send(user, page):
        yield Button(
            _("Send"),
            url=reverse("newsletter_issue_send", args=[page.pk]),
            icon_name="mail",
            priority=13,
        )


# Page choosers: article pages are chosen in the source language only.
from wagtail.models import Locale  # noqa: E402

from .blocks import ITEM_PAGE_TYPES  # noqa: E402

ITEM_MODEL_NAMES = {name.lower() for name in ITEM_PAGE_TYPES}


@hooks.register("construct_page_chooser_queryset")
def choose_items_in_the_source_language(pages, request):
    """A chooser of article pages (an issue's items, an article's related pages) lists the
    English tree only: each pointer is shown in the reader's language when rendered (the Bangla
    edition resolves its items itself), and a Bangla copy, which keeps the English title until
    it is translated, would otherwise be chosen for the English issue by mistake."""
    page_type = request.GET.get("page_type", "")
    chosen = {name.strip().lower() for name in page_type.split(",") if name.strip()}
    if chosen and chosen <= ITEM_MODEL_NAMES:
        return pages.filter(locale=Locale.get_default())
    return pages


@hooks.register("construct_homepage_panels")
def add_your_sends_panel(request, panels):
    panels.append(YourSendsPanel())
    if request.user.has_perm("newsletter.view_subscriber"):
        panels.append(ReadersPanel())


@hooks.register("register_pages_listing_every_page")
def newsletter_archives():
    """The archives list every issue: purged with any page published (website/cache.py)."""
    return NewsletterArchivePage.objects.all()


# Reports (newsletter/admin/reports.py): a report per send, the comparison under Reports, the
# latest send on the dashboard.
from wagtail.admin.menu import MenuItem  # noqa: E402

from .admin.reports import REPORT, REPORTS, LatestSendPanel, ReportIndexView, SendReportView  # noqa: E402
from .admin.sends import may_watch_sends  # noqa: E402


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("newsletter/reports/", ReportIndexView.as_view(), name=REPORTS),
        path("newsletter/reports/<int:pk>/", SendReportView.as_view(), name=REPORT),
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_watch_sends(request.user)


@hooks.register("register_reports_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(_("Newsletter"), reverse(REPORTS), icon_name="mail", order=900)


@hooks.register("construct_homepage_panels")
def add_latest_report_panel(request, panels):
    panels.append(LatestSendPanel())


from wagtail.snippets.models import register_snippet  # noqa: E402

from website.snippets import SnippetViewSet  # noqa: E402

from .models import WelcomeMessage  # noqa: E402


class WelcomeMessageViewSet(SnippetViewSet):
    """Newsletter → Welcome e-mail: one per language, translated with wagtail-localize."""

    model = WelcomeMessage
    icon = "mail"
    menu_label = _("Welcome e-mail")
    list_display = ["subject", "enabled", "locale"]
    list_filter = ["locale"]


register_snippet(WelcomeMessageViewSet)


@hooks.register("register_image_operations")
def register_play_mark():
    return [("playmark", PlayMarkOperation)]
