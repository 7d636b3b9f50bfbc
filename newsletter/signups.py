"""Recording a sign-up, in the background: the form's answer costs the same work for every
address (a queued task), so its timing never tells whether an address is on the list."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_tasks import task
from wagtail.log_actions import log

from .emails import may_send_confirmation, send_confirmation_task
from .models import Source, Status, Subscriber


def public_source(path, fallback):
    """The page a sign-up came from, as stored with the consent: its path only (no query or
    fragment), and never a page reached through a subscriber's own link (its token would be
    stored and exported with somebody else's consent)."""
    path = (path or "").replace("\x00", "").split("?", 1)[0].split("#", 1)[0][:200]
    if not path.startswith("/"):
        return fallback
    try:
        match = resolve(path)
    except Resolver404:
        return path  # a page served by Wagtail's catch-all, or gone since
    return fallback if "token" in match.kwargs else path


def record_signup(email, language, consent_text, consent_source, consent_at):
    """Record a sign-up and send the confirmation e-mail when one is due.

    New, pending, unsubscribed and bounced addresses get a confirmation e-mail (throttled);
    subscribed ones are left as they are. The visitor saw the same answer in every case.
    """
    consent = {
        "consent_text": consent_text,
        "consent_at": consent_at,
        "consent_source": consent_source,
    }
    subscriber = Subscriber.objects.with_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, language=language, source=Source.FORM, **consent
                )
        except IntegrityError:  # the same address signed up at the same moment elsewhere
            return
        log(instance=subscriber, action="newsletter.signup", data={"language": language})
    elif subscriber.status in (Status.SUBSCRIBED, Status.BOUNCED, Status.COMPLAINED):
        return  # nothing to do; bounced and complained addresses are never mailed from here
    else:
        if subscriber.status != Status.PENDING:
            subscriber.status = Status.PENDING
            subscriber.signed_up_at = timezone.now()
            log(instance=subscriber, action="newsletter.signup", data={"again": True})
        subscriber.language = language
        for field, value in consent.items():
            setattr(subscriber, field, value)
        subscriber.save()
    if may_send_confirmation(subscriber):
        send_confirmation_task.enqueue(subscriber.pk)


@task()
def signup_task(email, language, consent_text, consent_source, consent_at):
    """`record_signup` in the worker; `consent_at` comes as ISO 8601 (task arguments are JSON)."""
    record_signup(
        email,
        language,
        consent_text,
        consent_source,
        datetime.datetime.fromisoformat(consent_at),
    )
