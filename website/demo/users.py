"""Demo users and the two editorial groups with their Wagtail permissions."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page
from wagtail.users.models import UserProfile

OFFICERS = "Communications officers"
TRANSLATORS = "Translators"

DEMO_USERS = [
    # (username, e-mail, superuser, group)
    ("admin", "admin@example.org", True, None),
    ("officer", "officer@example.org", False, OFFICERS),
    ("translator", "translator@example.org", False, TRANSLATORS),
]
# Names: Wagtail's account form requires them, so without one a user cannot even change the
# admin's language there. The admin language: the translator works in Bangla, the others follow
# their browser (Wagtail's default, an empty preference).
DEMO_PROFILES = {
    "admin": ("Site", "Administrator", ""),
    "officer": ("Farzana", "Ahmed", ""),
    "translator": ("Nusrat", "Jahan", "bn"),
}

PAGE_PERMISSIONS = {
    # Officers edit and publish everything; translators edit and publish the Bangla tree only.
    OFFICERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    TRANSLATORS: ["change_page", "publish_page"],
}
COLLECTION_PERMISSIONS = {
    OFFICERS: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
    TRANSLATORS: ["choose_image", "choose_document"],
}
MODEL_PERMISSIONS = {
    OFFICERS: [
        "wagtailadmin.access_admin",
        "website.delete_pages",
        "website.change_sitesettings",
        "website.add_sitetext",
        "website.change_sitetext",
        "website.add_donorpartner",
        "website.change_donorpartner",
        "website.delete_donorpartner",
        "wagtail_localize.submit_translation",
        "newsletter.add_subscriber",
        "newsletter.change_subscriber",
        "newsletter.delete_subscriber",
        "newsletter.view_subscriber",
        "newsletter.add_label",
        "newsletter.change_label",
        "newsletter.delete_label",
        "newsletter.view_label",
        "newsletter.change_segment",
        "newsletter.delete_segment",
        "newsletter.view_segment",
        "events.add_eventcategory",
        "events.change_eventcategory",
        "events.delete_eventcategory",
        "website.add_topic",
        "website.change_topic",
        "website.delete_topic",
        "website.edit_source_snippets",
    ],
    # Translatable snippets: "change" lets translators edit the Bangla rows; the English ones
    # need website.edit_source_snippets too (website/permissions.py). No add, no delete.
    TRANSLATORS: [
        "wagtailadmin.access_admin",
        "website.change_topic",
        "events.change_eventcategory",
        "website.change_sitetext",
        "website.change_donorpartner",
    ],
}


def permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def page_permission(codename):
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def ensure_group(name, page, report):
    """The group with exactly the permissions listed above (added when missing)."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        report(f"  + group {name}")
    group.permissions.add(*(permission(p) for p in MODEL_PERMISSIONS[name]))
    for codename in PAGE_PERMISSIONS[name]:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=page_permission(codename)
        )
    root_collection = Collection.get_first_root_node()
    for codename in COLLECTION_PERMISSIONS[name]:
        app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=root_collection,
            permission=permission(f"{app_label}.{codename}"),
        )
    return group


def display_path(path):
    """`path` relative to the project when it lies inside it (no machine paths in messages)."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def demo_password():
    """DEMO_PASSWORD from the environment, else one generated now and saved to a private file."""
    password = os.environ.get("DEMO_PASSWORD")
    if password:
        return password, "password from the DEMO_PASSWORD environment variable"
    path = settings.DEMO_CREDENTIALS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"Demo users: {', '.join(u[0] for u in DEMO_USERS)}\nPassword: {password}\n")
    return (
        password,
        f"password generated now: {password} (printed once, kept in {display_path(path)})",
    )


@transaction.atomic
def load_users(home_page, report=print):
    """Groups with permissions, and demo users (created once; passwords never reset)."""
    bangla_home = home_page.get_translation_or_none(Locale.objects.get(language_code="bn"))
    groups = {
        OFFICERS: ensure_group(OFFICERS, Page.get_first_root_node(), report),
        TRANSLATORS: ensure_group(TRANSLATORS, bangla_home or home_page, report),
    }
    User = get_user_model()
    missing = [u for u in DEMO_USERS if not User.objects.filter(username=u[0]).exists()]
    if missing:
        password, origin = demo_password()
        for username, email, is_superuser, group in missing:
            user = User.objects.create_user(
                username, email, password, is_superuser=is_superuser, is_staff=is_superuser
            )
            if group:
                user.groups.add(groups[group])
        report(f"  + users {', '.join(u[0] for u in missing)}; {origin}")
    for user in User.objects.filter(username__in=DEMO_PROFILES, first_name="", last_name=""):
        complete_profile(user)
    return [u[0] for u in DEMO_USERS]


def complete_profile(user):
    """Name a demo user and set their admin language: once, on a user still without a name (a new
    one, or one created before the demo had names); a name or language changed since is kept."""
    user.first_name, user.last_name, language = DEMO_PROFILES[user.username]
    user.save(update_fields=["first_name", "last_name"])
    profile = UserProfile.get_for_user(user)
    if language and not profile.preferred_language:
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])
