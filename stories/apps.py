from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """News articles and stories (people-centred features)."""

    name = "stories"
    default_auto_field = "django.db.models.BigAutoField"
