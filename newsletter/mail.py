"""The SMTP backend of production: Django's, announcing 8bit bodies (RFC 6152).

Editions go as 8bit UTF-8 (their lines are kept short, `editions.wrap_lines`): Bangla in
quoted-printable would nearly triple in size, and Gmail clips at 102 KB. RFC 6152 asks a client
that sends 8bit data to say so with `MAIL FROM:<...> BODY=8BITMIME` when the server offers the
8BITMIME extension; Django's backend hands its bytes to smtplib's `sendmail` without it. This
backend only chooses the connection class (Django's `connection_class`), whose `sendmail` adds
the parameter for a message that is not plain ASCII.
"""

import smtplib

from django.core.mail.backends import smtp


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
