"""Background tasks (django-tasks; `manage.py db_worker` runs them)."""

import logging

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
    send_confirmation(subscriber)
    return True
