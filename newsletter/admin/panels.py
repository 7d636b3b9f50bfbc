"""The readiness panel on a newsletter issue's edit page."""

from wagtail.admin.panels import Panel

from ..readiness import readiness


class ReadinessPanel(Panel):
    """Per language: what would fall back to English, what is unpublished, images without alt
    text, and the HTML size; with a link to preview and send a test."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/readiness_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["report"] = readiness(self.instance) if self.instance.pk else None
            context["issue"] = self.instance
            return context
