from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    """Newsletter issues, subscribers, sends and deliveries."""

    name = "newsletter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from . import checks, esp, publishing  # noqa: F401 (checks registers itself)
        from .models import NewsletterIssuePage

        esp.connect()  # the e-mail service provider's bounces, complaints, unsubscriptions
        # Each published revision of an issue gets its print edition, in the background.
        page_published.connect(
            publishing.queue_print,
            sender=NewsletterIssuePage,
            dispatch_uid="newsletter.print_on_publish",
        )
