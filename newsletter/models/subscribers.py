"""Newsletter subscribers and the suppression list.

A subscriber's history (sign-up, confirmation, language change, unsubscription, import) is kept in
Wagtail's model log (`wagtail.log_actions.log`), which the admin shows on the subscriber's history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.log_actions import registry as log_registry
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField

from website.models import TranslatableQuerySet

from ..addresses import normalize_email, suppression_hash
from ..languages import BOTH, LANGUAGE_CHOICES, reading_language  # noqa: F401 (re-exported)
from ..tokens import InvalidToken, signup_stamp, unsign_confirmation, unsign_link
from .sending import Click, Delivery, DeliveryStatus


class Status(models.TextChoices):
    PENDING = "pending", _("pending confirmation")
    SUBSCRIBED = "subscribed", _("subscribed")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
    BOUNCED = "bounced", _("bounced")
    COMPLAINED = "complained", _("complained")


class Source(models.TextChoices):
    FORM = "form", _("sign-up form")
    IMPORT = "import", _("import")
    ADMIN = "admin", _("added by an officer")


class StakeholderGroup(models.TextChoices):
    """Who a subscriber is, in their own words (optional): the programme's stakeholder groups."""

    FACTORY = "factory", _("Factory owner or manager")
    BRAND = "brand", _("Brand or retailer")
    UNION = "union", _("Trade union or worker organisation")
    GOVERNMENT = "government", _("Government")
    EMPLOYERS = "employers", _("Employers' association")
    PARTNER = "partner", _("Development partner or donor")
    MEDIA = "media", _("Media")
    RESEARCH = "research", _("Research or civil society")
    OTHER = "other", _("Other")


