from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events: forums, campaigns, workshops and trainings."""

    name = "events"
    default_auto_field = "django.db.models.BigAutoField"
