"""`check --deploy` refuses a production sender on a placeholder domain or one that does not
align with the site's BASE_URL."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from newsletter.checks import check_sender_identity

SITE = "https://betterwork.example.org"


def ids(**overrides):
    with override_settings(**overrides):
        return [e.id for e in check_sender_identity()]


def test_placeholder_domains_fail():
    assert ids(
        WAGTAILADMIN_BASE_URL="https://betterwork.org.bd",
        DEFAULT_FROM_EMAIL="Better Work Bangladesh <newsletter@example.org>",
        SERVER_EMAIL="errors@example.com",
    ) == ["newsletter.E101", "newsletter.E101"]


@pytest.mark.parametrize(
    "site, sender, ok",
    [
        ("https://betterwork.org.bd", "Better Work <news@betterwork.org.bd>", True),
        ("https://www.betterwork.org.bd", "news@betterwork.org.bd", True),
        ("https://betterwork.org.bd", "news@mail.betterwork.org.bd", True),
        ("https://betterwork.org.bd", "news@betterwork-news.com", False),
        ("https://betterwork.org.bd", "news@org.bd.evil.test", False),
    ],
)
def test_from_domain_must_align_with_base_url(site, sender, ok):
    found = ids(WAGTAILADMIN_BASE_URL=site, DEFAULT_FROM_EMAIL=sender, SERVER_EMAIL=sender)
    assert found == ([] if ok else ["newsletter.E102", "newsletter.E102"])


def test_shown_by_check_deploy_only():
    bad = {"DEFAULT_FROM_EMAIL": "newsletter@example.org", "SERVER_EMAIL": "x@example.org"}
    with override_settings(**bad):
        call_command("check", stdout=StringIO())  # not a deploy check: silent
        with pytest.raises(SystemCheckError, match="newsletter.E101"):
            call_command("check", "--deploy", stdout=StringIO(), stderr=StringIO())
