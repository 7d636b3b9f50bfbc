"""The Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY) per part of the site.

The public site runs under the strict policy: scripts only from this origin's files. Wagtail's
admin (its page editor, wagtail-localize's translation editor, previews) writes some inline
scripts of its own (widgets' initialisation), so its pages also allow inline scripts
(settings.CONTENT_SECURITY_POLICY_ADMIN_UPDATE).
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            parts.update = {**settings.CONTENT_SECURITY_POLICY_ADMIN_UPDATE, **(parts.update or {})}
        return parts
