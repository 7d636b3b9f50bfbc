"""E-mails to subscribers outside the newsletter itself: the double opt-in confirmation and the
welcome e-mail once they confirmed."""

import datetime
import logging
import smtplib
from email.utils import format_datetime, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task
from wagtail.log_actions import log
from wagtail.rich_text import expand_db_html

from .links import confirmation_url, recipient_links
from .messages import site_domain, subject_header
from .models import Status, Subscriber, WelcomeMessage

logger = logging.getLogger(__name__)

RESEND_INTERVAL = datetime.timedelta(minutes=10)


def may_send_confirmation(subscriber, now=None):
    """Throttle: one confirmation e-mail per address per RESEND_INTERVAL."""
    sent = subscriber.confirmation_sent_at
    return sent is None or (now or timezone.now()) - sent >= RESEND_INTERVAL


def send_confirmation(subscriber):
    """Send the confirmation e-mail in the subscriber's language; SMTP errors propagate."""
    with translation.override(subscriber.reading_language):
        confirm_url = confirmation_url(subscriber)
        context = {
            "subscriber": subscriber,
            "confirm_url": confirm_url,
            "LANGUAGE_CODE": subscriber.reading_language,
            "valid_days": 7,
        }
        subject = render_to_string("newsletter/email/confirm_subject.txt", context).strip()
        text = render_to_string("newsletter/email/confirm.txt", context)
        html = render_to_string("newsletter/email/confirm.html", context)
    headers = {
        "Message-ID": make_msgid(idstring="confirm", domain=site_domain()),
        "Date": format_datetime(timezone.now()),
    }
    message = EmailMultiAlternatives(
        subject_header(subject), text, to=[subscriber.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
    subscriber.confirmation_sent_at = timezone.now()
    subscriber.save(update_fields=["confirmation_sent_at", "updated_at"])
    log(instance=subscriber, action="newsletter.confirmation_sent", data={"to": subscriber.email})
    return message


@task()
def send_confirmation_task(subscriber_id):
    """Send a pending subscriber their confirmation e-mail, unless sent very recently."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Status.PENDING).first()
    if subscriber is None or not may_send_confirmation(subscriber):
        return False
    try:
        send_confirmation(subscriber)
    except (smtplib.SMTPException, OSError) as exc:
        # Logged without the address (SMTP errors quote it); confirmation_sent_at stays empty, so
        # signing up again tries again.
        logger.warning(
            "Confirmation e-mail to subscriber %s failed: %s", subscriber.pk, type(exc).__name__
        )
        return False
    return True


def send_welcome(subscriber):
    """The welcome e-mail in the subscriber's language, when officers turned it on and it is
    written (translated) in that language; None when there is none to send. SMTP errors
    propagate. Readers of both languages get the Bangla one, as every e-mail about their
    subscription."""
    language = subscriber.reading_language
    welcome = WelcomeMessage.objects.filter(locale__language_code=language, enabled=True).first()
    if welcome is None:
        return None
    links = recipient_links(subscriber)
    with translation.override(language):
        context = {
            "welcome": welcome,
            "body": expand_db_html(welcome.body),
            "links": links,
            "LANGUAGE_CODE": language,
        }
        text = render_to_string("newsletter/email/welcome.txt", context)
        html = render_to_string("newsletter/email/welcome.html", context)
    headers = {
        "Message-ID": make_msgid(idstring="welcome", domain=site_domain()),
        "Date": format_datetime(timezone.now()),
        "List-Unsubscribe": f"<{links['one_click']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = EmailMultiAlternatives(
        subject_header(welcome.subject), text, to=[subscriber.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
    log(instance=subscriber, action="newsletter.welcome_sent")
    return message


@task()
def send_welcome_task(subscriber_id):
    """Welcome a subscriber who just confirmed (see send_welcome); failures are logged."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Status.SUBSCRIBED).first()
    if subscriber is None:
        return False
    try:
        return send_welcome(subscriber) is not None
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning(
            "Welcome e-mail to subscriber %s failed: %s", subscriber.pk, type(exc).__name__
        )
        return False
