"""Newsletter models: subscribers, issues as pages (and their stored print editions), and sends
with their delivery ledger."""

from .pages import NewsletterArchivePage, NewsletterIssuePage
from .prints import PrintFile
from .sending import Click, ClickKind, Delivery, DeliveryStatus, Send, SendState
from .subscribers import (
    Label,
    Segment,
    Source,
    StakeholderGroup,
    Status,
    Subscriber,
    SubscriberQuerySet,
    SuppressedAddress,
)

__all__ = [
    "Click",
    "ClickKind",
    "Delivery",
    "DeliveryStatus",
    "Send",
    "SendState",
    "NewsletterArchivePage",
    "NewsletterIssuePage",
    "Label",
    "PrintFile",
    "Segment",
    "Source",
    "StakeholderGroup",
    "Status",
    "Subscriber",
    "SubscriberQuerySet",
    "SuppressedAddress",
]