class Label(models.Model):
    """A label officers apply to subscribers ("Business Forum 2022 participants", "press list")."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Segment(models.Model):
    """A saved audience: stakeholder groups, topics, labels and languages, matched any or all."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    rules = models.JSONField(_("rules"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WelcomeMessage(TranslatableMixin, models.Model):
    """The e-mail a subscriber receives once they confirmed (optional: only while `enabled`), one
    per language, translated like the site's other texts."""

    enabled = models.BooleanField(
        _("send it"), default=False, help_text=_("Sent to each new subscriber once they confirm")
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = RichTextField(_("body"), features=["bold", "italic", "link", "ol", "ul"])

    objects = TranslatableQuerySet.as_manager()
    panels = [FieldPanel("enabled"), FieldPanel("subject"), FieldPanel("body")]
    override_translatable_fields = [SynchronizedField("enabled", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("welcome e-mail")
        verbose_name_plural = _("welcome e-mails")

    def __str__(self):
        return self.subject


class SubscriberQuerySet(models.QuerySet):
    def sendable(self):
        """Subscribers a newsletter may be sent to: confirmed and not since unsubscribed."""
        return self.filter(status=Status.SUBSCRIBED)

    def pending(self):
        return self.filter(status=Status.PENDING)

    def with_email(self, address):
        """The subscriber with this address, whatever its case or domain spelling."""
        return self.filter(email__iexact=normalize_email(address))

    def from_link_token(self, token):
        """The subscriber a signed unsubscribe/preference link names; raises InvalidToken."""
        subscriber = self.filter(token=unsign_link(token)).first()
        if subscriber is None:
            raise InvalidToken
        return subscriber

    def from_confirmation_token(self, token):
        """The subscriber a confirmation link names, for their current sign-up only; raises
        ExpiredToken or InvalidToken."""
        key, stamp = unsign_confirmation(token)
        subscriber = self.filter(token=key).first()
        if subscriber is None or stamp != signup_stamp(subscriber.signed_up_at):
            raise InvalidToken
        return subscriber


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=LANGUAGE_CHOICES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    signed_up_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    consent_text = models.TextField(
        _("consent text"), blank=True, help_text=_("What the person agreed to, word for word")
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"),
        max_length=200,
        blank=True,
        help_text=_("Where consent was given: the form's page, an event sign-up sheet, ..."),
    )
    confirmation_sent_at = models.DateTimeField(
        _("confirmation e-mail sent"), null=True, blank=True
    )
    token = models.UUIDField(
        _("link key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Signed into the subscriber's unsubscribe and preference links"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Who they are (all optional, their own choice on the preferences page) and the officers'
    # labels. Topics are the site's topics in the default language (their translations share
    # the translation key and are shown in the reader's language).
    group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices, blank=True
    )
    topics = models.ManyToManyField(
        "website.Topic", verbose_name=_("topics of interest"), blank=True, related_name="+"
    )
    labels = models.ManyToManyField(
        Label, verbose_name=_("labels"), blank=True, related_name="subscribers"
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-signed_up_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique")
        ]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def reading_language(self):
        """The language of the pages and e-mails about their subscription (see BOTH)."""
        return reading_language(self.language)

    def confirm(self):
        """Double opt-in completed: from now on newsletters may be sent."""
        self.status = Status.SUBSCRIBED
        self.confirmed_at = timezone.now()
        self.unsubscribed_at = None
        self.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "updated_at"])
        SuppressedAddress.objects.filter(email_hash=suppression_hash(self.email)).delete()

    def unsubscribe(self):
        """Stop all sending at once; only signing up again undoes it."""
        if self.status == Status.UNSUBSCRIBED:
            return False
        self.status = Status.UNSUBSCRIBED
        self.unsubscribed_at = timezone.now()
        self.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        # The report attributes the unsubscribe to the last issue the person received.
        last = self.deliveries.filter(status=DeliveryStatus.SENT).order_by("-pk")[:1]
        Delivery.objects.filter(pk__in=list(last.values_list("pk", flat=True))).update(
            unsubscribed_at=self.unsubscribed_at
        )
        return True

    def personal_data(self):
        """Everything stored about the person, for "download my data"."""

        def iso(value):
            return value.isoformat() if value else None

        return {
            "email": self.email,
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "source": self.source,
            "signed_up_at": iso(self.signed_up_at),
            "confirmed_at": iso(self.confirmed_at),
            "unsubscribed_at": iso(self.unsubscribed_at),
            "stakeholder_group": self.group,
            "topics": [topic.slug for topic in self.topics.all()],
            "labels": [label.name for label in self.labels.all()],
            "consent": {
                "text": self.consent_text,
                "given_at": iso(self.consent_at),
                "source": self.consent_source,
            },
            "clicks": [
                {
                    "issue": str(click.send.issue),
                    "link": self.clicked_link(click),
                    "at": iso(click.at),
                }
                for click in Click.objects.filter(delivery__subscriber=self)
                .select_related("send__issue")
                .order_by("at", "pk")
            ],
            "deliveries": [
                {
                    "issue": delivery.send.issue.title,
                    "language": delivery.language,
                    "status": delivery.status,
                    "queued_at": iso(delivery.created_at),
                    "sent_at": iso(delivery.sent_at),
                }
                for delivery in self.deliveries.select_related("send__issue").order_by("pk")
            ],
        }

    def label_names(self):
        """The subscriber's labels, comma-separated, for exports (imported back the same way)."""
        return ", ".join(label.name for label in self.labels.all())

    @staticmethod
    def clicked_link(click):
        links = click.send.editions.get(click.language, {}).get("links", [])
        return links[click.link]["url"] if click.link < len(links) else ""

    def erase(self):
        """Delete the person's data, keeping only a suppression hash of the address."""
        SuppressedAddress.objects.get_or_create(
            email_hash=suppression_hash(self.email), defaults={"reason": "erased"}
        )
        log_registry.get_logs_for_instance(self).delete()  # their history repeats the address
        Click.objects.anonymise(self.deliveries.all())  # the counts stay, the person goes
        # The ledger keeps its rows for the counts; a server's reply can quote the address.
        self.deliveries.update(last_error="")
        self.delete()


class SuppressedAddress(models.Model):
    """Addresses that must not be added back by an import: only their hash is kept."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=40, default="erased")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return f"{self.email_hash[:12]}… ({self.reason})"

    @classmethod
    def is_suppressed(cls, address):
        return cls.objects.filter(email_hash=suppression_hash(address)).exists()
