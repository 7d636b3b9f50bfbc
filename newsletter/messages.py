"""An edition as an e-mail message, built one way for every channel: Django's
`EmailMultiAlternatives` with bulk-mail headers, a text part and an HTML part.

Editions keep their lines short (`editions.wrap_lines`), so Django sends both parts as 8bit UTF-8,
the size of the text itself (quoted-printable, which nearly triples Bangla, only for a line over
998 bytes). Every transport takes the same message: SMTP in development and production and every
django-anymail ESP, through Django's e-mail backend API.
"""

import re
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.utils import timezone

from .editions import fits_8bit
from .languages import content_language, reading_language
from .links import PLACEHOLDERS, edition_placeholders, subscribe_url

TEST_PREFIX = "[TEST]"


def header_problems(edition):
    """What stops the edition's subject or preheader from being a mail header: a line break
    (a translator can type one; Django refuses it with BadHeaderError)."""
    return [
        name
        for name in ("subject", "preheader")
        if "\n" in getattr(edition, name) or "\r" in getattr(edition, name)
    ]


def site_domain():
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def list_id():
    """RFC 2919 List-Id: a name and a stable identifier on the site's domain."""
    return f"Better Work Bangladesh newsletter <newsletter.{site_domain()}>"


class NewsletterMessage(EmailMultiAlternatives):
    """Django's message; `serialized`, when a PreparedEdition sets it, is this very message
    already serialised, which `message()` (the method every Django e-mail backend calls to get
    the MIME message) hands over instead of building the MIME tree again."""

    serialized = None

    def message(self):
        if self.serialized is None:
            return super().message()
        return SerializedMIME(self.serialized)


class SerializedMIME:
    """The part of a MIME message's interface Django's e-mail backends use, over bytes."""

    def __init__(self, data):
        self.data = data  # CRLF line ends, as on the wire

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n"):
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self):
        return None


def recipient(subscriber):
    """The To of a subscriber's message: their name when they gave one, and their address."""
    return formataddr((subscriber.name, subscriber.email)) if subscriber.name else subscriber.email


def subject_header(subject):
    """A non-ASCII subject as RFC 2047 encoded words, folded after its first word as parsers
    expect (Python's default folding puts a line break right after "Subject:", which some read
    as a leading space); an ASCII subject as it is."""
    if "\n" in subject or "\r" in subject:
        raise BadHeaderError(f"Header values can't contain newlines (got {subject!r})")
    if subject.isascii():
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep=" ")


def edition_message(edition, to, links, *, test=False, connection=None, feedback_id=""):
    """The message for one recipient (`to`: an address, or `recipient(subscriber)`): `edition`
    personalised with `links` (newsletter.links.recipient_links, or sample_links for previews
    and tests). `feedback_id` names the send and language for the inbox providers' feedback
    loops (Gmail's Feedback-ID)."""
    personal = edition.personalize(links)
    subject = personal.subject
    if test:  # the subject, in the edition's own language, tells the editions apart
        subject = f"{TEST_PREFIX} {subject}"
    subject = subject_header(subject)
    list_unsubscribe = [f"<{links['one_click']}>"]
    mailto = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    if mailto:
        list_unsubscribe.append(f"<mailto:{mailto}?subject=unsubscribe>")
    headers = {
        "List-Unsubscribe": ", ".join(list_unsubscribe),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(),
        # RFC 2369: how a reader of a forwarded copy joins (the footer's link). With List-Id and
        # List-Unsubscribe it marks the message as a list's, which rspamd counts in its favour
        # (MAILLIST, -0.125; docs/sending.md, "Spam scores").
        "List-Subscribe": f"<{subscribe_url(reading_language(edition.language))}>",
        "Date": format_datetime(timezone.now()),
        # Digits and dots before the site's domain: an idstring such as "newsletter" would end
        # the ID in the From address itself (newsletter@domain), which rspamd scores
        # MID_CONTAINS_FROM (+1.0).
        "Message-ID": make_msgid(domain=site_domain()),
        # RFC 3282: the bilingual edition is in both languages, Bangla first.
        "Content-Language": content_language(edition.language),
    }
    if test:
        headers["X-Newsletter-Test"] = "yes"
    if feedback_id:
        headers["Feedback-ID"] = feedback_id
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


# An edition serialised once per worker and send: what is the same for every recipient.

RECIPIENT = "recipient@newsletter.invalid"
MARKERS = {
    "to": RECIPIENT,
    "date": "Thu, 01 Jan 1970 00:00:00 +0000",
    "message_id": "<0MESSAGE0ID0@newsletter.invalid>",
    "one_click": "%%ONE_CLICK_URL%%",
    **PLACEHOLDERS,
}


class PreparedEdition:
    """An edition's message serialised once by Django and Python's e-mail package, with the
    recipient's parts (address, links, Date, Message-ID) as markers; each recipient's message is
    the same Django message whose serialised bytes are those with their own values put in.

    Building and serialising the MIME tree costs more than sending it (a 67 KB Bangla edition:
    about 5 of 9 ms per message on one core). It is safe because every value put in is ASCII and
    every part is 8bit with short lines (no encoding can cut a marker); otherwise, or for a
    non-ASCII address, `message()` builds the message as usual.
    """

    def __init__(self, edition, feedback_id=""):
        self.edition = edition
        self.feedback_id = feedback_id
        markers = {**MARKERS, **{key: m for m, key in edition_placeholders(edition.links).items()}}
        template = edition_message(edition, RECIPIENT, markers, feedback_id=feedback_id)
        template.extra_headers.update(Date=MARKERS["date"], **{"Message-ID": MARKERS["message_id"]})
        data = message_bytes(template)
        self.usable = fits_8bit(edition.html) and fits_8bit(edition.text)
        names = {marker.encode(): key for key, marker in markers.items()}
        pattern = re.compile(b"|".join(re.escape(marker) for marker in names))
        self.pieces, self.keys, start = [], [], 0
        for match in pattern.finditer(data):
            self.pieces.append(data[start : match.start()])
            self.keys.append(names[match.group()])
            start = match.end()
        self.pieces.append(data[start:])

    def message(self, to, links):
        """The message for one recipient, as `edition_message(edition, to, links)` builds it."""
        message = edition_message(self.edition, to, links, feedback_id=self.feedback_id)
        name, address = parseaddr(to)
        if self.usable and address.isascii():
            values = {key: value.encode() for key, value in links.items()}
            values.update(
                to=formataddr((name, address), charset="utf-8").encode(),
                date=message.extra_headers["Date"].encode(),
                message_id=message.extra_headers["Message-ID"].encode(),
            )
            out = [self.pieces[0]]
            for key, piece in zip(self.keys, self.pieces[1:], strict=True):
                out += (values[key], piece)
            message.serialized = b"".join(out)
        return message
