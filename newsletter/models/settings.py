"""The newsletter's site settings (Settings → Newsletter)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="mail")
class NewsletterSettings(BaseSiteSetting):
    """Where test sends may go besides the addresses of the admin's own users: a test is a real
    e-mail, and without a limit the test view would relay the newsletter to anyone."""

    test_domains = models.CharField(
        _("domains that may receive test sends"),
        max_length=500,
        blank=True,
        help_text=_(
            "Test sends go to the e-mail addresses of people with an account in this admin, and "
            "to any address at these domains (separated by commas), for example: "
            "betterwork.org, ilo.org"
        ),
    )

    class Meta:
        verbose_name = _("newsletter settings")

    def allowed_domains(self):
        """The domains as a set of lower-case names, without a leading @."""
        return {
            part.strip().lstrip("@").lower()
            for part in self.test_domains.replace(";", ",").replace(" ", ",").split(",")
            if part.strip().lstrip("@")
        }
