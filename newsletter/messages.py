"""An edition as an e-mail message: bulk-mail headers, a text part and an HTML part.

Python's email package (and Django's, for lines over 998 bytes) would encode MJML's HTML as
quoted-printable, which nearly triples Bangla text (each UTF-8 byte becomes "=XX"). Editions keep
their lines short (editions.wrap_lines), so the HTML part goes as 8bit UTF-8, the size of the HTML
itself; a line that is still too long makes it base64 (a third larger), never quoted-printable.
Gmail's clipping budget is measured on the part as encoded.
"""

import functools
import re
import smtplib
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .editions import PLACEHOLDERS, absolute_url
from .emails import subscriber_urls, token_urls
from .tokens import link_token

TEST_PREFIX = "[TEST]"
MAIL_LINE_LIMIT = 998  # RFC 5322, without the CRLF


def site_domain():
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def list_id():
    """RFC 2919 List-Id: a name and a stable identifier on the site's domain."""
    return f"Better Work Bangladesh newsletter <newsletter.{site_domain()}>"


def fits_8bit(html):
    return all(len(line.encode("utf-8")) <= MAIL_LINE_LIMIT for line in html.splitlines())


def encoded_html_size(html):
    """Bytes of the HTML part as sent: 8bit with CRLF line ends, or base64 with 76-char lines."""
    raw = len(html.encode("utf-8"))
    if fits_8bit(html):
        return raw + html.count("\n")  # LF becomes CRLF on the wire
    encoded = 4 * ((raw + 2) // 3)
    return encoded + 2 * ((encoded + 75) // 76)


class NewsletterMessage(EmailMultiAlternatives):
    """Django's message, with the HTML part 8bit when its lines allow, else base64; never
    quoted-printable."""

    def _create_mime_attachment(self, content, mimetype):
        if mimetype == "text/html" and not fits_8bit(content):
            return MIMEText(content, "html", "utf-8")  # the utf-8 charset encodes as base64
        return super()._create_mime_attachment(content, mimetype)


def links_from_urls(urls):
    return {
        "unsubscribe": urls["unsubscribe"],
        "preferences": urls["preferences"],
        "language": f"{urls['preferences']}#language",
        "one_click": urls["one_click"],
    }


def recipient_links(subscriber):
    """The per-recipient links filled into an edition: the subscriber's own signed links."""
    return links_from_urls(subscriber_urls(subscriber))


TOKEN_PLACEHOLDER = "0TOKEN0"  # noqa: S105 (a placeholder, not a secret)


class RecipientLinks:
    """`recipient_links` for a whole batch: the URLs are reversed once per language and only
    the subscriber's token is signed and put in per recipient (same result, a fraction of the
    work)."""

    def __init__(self):
        self._parts = {}

    def __call__(self, subscriber):
        parts = self._parts.get(subscriber.language)
        if parts is None:
            urls = links_from_urls(token_urls(subscriber.language, TOKEN_PLACEHOLDER))
            parts = self._parts[subscriber.language] = {
                key: url.split(TOKEN_PLACEHOLDER) for key, url in urls.items()
            }
        token = link_token(subscriber)
        return {key: token.join(pieces) for key, pieces in parts.items()}


def sample_links(language):
    """Links for previews and test sends to people who are not subscribers: the sign-up page,
    so nothing anyone clicks in a test changes a real subscription."""
    with translation.override(language):
        signup = absolute_url(reverse("newsletter:subscribe"))
    return dict.fromkeys((*PLACEHOLDERS, "one_click"), signup)


def edition_message(edition, to, links, *, test=False, connection=None):
    """The message for one recipient: `edition` personalised with `links` (recipient_links)."""
    personal = edition.personalize(links)
    subject = personal.subject
    if test:
        with translation.override(edition.language):
            label = _("test, %(language)s edition") % {"language": edition.language}
        subject = f"{TEST_PREFIX} {subject} ({label})"
    list_unsubscribe = [f"<{links['one_click']}>"]
    mailto = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    if mailto:
        list_unsubscribe.append(f"<mailto:{mailto}?subject=unsubscribe>")
    headers = {
        "List-Unsubscribe": ", ".join(list_unsubscribe),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(),
        "Date": formatdate(localtime=False),
        "Message-ID": make_msgid(idstring="newsletter", domain=site_domain()),
        "Content-Language": edition.language,
    }
    if test:
        headers["X-Newsletter-Test"] = "yes"
    message = NewsletterMessage(
        subject=subject,
        body=personal.text,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(personal.html, "text/html")
    return message


def message_bytes(message):
    """The message as an .eml file: CRLF line endings, as it goes over SMTP."""
    return message.message().as_bytes(linesep="\r\n")


# Sending at scale: an edition serialised once, the recipient's parts filled into its bytes.

RECIPIENT_PLACEHOLDER = "recipient@newsletter.invalid"
MESSAGE_ID_PLACEHOLDER = "<%%MESSAGE_ID%%@newsletter.invalid>"
ONE_CLICK_PLACEHOLDER = "%%ONE_CLICK_URL%%"


class SerializedEdition:
    """An edition's complete message as bytes, with the recipient's parts as placeholders.

    Building a MIME message with Python's email package for every recipient costs more than
    sending it (about 177 against 475 messages/s for an 83 KB Bangla message over one SMTP
    connection). Every part of the message here is 8bit (editions keep their lines short) or
    ASCII headers, so the recipient's address, links and Message-ID can be put straight into
    the bytes. `usable` is False when that is not safe (an HTML part that had to be base64);
    callers then build the message with `edition_message`.
    """

    def __init__(self, edition):
        links = {**PLACEHOLDERS, "one_click": ONE_CLICK_PLACEHOLDER}
        message = edition_message(edition, RECIPIENT_PLACEHOLDER, links)
        message.extra_headers["Message-ID"] = MESSAGE_ID_PLACEHOLDER
        self.from_email = message.from_email
        self.usable = fits_8bit(edition.html)
        self.template = message_bytes(message)
        self.language = edition.language
        self.domain = site_domain()
        # The template cut at every placeholder, once: (fixed bytes, key of what follows)...
        names = {
            RECIPIENT_PLACEHOLDER: "to",
            MESSAGE_ID_PLACEHOLDER: "message_id",
            ONE_CLICK_PLACEHOLDER: "one_click",
            **{placeholder: key for key, placeholder in PLACEHOLDERS.items()},
        }
        self.pattern = re.compile(b"|".join(re.escape(p.encode()) for p in names))
        self.names = names
        self.pieces, self.keys = self.cut(self.template)
        # The same as SMTP's DATA payload: dot-stuffed once here (RFC 5321 4.5.2) and ended with
        # the lone dot, instead of smtplib scanning every recipient's copy. No placeholder nor
        # value put in its place starts a line or holds a line break, so stuffing the template
        # is stuffing each message.
        wire = DOT_AT_LINE_START.sub(b"..", self.template)
        wire += (b"" if wire.endswith(b"\r\n") else b"\r\n") + b".\r\n"
        self.wire_pieces, _keys = self.cut(wire)

    def cut(self, template):
        """The template cut at every placeholder: its fixed pieces, and what goes between."""
        pieces, keys, start = [], [], 0
        for match in self.pattern.finditer(template):
            pieces.append(template[start : match.start()])
            keys.append(self.names[match.group().decode()])
            start = match.end()
        pieces.append(template[start:])
        return pieces, keys

    def fill(self, pieces, to, links):
        message_id = make_msgid(idstring="newsletter", domain=self.domain)
        values = {key: value.encode() for key, value in links.items()}
        values["to"] = to.encode("ascii")
        values["message_id"] = message_id.encode()
        out = [pieces[0]]
        for index, key in enumerate(self.keys, 1):
            out.append(values[key])
            out.append(pieces[index])
        return b"".join(out), message_id

    def render(self, to, links):
        """(message bytes, Message-ID) for one recipient; `to` must be an ASCII address."""
        return self.fill(self.pieces, to, links)

    def render_wire(self, to, links):
        """(DATA payload, Message-ID): `render`'s bytes dot-stuffed and ended for SMTP."""
        return self.fill(self.wire_pieces, to, links)


DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


def sendmail_payload(smtp, sender, to, payload):
    """smtplib's `sendmail` for one recipient, given the DATA payload as it goes on the wire
    (`SerializedEdition.render_wire`): the same commands, replies and exceptions, without
    smtplib dot-stuffing the whole message again."""
    if any(char in to for char in "<>\r\n "):
        raise smtplib.SMTPRecipientsRefused({to: (501, b"Not a plain address")})
    smtp.ehlo_or_helo_if_needed()
    mail_from = f"FROM:{_quoted(sender)}"
    if smtp.does_esmtp and smtp.has_extn("size"):
        mail_from += f" size={len(payload)}"
    smtp.putcmd("mail", mail_from)  # smtplib's mail() and rcpt(), but the sender is parsed
    code, reply = smtp.getreply()  # once and the (validated) address is taken as it is
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    smtp.putcmd("rcpt", f"TO:<{to}>")
    code, reply = smtp.getreply()
    if code not in (250, 251):
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(payload)
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


@functools.lru_cache(maxsize=8)
def _quoted(sender):
    return smtplib.quoteaddr(sender)


def _abandon(smtp, code):
    """After a refusal: 421 means the server is closing; otherwise reset the transaction."""
    if code == 421:
        smtp.close()
    else:
        smtp._rset()
