"""Telling the officer who started a send what became of it: paused (by the failure rate, the mail
server, a problem at the start), done or cancelled.

Two channels: an e-mail to the officer, and the Wagtail dashboard's "Your newsletter sends" panel
(newsletter.wagtail_hooks), which lists their recent sends with the same words. The e-mail is best
effort: when the mail server is the problem it cannot arrive, and the panel still shows it.
"""

import logging
import smtplib

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .links import absolute_url

logger = logging.getLogger(__name__)


def describe(send, event):
    """(subject, body) of a notice about `send` in the active language."""
    title = str(send.issue.title)
    totals = send.totals()
    figures = _("%(sent)s sent, %(failed)s failed, %(pending)s waiting, %(total)s in all.") % totals
    if event == "done":
        subject = _("Sent: %(title)s") % {"title": title}
        lines = [_("The newsletter has been sent."), figures]
    elif event == "paused":
        subject = _("Paused: %(title)s") % {"title": title}
        lines = [_("The newsletter send has paused."), send.pause_reason, figures]
        if send.resume_at is None:
            lines.append(_("Open the send's page to resume or cancel it."))
    else:
        subject = _("%(state)s: %(title)s") % {"state": send.get_state_display(), "title": title}
        lines = [figures]
    lines.append(absolute_url(reverse("newsletter_sends:detail", args=[send.pk])))
    return subject, "\n\n".join(line for line in lines if line) + "\n"


def send_changed(send, event):
    """E-mail the officer who started `send` about `event` ("paused", "done"); never raises."""
    user = send.created_by
    if user is None or not user.email:
        return False
    language = getattr(getattr(user, "wagtail_userprofile", None), "preferred_language", "") or "en"
    try:
        with translation.override(language):
            subject, body = describe(send, event)
        EmailMessage(subject, body, to=[user.email]).send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Notice of send %s (%s) not e-mailed: %s", send.pk, event, exc)
        return False
    return True
