"""Sending through an e-mail service provider's API with django-anymail, and its tracking webhooks.

The provider posts what happened to a message after it accepted it to /anymail/<esp>/tracking/;
anymail turns each post into a normalised `tracking` signal, received here:

- "bounced" (the address does not exist) marks the subscriber bounced and the message's delivery
  failed; some providers report soft bounces (a full mailbox) as "bounced" too, and those, like
  "deferred", only mark the delivery soft-bounced for the report, as the provider retries them;
- "complained" (the reader marked it as spam) marks the subscriber complained;
- "unsubscribed" (through the provider's own link or list) unsubscribes the subscriber;
- "opened" and "clicked" mark the delivery opened or clicked for the report (docs/reports.md),
  without counting twice what our own image and tracked links count.

Every other event, and any address that is not a subscriber, is ignored. A change is written to the
subscriber's history with the same log actions as an SMTP bounce or an unsubscribe link. The
receiver never raises: an exception would make the provider post the event again and again.
"""

import logging
from collections.abc import Mapping

from anymail.signals import EventType
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .models import Delivery, DeliveryStatus, Status, Subscriber

logger = logging.getLogger(__name__)

HANDLED = (EventType.BOUNCED, EventType.COMPLAINED, EventType.UNSUBSCRIBED)

# What each event makes of the subscriber, and which statuses it leaves alone: a stronger verdict
# is never weakened by a weaker one (a complaint stays a complaint when a bounce follows).
NEW_STATUS = {
    EventType.BOUNCED: (Status.BOUNCED, {Status.BOUNCED, Status.COMPLAINED}),
    EventType.COMPLAINED: (Status.COMPLAINED, {Status.COMPLAINED}),
    EventType.UNSUBSCRIBED: (
        Status.UNSUBSCRIBED,
        {Status.UNSUBSCRIBED, Status.BOUNCED, Status.COMPLAINED},
    ),
}
LOG_ACTION = {
    EventType.BOUNCED: "newsletter.bounce",
    EventType.COMPLAINED: "newsletter.complaint",
    EventType.UNSUBSCRIBED: "newsletter.unsubscribe",
}


def sent_message_id(message):
    """The id to find a sent message by: the provider's own when anymail sent it (its webhooks
    name messages by it), else the Message-ID header we wrote."""
    status = getattr(message, "anymail_status", None)
    esp_id = getattr(status, "message_id", None)
    if esp_id is None or isinstance(esp_id, set):  # a set only for several recipients
        return message.extra_headers["Message-ID"]
    return str(esp_id)


def is_soft_bounce(event):
    """Postmark ("Type": "SoftBounce"), Brevo and Mandrill ("event": "soft_bounce"), MailerSend
    ("type": "activity.soft_bounced") and Amazon SES ("bounceType": "Transient") report temporary
    failures as "bounced" too; their raw event tells them apart."""
    raw = event.esp_event if isinstance(event.esp_event, Mapping) else {}
    bounce = raw.get("bounce") if isinstance(raw.get("bounce"), Mapping) else {}
    kinds = (raw.get("Type"), raw.get("event"), raw.get("type"), bounce.get("bounceType"))
    return any(
        isinstance(kind, str) and ("soft" in kind.lower() or kind == "Transient") for kind in kinds
    )


def description(event):
    """The provider's words for what happened, as short as the ledger and the history want."""
    parts = [event.description, event.mta_response]
    return " — ".join(str(part).strip() for part in parts if part)[:500] or event.event_type


def tracking_received(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: apply a bounce, complaint or unsubscription, note opens,
    clicks and soft bounces for the report; never raise."""
    if not event.recipient:
        return
    try:
        with transaction.atomic():  # a failure rolls back this event only, not the request
            soft = event.event_type == EventType.DEFERRED or (
                event.event_type == EventType.BOUNCED and is_soft_bounce(event)
            )
            if event.event_type in REPORTED or soft:
                note_event(event)
            elif event.event_type in HANDLED:
                apply_event(event, esp_name)
    except Exception:
        logger.exception(
            "Could not apply the %s %s event for message %s",
            esp_name,
            event.event_type,
            event.message_id,
        )


REPORTED = (EventType.OPENED, EventType.CLICKED)


def note_event(event):
    """An open, a click or a soft bounce of one of our messages, for the report only.

    Our own tracked links already count the clicks when NEWSLETTER_TRACK_CLICKS is on (the
    provider sees our /r/ links), so its clicks count only when ours are off; the first open,
    ours or the provider's, marks the delivery opened, so none counts twice."""
    if not event.message_id:
        return
    deliveries = Delivery.objects.filter(
        message_id=str(event.message_id),
        subscriber__in=Subscriber.objects.with_email(event.recipient),
    )
    at = event.timestamp or timezone.now()
    if event.event_type == EventType.OPENED:
        deliveries.filter(opened_at__isnull=True).update(opened_at=at)
    elif event.event_type == EventType.CLICKED:
        if not settings.NEWSLETTER_TRACK_CLICKS:
            deliveries.filter(clicked_at__isnull=True).update(clicked_at=at)
    else:  # a soft bounce: the provider retries it itself; the subscriber stays as they are
        deliveries.filter(bounce="").update(bounce="soft")


def apply_event(event, esp_name):
    subscriber = Subscriber.objects.with_email(event.recipient).select_for_update().first()
    if subscriber is None:
        return  # not (or no longer) a subscriber: a test send, an erased person
    text = description(event)
    delivery = None
    if event.message_id:
        delivery = (
            Delivery.objects.filter(message_id=str(event.message_id), subscriber=subscriber)
            .only("pk", "send_id", "status")
            .first()
        )
    if delivery is not None:
        if event.event_type == EventType.BOUNCED:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, last_error=f"bounced: {text}", bounce="hard"
            )
        else:  # the message did arrive: the ledger keeps it sent and notes what followed
            noted = {"last_error": f"{event.event_type}: {text}"}
            if event.event_type == EventType.COMPLAINED:
                noted["complained_at"] = event.timestamp or timezone.now()
            Delivery.objects.filter(pk=delivery.pk).update(**noted)

    status, kept = NEW_STATUS[event.event_type]
    if subscriber.status in kept:
        return
    if event.timestamp and subscriber.confirmed_at and event.timestamp < subscriber.confirmed_at:
        return  # about a message from before the person subscribed again
    if status == Status.UNSUBSCRIBED:
        subscriber.unsubscribe()
    else:
        subscriber.status = status
        subscriber.save(update_fields=["status", "updated_at"])
    data = {"via": "esp", "esp": esp_name, "error": text[:200]}
    if delivery is not None:
        data["send"] = delivery.send_id
    if event.timestamp:
        data["at"] = event.timestamp.isoformat()
    log(instance=subscriber, action=LOG_ACTION[event.event_type], data=data)


def connect():
    """Called from the app config's ready()."""
    from anymail.signals import tracking

    tracking.connect(tracking_received, dispatch_uid="newsletter.esp.tracking_received")
