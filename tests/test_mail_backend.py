"""Production's SMTP backend (newsletter.mail): 8bit messages say BODY=8BITMIME (RFC 6152)."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, get_connection
from wagtail.models import Locale

from newsletter.links import sample_links
from newsletter.messages import edition_message
from newsletter.models import NewsletterIssuePage
from tests.test_subscriber_flow import free_port

pytestmark = pytest.mark.django_db


class Envelopes:
    """An aiosmtpd handler keeping each envelope's MAIL FROM parameters and its bytes."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append((list(envelope.mail_options), envelope.original_content))
        return "250 OK"


@pytest.fixture
def server():
    handler = Envelopes()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def send(port, *messages):
    with get_connection(
        "newsletter.mail.EmailBackend", host="127.0.0.1", port=port, use_tls=False
    ) as connection:
        return connection.send_messages(list(messages))


def test_the_bangla_edition_goes_as_8bit_and_says_so(server, demo):
    handler, port = server
    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    bn = en.get_translation(Locale.objects.get(language_code="bn"))
    message = edition_message(bn.edition(), "reader@example.org", sample_links("bn"))
    ascii_only = EmailMessage("Plain", "Only ASCII here.", to=["reader@example.org"])
    assert send(port, message, ascii_only) == 2
    (options, raw), (ascii_options, _raw) = handler.received
    assert "BODY=8BITMIME" in options  # beside smtplib's SIZE=
    assert b"Content-Transfer-Encoding: 8bit" in raw and "বেটার ওয়ার্ক".encode() in raw
    assert not [o for o in ascii_options if o.startswith("BODY=")]  # 7bit needs none


def test_every_message_is_dated_and_named_on_the_site_domain(server, demo):
    """An officer's notice, a Wagtail notification: Django would name them after the machine."""
    handler, port = server
    notice = EmailMessage("Send finished", "Done.", to=["officer@example.org"])
    assert send(port, notice) == 1
    message = email.message_from_bytes(handler.received[0][1], policy=email.policy.default)
    assert message["Message-ID"].endswith("@betterwork.example.org>")
    assert message["Date"].endswith("+0000")
    assert len(message.get_all("Message-ID")) == 1 and len(message.get_all("Date")) == 1
