"""Background tasks (django-tasks; `manage.py db_worker` runs them)."""

import logging
import smtplib

from django_tasks import task

from .emails import may_send_confirmation, send_confirmation
from .models import Status, Subscriber

logger = logging.getLogger(__name__)


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


@task()
def deliver_batch(send_id):
    """Claim and send one batch of a send (newsletter.sending.deliver_batch)."""
    from .sending import deliver_batch as deliver

    return deliver(send_id)


@task()
def sweep_sends():
    """Start due sends, revive expired leases, keep sends moving; again in a minute while any
    send is active (newsletter.sending.sweep)."""
    from .sending import schedule_sweep, sweep

    result = sweep()
    schedule_sweep()
    return result
