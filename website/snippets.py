"""Snippet viewsets with breadcrumbs in the admin's language.

Wagtail 8's SnippetViewSet writes its breadcrumbs ("Home", "Snippets") with gettext when the
admin's URLs are built, at start-up, so they stay in the language of that moment (English) for
every user. These are the same breadcrumbs, translated when a page shows them.
"""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet as WagtailSnippetViewSet


class SnippetViewSet(WagtailSnippetViewSet):
    @property
    def breadcrumbs_items(self):
        items = [{"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}]
        if len(super().breadcrumbs_items) > 1:  # Wagtail's rule for showing "Snippets"
            items.append({"url": reverse_lazy("wagtailsnippets:index"), "label": _("Snippets")})
        return items
