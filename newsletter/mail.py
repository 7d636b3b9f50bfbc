"""The SMTP backend of production: Django's, announcing 8bit bodies (RFC 6152), and dating and
naming every message on the site's domain.

Editions go as 8bit UTF-8 (their lines are kept short, `editions.wrap_lines`): Bangla in
quoted-printable would nearly triple in size, and Gmail clips at 102 KB. RFC 6152 asks a client
that sends 8bit data to say so with `MAIL FROM:<...> BODY=8BITMIME` when the server offers the
8BITMIME extension; Django's backend hands its bytes to smtplib's `sendmail` without it. This
backend only chooses the connection class (Django's `connection_class`), whose `sendmail` adds
the parameter for a message that is not plain ASCII.

Messages the newsletter builds carry their own Date and Message-ID (`newsletter.messages`); the
others (officers' notices, Wagtail's notifications to translators, password resets) would get
Django's: a Message-ID on the machine's host name and a Date in "-0000" ("zone unknown"). The
backend gives them the site's domain and "+0000" as they leave.
"""

import smtplib
from email.utils import format_datetime, make_msgid

from django.core.mail.backends import smtp
from django.utils import timezone

from .messages import site_domain


class EightBitMIME:
    """smtplib's `sendmail`, with BODY=8BITMIME for 8bit data when the server offers it."""

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.ehlo_or_helo_if_needed()
        announced = any(option.upper().startswith("BODY=") for option in mail_options)
        eight_bit = isinstance(msg, bytes) and not msg.isascii()  # Django gives bytes
        if eight_bit and self.has_extn("8bitmime") and not announced:
            mail_options = (*mail_options, "BODY=8BITMIME")
        return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)


class SMTP(EightBitMIME, smtplib.SMTP):
    pass


class SMTPOverSSL(EightBitMIME, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """EMAIL_BACKEND = "newsletter.mail.EmailBackend": Django's SMTP backend, BODY=8BITMIME."""

    @property
    def connection_class(self):
        return SMTPOverSSL if self.use_ssl else SMTP

    def send_messages(self, email_messages):
        for message in email_messages:
            stamp(message)
        return super().send_messages(email_messages)


def stamp(message):
    """A Date in +0000 and a Message-ID on the site's domain, for a message without them."""
    names = {name.lower() for name in message.extra_headers}
    if "date" not in names:
        message.extra_headers["Date"] = format_datetime(timezone.now())
    if "message-id" not in names:
        message.extra_headers["Message-ID"] = make_msgid(domain=site_domain())
