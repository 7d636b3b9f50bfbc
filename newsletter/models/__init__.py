"""Newsletter models: subscribers, issues as pages (and their stored print editions), and sends
with their delivery ledger."""

from .pages import NewsletterArchivePage, NewsletterIssuePage
from .prints import PrintFile
from .sending import Click, ClickKind, Delivery, DeliveryStatus, Send, SendState
from .settings import NewsletterSettings
from .subscribers import (
    BOTH,
    LANGUAGE_CHOICES,
    Label,
    Segment,
    Source,
    StakeholderGroup,
    Status,
    Subscriber,
    SubscriberQuerySet,
    SuppressedAddress,
    WelcomeMessage,
    reading_language,
)

__all__ = [
    "BOTH",
    "LANGUAGE_CHOICES",
    "Click",
    "ClickKind",
    "Delivery",
    "DeliveryStatus",
    "Send",
    "SendState",
    "NewsletterArchivePage",
    "NewsletterIssuePage",
    "NewsletterSettings",
    "Label",
    "PrintFile",
    "Segment",
    "Source",
    "StakeholderGroup",
    "Status",
    "Subscriber",
    "SubscriberQuerySet",
    "SuppressedAddress",
    "WelcomeMessage",
    "reading_language",
]
