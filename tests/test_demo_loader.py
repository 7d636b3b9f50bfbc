"""`manage.py load_demo`: bilingual demo content through wagtail-localize, idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Locale, Page, Revision, Site
from wagtail_localize.models import StringTranslation, Translation

from tests.conftest import DEMO_PASSWORD, SESSION, load_demo
from website.models import DonorPartner, HomePage, SiteSettings, SiteText

pytestmark = pytest.mark.django_db


def counts():
    User = get_user_model()
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "translations": Translation.objects.count(),
        "string translations": StringTranslation.objects.count(),
        "site texts": SiteText.objects.count(),
        "donors": DonorPartner.objects.count(),
        "sites": Site.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
    }


def test_first_run_loads_everything_without_missing_bangla(db):
    output = SESSION["first_load_output"]
    assert "+ home page (en)" in output
    assert "+ users admin, officer, translator" in output
    assert "! no Bangla" not in output  # every demo string has its Bangla in a PO file
    pages = Page.objects.exclude(depth=1)  # the tree root belongs to no language
    assert pages.filter(locale__language_code="bn").count() == (
        pages.filter(locale__language_code="en").count()
    )


def test_second_run_creates_nothing(demo, demo_env, django_capture_on_commit_callbacks):
    after_first = counts()
    second_output = load_demo(django_capture_on_commit_callbacks)
    assert counts() == after_first
    assert "+" not in second_output.replace("Demo ready", "")
    assert after_first["users"] == 3


def test_second_run_keeps_what_editors_changed(demo, django_capture_on_commit_callbacks):
    demo.hero_heading = "Edited by an officer"
    demo.save_revision().publish()
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.contact_email = "officer-choice@example.org"
    settings.save()
    load_demo(django_capture_on_commit_callbacks)
    assert HomePage.objects.get(pk=demo.pk).hero_heading == "Edited by an officer"
    assert SiteSettings.for_site(settings.site).contact_email == "officer-choice@example.org"


def test_wagtail_placeholder_page_is_replaced_and_site_serves_home(demo):
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == demo


def test_bangla_home_is_a_synced_wagtail_localize_translation(demo, bn_home):
    translation = Translation.objects.get(
        source__object_id=demo.translation_key, target_locale__language_code="bn"
    )
    assert translation.enabled  # synced, not a one-off copy
    assert translation.get_target_instance().pk == bn_home.pk
    assert bn_home.translation_key == demo.translation_key
    assert bn_home.live and not bn_home.has_unpublished_changes
    assert bn_home.specific.hero_heading == "শোভন কাজ ও প্রতিযোগিতামূলক পোশাকশিল্প"
    # every string of the source has a Bangla translation in translation memory
    progress = translation.get_progress()
    assert progress[0] == progress[1] > 5
    # numbers are copied from the source, only labels translated
    figures = bn_home.specific.key_figures[0].value["figures"]
    assert [str(f["value"]) for f in figures] == ["437", "47", "1.26", "50"]
    assert figures[2]["label"] == "শ্রমিক সহায়তা পেয়েছেন"


def test_translated_slug_is_synchronised_not_mangled(demo, bn_home):
    # Root-level siblings must differ, so wagtail-localize suffixes the Bangla home's slug;
    # pages below keep the source slug exactly (tested in the content suites).
    assert bn_home.slug.startswith(demo.slug)
    from website.models import LocalizedPage

    fields = {f.field_name: f for f in LocalizedPage.override_translatable_fields}
    assert type(fields["slug"]).__name__ == "SynchronizedField"


def test_snippets_are_translated_too(demo):
    bn = Locale.objects.get(language_code="bn")
    text = SiteText.objects.get(locale=bn)
    assert text.programme_name == "বেটার ওয়ার্ক বাংলাদেশ"
    assert "ঢাকা-১২০৭" in text.postal_address
    assert "\n" in text.postal_address  # line breaks survive the PO round trip
    assert DonorPartner.objects.get(locale=bn).name == "সুইজারল্যান্ড সরকার"


def test_demo_users_get_the_password_from_the_environment(demo):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    officer = User.objects.get(username="officer")
    assert not officer.is_superuser
    assert list(officer.groups.values_list("name", flat=True)) == ["Communications officers"]
    assert officer.email.endswith("@example.org")


def test_generated_password_is_saved_privately_and_never_reset(
    db, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    get_user_model().objects.all().delete()  # as on a first run (rolled back after the test)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    settings.DEMO_CREDENTIALS_FILE = tmp_path / "var" / "demo-credentials.txt"
    output = load_demo(django_capture_on_commit_callbacks)
    credentials = settings.DEMO_CREDENTIALS_FILE
    assert credentials.stat().st_mode & 0o777 == 0o600
    password = credentials.read_text().split("Password: ")[1].strip()
    assert len(password) >= 12
    assert f"password generated now: {password}" in output  # printed once, on creation
    user = get_user_model().objects.get(username="translator")
    assert user.check_password(password)

    second_output = load_demo(django_capture_on_commit_callbacks)
    assert password not in second_output
    user.refresh_from_db()
    assert user.check_password(password)


def test_first_load_leaves_no_failing_background_task(
    db, demo_env, settings, django_capture_on_commit_callbacks
):
    """`make setup` then the worker's first run: every task the loader queued succeeds (the
    loader used to queue reference-index updates for child rows it then replaced)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    Page.objects.filter(depth=2).delete()  # an empty site, as after `migrate`
    DBTaskResult.objects.all().delete()
    output = load_demo(django_capture_on_commit_callbacks)
    assert "+ home page (en)" in output
    assert DBTaskResult.objects.exists()
    failures = []
    for queued in DBTaskResult.objects.order_by("enqueued_at"):  # as the worker runs them
        result = queued.task_result
        try:
            queued.task.call(*result.args, **result.kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure is listed
            failures.append((queued.task_path, result.args, repr(exc)))
    assert failures == []
