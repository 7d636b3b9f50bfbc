"""Sending an issue: a Send freezes both editions, a Delivery row per subscriber is the ledger.

The ledger, not the task queue, says what is done: workers claim deliveries with a lease, commit
each one right after its message is accepted, and a sweep gives expired leases back to the queue.
See docs/sending.md for the failure semantics.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import notices

logger = logging.getLogger(__name__)


class SendState(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    SENDING = "sending", _("sending")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")
    DONE = "done", _("done")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("retrying")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


BOUNCES = [("hard", _("hard bounce")), ("soft", _("soft bounce"))]
PENDING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
# A send in one of these holds its issue: one active send per issue.
ACTIVE_STATES = (SendState.SCHEDULED, SendState.SENDING, SendState.PAUSED)


class SendQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=ACTIVE_STATES)

    def waiting_for_server(self, now=None):
        """Sends paused because the mail server was down, whose next try has come."""
        return self.filter(state=SendState.PAUSED, resume_at__lte=now or timezone.now())


class Send(models.Model):
    """One sending of an issue to the whole list, in each subscriber's language."""

    issue = models.ForeignKey(
        "newsletter.NewsletterIssuePage",
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="sends",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SendState.choices, default=SendState.SCHEDULED
    )
    scheduled_at = models.DateTimeField(_("send at"), default=timezone.now, db_index=True)
    allow_fallback = models.BooleanField(
        _("send English items in place of untranslated ones"), default=False
    )
    max_rate = models.FloatField(
        _("messages per second at most"),
        default=0,
        help_text=_("0 for no limit; set your e-mail provider's limit here"),
    )
    audience = models.JSONField(
        _("audience"),
        default=dict,
        blank=True,
        help_text=_("Who the send is for, as chosen (newsletter.audiences); empty: everyone"),
    )
    editions = models.JSONField(
        _("frozen editions"),
        default=dict,
        blank=True,
        help_text=_("Subject, preheader, HTML and text per language, as rendered at the start"),
    )
    prepared = models.BooleanField(default=False)  # the ledger has a row per recipient
    pause_reason = models.TextField(_("why it paused"), blank=True)
    # The mail server could not be reached this many times in a row; the sweep resumes the send
    # at `resume_at` (back-off), a manual pause clears it.
    outages = models.PositiveIntegerField(default=0)
    resume_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = SendQuerySet.as_manager()

    class Meta:
        verbose_name = _("send")
        verbose_name_plural = _("sends")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.issue} ({self.get_state_display()})"

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def pause(self, reason="", resume_at=None):
        """Stop a sending send (workers stop within a few messages); the officers who started it
        are told. True if it was sending."""
        updated = Send.objects.filter(pk=self.pk, state=SendState.SENDING).update(
            state=SendState.PAUSED, pause_reason=reason, resume_at=resume_at
        )
        if updated:
            self.state, self.pause_reason, self.resume_at = SendState.PAUSED, reason, resume_at
            logger.warning("Send %s paused: %s", self.pk, reason)
            notices.send_changed(self, "paused")
        return bool(updated)

    def wait_for_server(self, error, now=None):
        """Pause while the mail server cannot be reached; the sweep resumes the send after 1, 2,
        4... minutes (NEWSLETTER_RETRY_BASE_SECONDS, at most NEWSLETTER_RETRY_MAX_SECONDS).
        Only the first outage in a row is announced to the officers."""
        now = now or timezone.now()
        outages = self.outages + 1
        wait = min(
            settings.NEWSLETTER_RETRY_BASE_SECONDS * 2 ** (outages - 1),
            settings.NEWSLETTER_RETRY_MAX_SECONDS,
        )
        resume_at = now + timedelta(seconds=wait)
        reason = f"The mail server could not be reached ({error}); trying again by itself."
        updated = Send.objects.filter(pk=self.pk, state=SendState.SENDING).update(
            state=SendState.PAUSED, pause_reason=reason, resume_at=resume_at, outages=outages
        )
        if updated:
            self.state, self.pause_reason, self.resume_at = SendState.PAUSED, reason, resume_at
            self.outages = outages
            logger.warning("Send %s waits for the mail server until %s", self.pk, resume_at)
            if outages == 1:
                notices.send_changed(self, "paused")
        return bool(updated)

    def cancel(self):
        """Stop for good: deliveries not yet sent are skipped."""
        updated = Send.objects.filter(pk=self.pk, state__in=ACTIVE_STATES).update(
            state=SendState.CANCELLED, finished_at=timezone.now(), resume_at=None
        )
        if updated:
            self.state = SendState.CANCELLED
            self.deliveries.filter(
                status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)
            ).update(status=DeliveryStatus.SKIPPED, last_error="send cancelled")
        return bool(updated)

    def finish(self, now=None):
        """Mark a sending send done once nothing is pending; the officers are told."""
        updated = Send.objects.filter(pk=self.pk, state=SendState.SENDING).update(
            state=SendState.DONE, finished_at=now or timezone.now()
        )
        if updated:
            self.state = SendState.DONE
            notices.send_changed(self, "done")
        return bool(updated)

    def progress(self):
        """Counts per language and status, in one query: {"bn": {"sent": 10, ...}, ...}."""
        rows = self.deliveries.values("language", "status").annotate(n=Count("pk"))
        result = {}
        for row in rows:
            result.setdefault(row["language"], {})[row["status"]] = row["n"]
        return result

    def totals(self):
        totals = self.deliveries.aggregate(
            total=Count("pk"),
            sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            skipped=Count("pk", filter=Q(status=DeliveryStatus.SKIPPED)),
        )
        totals["pending"] = totals["total"] - totals["sent"] - totals["failed"] - totals["skipped"]
        return totals


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=PENDING_STATUSES)

    def ready(self, now=None):
        """Deliveries a worker may claim now."""
        now = now or timezone.now()
        return self.filter(
            status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING), next_attempt_at__lte=now
        )

    def lease_expired(self, now=None):
        return self.filter(status=DeliveryStatus.SENDING, lease_until__lt=now or timezone.now())


