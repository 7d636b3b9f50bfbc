"""Admin: event categories under Snippets, listed by language and exportable."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet

from website.snippets import SnippetViewSet

from .models import EventCategory


class EventCategoryViewSet(SnippetViewSet):
    model = EventCategory
    icon = "tag"
    menu_label = _("Event categories")
    list_display = ["name", "slug", "locale"]
    # No list_filter = ["locale"]: that would add a filter by locale id, which clashes with the
    # ?locale=<language code> parameter of Wagtail's listing views (?locale=2 answers 404).
    # Wagtail adds its own language filter (?locale=bn) to every translatable model's listing.
    list_export = ["name", "slug", "locale"]
    search_fields = ["name"]
    ordering = ["name"]


register_snippet(EventCategoryViewSet)
