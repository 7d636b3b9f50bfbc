"""Admin registrations: site texts and donors under Settings, guards on deleting pages and on
English snippets, and the translation status report."""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet

from .models import DonorPartner, SiteText, Topic
from .permissions import EDIT_SOURCE_SNIPPETS
from .snippets import SnippetViewSet
from .translation_report import (
    TranslationStatusPanel,
    TranslationStatusReportView,
    may_view_translation_status,
)
from .translation_requests import waiting_for_translation_panel


class SiteTextViewSet(SnippetViewSet):
    model = SiteText
    icon = "doc-full"
    menu_label = gettext_lazy("Site texts")
    add_to_settings_menu = True
    list_display = ["programme_name", "locale"]
    list_filter = ["locale"]


class DonorPartnerViewSet(SnippetViewSet):
    model = DonorPartner
    icon = "group"
    menu_label = gettext_lazy("Donor partners")
    add_to_settings_menu = True
    list_display = ["name", "url", "sort_order", "locale"]
    list_filter = ["locale"]
    sort_order_field = "sort_order"


register_snippet(Topic, viewset=SnippetViewSet)
register_snippet(SiteTextViewSet)
register_snippet(DonorPartnerViewSet)


def may_delete_pages(user):
    return user.is_superuser or user.has_perm("website.delete_pages")


def refuse_deletion(request, parent_page_id=None):
    messages.error(
        request,
        _("Only communications officers can delete pages. Ask one if this page should go."),
    )
    if parent_page_id:
        return redirect("wagtailadmin_explore", parent_page_id)
    return redirect("wagtailadmin_explore_root")


@hooks.register("before_delete_page")
def check_page_deletion(request, page):
    """Publishing a Bangla page does not make its translator able to delete it."""
    if not may_delete_pages(request.user):
        return refuse_deletion(request, page.get_parent().id)
    return None


@hooks.register("before_bulk_action")
def check_bulk_page_deletion(request, action_type, objects, action_class_instance):
    deletes_pages = action_type == "delete" and any(isinstance(obj, Page) for obj in objects)
    if deletes_pages and not may_delete_pages(request.user):
        return refuse_deletion(request)
    return None


@hooks.register("before_serve_page")
def refuse_page_of_another_language(page, request, serve_args, serve_kwargs):
    """No English page under /bn/ (or the reverse): the 404 page links to it instead."""
    from .language import refuse_page_of_another_language

    refuse_page_of_another_language(page, request)


@hooks.register("register_permissions")
def register_edit_source_snippets_permission():
    """Shown in the group editor, so administrators can grant it to editors of English."""
    app_label, codename = EDIT_SOURCE_SNIPPETS.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def refuse_source_snippet_change(request, instances, action):
    """Translators change Bangla snippets, not their English sources (website/permissions.py)."""
    for instance in instances:
        policy = policy_registry.get(instance)
        if not policy.user_has_permission_for_instance(request.user, action, instance):
            messages.error(
                request,
                _(
                    "Only communications officers can change or delete the English version. "
                    "Translators edit the Bangla one."
                ),
            )
            return redirect(instance.snippet_viewset.get_url_name("list"))
    return None


@hooks.register("before_edit_snippet", order=-1)  # before wagtail-localize's editor takes over
def check_source_snippet_edit(request, instance):
    return refuse_source_snippet_change(request, [instance], "change")


@hooks.register("before_delete_snippet", order=-1)
def check_source_snippet_deletion(request, instances):
    return refuse_source_snippet_change(request, instances, "delete")


# Reports → Translation status (website/translation_report.py), and its dashboard summary.
@hooks.register("register_admin_urls")
def register_translation_status_urls():
    return [
        path(
            "reports/translation-status/",
            TranslationStatusReportView.as_view(),
            name="translation_status_report",
        ),
        path(
            "reports/translation-status/results/",
            TranslationStatusReportView.as_view(results_only=True),
            name="translation_status_report_results",
        ),
    ]


class TranslationStatusMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_translation_status(request.user)


@hooks.register("register_reports_menu_item")
def register_translation_status_menu_item():
    return TranslationStatusMenuItem(
        gettext_lazy("Translation status"),
        reverse("translation_status_report"),
        icon_name="wagtail-localize-language",
        order=8900,
    )


@hooks.register("construct_homepage_panels")
def add_translation_status_panel(request, panels):
    if may_view_translation_status(request.user):
        panels.append(TranslationStatusPanel())


@hooks.register("construct_homepage_panels")
def add_waiting_for_translation_panel(request, panels):
    panel = waiting_for_translation_panel(request.user)
    if panel is not None:
        panels.append(panel)


@hooks.register("insert_global_admin_js")
def bengali_digits_in_the_menu():
    """The menu, drawn in the browser, with Bengali digits in a Bangla admin (its counts)."""
    if translation.get_language() != "bn":
        return ""
    return format_html('<script src="{}"></script>', static("website/admin/sidebar-digits.js"))
