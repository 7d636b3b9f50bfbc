"""What publishing an issue sets off: its print edition, rendered in the background.

Publishing an issue or its translation (Wagtail's `page_published`) queues `render_print_task` for
that revision once the transaction commits; `manage.py db_worker` runs it. A render that fails is
logged and left for the next publish (or the first request, newsletter.models.prints).
"""

from django.db import transaction
from django_tasks import task

from .models import NewsletterIssuePage
from .models.prints import has_public_print, store_print, stored_print


@task()
def render_print_task(page_id, revision_id):
    """Store the print edition of the issue's live revision, unless it moved on or is private."""
    issue = NewsletterIssuePage.objects.filter(pk=page_id).first()
    if issue is None or issue.live_revision_id != revision_id or not has_public_print(issue):
        return False
    return (stored_print(issue) or store_print(issue)) is not None


def queue_print(sender, instance, revision=None, **kwargs):
    """`page_published` receiver: render the published revision's print edition."""
    if revision is None:
        return
    page_id, revision_id = instance.pk, revision.pk
    transaction.on_commit(lambda: render_print_task.enqueue(page_id, revision_id))
