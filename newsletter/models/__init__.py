"""Newsletter models: subscribers, issues as pages, and sends with their delivery ledger."""

from .pages import NewsletterArchivePage, NewsletterIssuePage
from .sending import Delivery, DeliveryStatus, Send, SendState
from .subscribers import (
    Source,
    Status,
    Subscriber,
    SubscriberQuerySet,
    SuppressedAddress,
)

__all__ = [
    "Delivery",
    "DeliveryStatus",
    "Send",
    "SendState",
    "NewsletterArchivePage",
    "NewsletterIssuePage",
    "Source",
    "Status",
    "Subscriber",
    "SubscriberQuerySet",
    "SuppressedAddress",
]
