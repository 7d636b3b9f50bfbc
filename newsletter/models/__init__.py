"""Newsletter models: subscribers (`subscribers.py`) and issues as pages (`pages.py`)."""

from .pages import NewsletterArchivePage, NewsletterIssuePage
from .subscribers import (
    Source,
    Status,
    Subscriber,
    SubscriberQuerySet,
    SuppressedAddress,
)

__all__ = [
    "NewsletterArchivePage",
    "NewsletterIssuePage",
    "Source",
    "Status",
    "Subscriber",
    "SubscriberQuerySet",
    "SuppressedAddress",
]
