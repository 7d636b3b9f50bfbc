from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    """Newsletter issues, subscribers, sends and deliveries."""

    name = "newsletter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import esp

        esp.connect()  # the e-mail service provider's bounces, complaints, unsubscriptions
