"""Handing a page over to the translators: drafts, a notification, a waiting list, no stopping.

- "Translate this page" (wagtail-localize's submit view, which officers hold through
  `wagtail_localize.submit_translation`) creates the Bangla page as a draft: the setting
  `WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False` is wagtail-localize's own switch for it.
  A draft is left out of every listing, feed, search and sitemap (they show live pages), and its
  URL answers with the 404 page that links to the English original (website/language.py).
- Once the submission is committed, the translators who may publish the new draft are e-mailed
  through Wagtail's notifier (each in their admin language, honouring the "submitted"
  notification preference of their account), and the page is listed in the dashboard's
  "Waiting for translation" panel until someone publishes it.
- Stopping a synced translation detaches the Bangla page from its English source; only those who
  may submit translations (officers) may do it. The translation editor always draws its button,
  so it is hidden for the others (website/templates/wagtail_localize/admin/edit_translation.html)
  and the view refuses them (website/urls.py).
"""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from wagtail.admin.mail import EmailNotificationMixin, Notifier
from wagtail.admin.ui.components import Component
from wagtail.models import Locale, Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail_localize.models import Translation
from wagtail_localize.views.edit_translation import stop_translation

SUBMIT_TRANSLATION = "wagtail_localize.submit_translation"


def may_submit_translations(user):
    """Officers: they send pages for translation, sync them, and may stop a synced translation."""
    return user.has_perm(SUBMIT_TRANSLATION)


def waiting_pages(user=None):
    """Translated pages never published yet (wagtail-localize's drafts), oldest request first;
    only those `user` may edit when given."""
    pages = Page.objects.all()
    if user is not None:
        pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    synced = Translation.objects.filter(
        source__object_id=OuterRef("translation_key"),
        target_locale_id=OuterRef("locale_id"),
        enabled=True,
    )
    return (
        pages.filter(Exists(synced), live=False, alias_of__isnull=True, first_published_at=None)
        .exclude(locale=Locale.get_default())
        .select_related("locale", "latest_revision__user")
        .order_by("latest_revision_created_at", "pk")
    )


# The notification


class TranslationRequestNotifier(EmailNotificationMixin, Notifier):
    """E-mails the translators of a newly submitted page, as Wagtail's moderation notifications do
    (same preference, same language handling, same "Edit your notification preferences" footer)."""

    notification = "submitted"
    template_directory = "website/notifications/"

    def __init__(self):
        super().__init__((Page,))

    def get_template_base_prefix(self, instance, **kwargs):
        return "translation_"

    def get_recipient_users(self, page, **kwargs):
        """Who may publish the page but does not send pages for translation, requester aside."""
        requester = page.latest_revision.user if page.latest_revision else None
        users = PagePermissionPolicy().users_with_permission_for_instance(
            "publish", page, include_superusers=False
        )
        return {user for user in users if user != requester and not may_submit_translations(user)}

    def get_context(self, page, **kwargs):
        context = super().get_context(page, **kwargs)
        context.update(
            page=page,
            requested_by=page.latest_revision.user if page.latest_revision else None,
            edit_path=reverse("wagtailadmin_pages:edit", args=[page.pk]),
        )
        return context


notify_translators = TranslationRequestNotifier()


def notify_if_waiting(translation_id):
    """Tell the translators when the translation's page is a draft waiting for them."""
    translation = Translation.objects.filter(pk=translation_id, enabled=True).first()
    if translation is None:
        return
    page = waiting_pages().filter(
        translation_key=translation.source.object_id, locale_id=translation.target_locale_id
    )
    if page:
        notify_translators(page.get().specific)


@receiver(post_save, sender=Translation)
def notify_translators_on_commit(sender, instance, created, **kwargs):
    """Once the submission is committed and its draft exists (one e-mail per page, as Wagtail's
    moderation notices). A translation published in the same transaction (the demo loader's) is
    no longer waiting by then, and nobody is told."""
    if created and instance.enabled:
        transaction.on_commit(partial(notify_if_waiting, instance.pk))


# The dashboard


class WaitingForTranslationPanel(Component):
    """Dashboard: the drafts waiting for the user's translation, each linked to its editor."""

    name = "waiting_for_translation"
    template_name = "website/admin/waiting_for_translation_panel.html"
    order = 140  # above the translation status summary

    def __init__(self, pages):
        self.pages = pages

    def get_context_data(self, parent_context):
        return {
            "pages": [
                {
                    "page": page,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    "requested_by": page.latest_revision.user if page.latest_revision else None,
                    "requested_at": page.latest_revision_created_at,
                }
                for page in self.pages
            ]
        }


def waiting_for_translation_panel(user):
    """The panel when something waits for `user`, else None (officers see it too: it tells them
    what they sent is not live yet)."""
    pages = list(waiting_pages(user)[:20])
    return WaitingForTranslationPanel(pages) if pages else None


# Stopping a synced translation


@login_required
def stop_translation_for_officers(request, translation_id):
    """wagtail-localize's "Stop synced translation", for those who may submit translations."""
    if not may_submit_translations(request.user):
        raise PermissionDenied
    return stop_translation(request, translation_id)
