from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    """Site-wide pieces: home page, site settings, shared blocks, base templates."""

    name = "website"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import translation_memory  # noqa: F401 (connects its signal receivers)
        from .cache import connect_signals

        connect_signals()  # purge cached pages when content changes

        # Before wagtail.snippets' ready() (later in INSTALLED_APPS) registers the snippet viewsets
        from .permissions import register_policies

        register_policies()
