"""An edition as an e-mail message, built one way for every channel: Django's
`EmailMultiAlternatives` with bulk-mail headers, a text part and an HTML part.

Editions keep their lines short (`editions.wrap_lines`), so Django sends both parts as 8bit UTF-8,
the size of the text itself (quoted-printable, which nearly triples Bangla, only for a line over
998 bytes). Every transport takes the same message: SMTP in development and production and every
django-anymail ESP, through Django's e-mail backend API.
"""

from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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


def edition_message(edition, to, links, *, test=False, connection=None):
    """The message for one recipient: `edition` personalised with `links`
    (newsletter.links.recipient_links, or sample_links for previews and tests)."""
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
        "Date": format_datetime(timezone.now()),
        "Message-ID": make_msgid(idstring="newsletter", domain=site_domain()),
        "Content-Language": edition.language,
    }
    if test:
        headers["X-Newsletter-Test"] = "yes"
    message = EmailMultiAlternatives(
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
