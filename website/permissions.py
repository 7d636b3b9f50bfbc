"""Who may change translatable snippets, and in which language.

Wagtail's snippet permissions are per model, not per locale. Translators need the model's
"change" permission: wagtail-localize checks it for the translation editor, string edits and PO
uploads of a snippet. So translators hold "change" (never "add" or "delete") on the translatable
snippet types, and this policy keeps the English (source) rows out of their reach: changing or
deleting a row of the default locale also needs `website.edit_source_snippets`, which officers
hold. The edit view itself only checks the model permission, hence `refuse_source_snippet_edit`
(a `before_edit_snippet` hook in wagtail_hooks.py) asking this policy for the row being edited.
"""

from django.apps import apps
from wagtail.models import Locale
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

TRANSLATABLE_SNIPPETS = [
    "website.Topic",
    "events.EventCategory",
    "website.SiteText",
    "website.DonorPartner",
]
EDIT_SOURCE_SNIPPETS = "website.edit_source_snippets"
SOURCE_ACTIONS = {"change", "delete"}


def may_edit_source_snippets(user):
    return user.is_active and (user.is_superuser or user.has_perm(EDIT_SOURCE_SNIPPETS))


def is_source(instance):
    return instance.locale_id == Locale.get_default().pk


class TranslatableSnippetPermissionPolicy(ModelPermissionPolicy):
    """The model's permissions, except that English rows need `edit_source_snippets` too."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action in SOURCE_ACTIONS and is_source(instance) and not may_edit_source_snippets(user):
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        restricted = set(actions) & SOURCE_ACTIONS
        others = set(actions) - SOURCE_ACTIONS
        if (
            not restricted
            or may_edit_source_snippets(user)
            or self.user_has_any_permission(user, others)
        ):
            return super().instances_user_has_any_permission_for(user, actions)
        instances = super().instances_user_has_any_permission_for(user, restricted)
        return instances.exclude(locale=Locale.get_default())


def translatable_snippet_models():
    return [apps.get_model(label) for label in TRANSLATABLE_SNIPPETS]


def register_policies():
    """Called from WebsiteConfig.ready(): before wagtail.snippets registers the viewsets, which
    would otherwise give these models Wagtail's default policy."""
    for model in translatable_snippet_models():
        register_permission_policy(model, TranslatableSnippetPermissionPolicy(model))