class Delivery(models.Model):
    """The ledger: one message of one send to one subscriber."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        "newsletter.Subscriber",
        null=True,
        on_delete=models.SET_NULL,  # erasure keeps the ledger's counts, not the person
        related_name="deliveries",
    )
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What followed, for the report (kept when the subscriber is erased): the first click on a
    # tracked link by a person (newsletter/clicks.py), the first open (our image or the ESP's),
    # a bounce (hard: the address was refused for good; soft: refused for now at some attempt),
    # a complaint, and the unsubscribe that this message was the last one before.
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    bounce = models.CharField(_("bounce"), max_length=4, blank=True, choices=BOUNCES)
    complained_at = models.DateTimeField(_("complained"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["send", "subscriber"], name="newsletter_delivery_once_per_subscriber"
            )
        ]
        indexes = [
            models.Index(fields=["send", "status", "next_attempt_at"]),
            models.Index(fields=["send", "attempted_at"]),
        ]

    def __str__(self):
        return f"{self.send_id}/{self.subscriber_id} {self.status}"


class ClickKind(models.TextChoices):
    PERSON = "person", _("person")
    HEAD = "head", _("HEAD request")
    SCANNER = "scanner", _("link scanner")
    EARLY = "early", _("seconds after delivery")
    BURST = "burst", _("every link at once")


class ClickQuerySet(models.QuerySet):
    def by_people(self):
        return self.filter(kind=ClickKind.PERSON)

    def anonymise(self, deliveries):
        """Erasure: the clicks of these deliveries keep their counts and lose their person. The
        first click of a person on each (delivery, link) stays marked as the one that counted
        once."""
        clicks = self.filter(delivery__in=deliveries)
        firsts = {}
        rows = clicks.by_people().order_by("at", "pk").values_list("pk", "delivery_id", "link")
        for pk, delivery, link in rows:
            firsts.setdefault((delivery, link), pk)
        self.filter(pk__in=list(firsts.values())).update(first=True)
        clicks.update(delivery=None)


class Click(models.Model):
    """One request for a tracked link of a send: a row per click, never an update of a shared
    counter, so a burst of clicks on one link locks nothing. Counts are made at report time.

    No address, IP or user agent is kept: the delivery (hence the subscriber until they are
    erased), the link's position in the frozen edition, the time and the kind of client. Erasing
    the subscriber anonymises their clicks (`delivery` None) and keeps the counts: `first` then
    marks the click that counted once for its delivery and link."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="clicks")
    delivery = models.ForeignKey(
        Delivery, null=True, on_delete=models.SET_NULL, related_name="clicks"
    )
    language = models.CharField(_("language"), max_length=5)
    link = models.PositiveSmallIntegerField(_("link"))
    at = models.DateTimeField(_("clicked at"), default=timezone.now)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ClickKind.choices, default=ClickKind.PERSON
    )
    first = models.BooleanField(default=False)

    objects = ClickQuerySet.as_manager()

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(fields=["send", "link"]),
            models.Index(fields=["delivery", "at"]),
        ]

    def __str__(self):
        return f"{self.send_id}/{self.delivery_id} link {self.link} ({self.kind})"
