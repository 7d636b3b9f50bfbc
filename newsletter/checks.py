"""Deployment checks of the newsletter (shown by `manage.py check --deploy`): its sender identity,
and the Chromium that prints its print edition.

Inbox providers judge a bulk sender by its From domain: it must be one the organisation controls
(SPF, DKIM and DMARC published for it, docs/deployment.md), never the documentation domains
example.org/example.com, and it must align with the site whose links the e-mails carry.
"""

import shutil
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")


def _domain(address):
    return parseaddr(address)[1].rpartition("@")[2].lower().rstrip(".")


def _is_within(host, domain):
    return host == domain or host.endswith(f".{domain}")


def aligned(site_host, from_domain):
    """Whether the From domain and the site's host belong together: one is the other or a
    subdomain of it ("www." of the site ignored), as DMARC's relaxed alignment would accept."""
    site = site_host.removeprefix("www.")
    return _is_within(site, from_domain) or _is_within(from_domain, site)


@checks.register("email", deploy=True)
def check_sender_identity(app_configs=None, **kwargs):
    errors = []
    site_host = (urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "").lower()
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        address = getattr(settings, name, "")
        domain = _domain(address)
        if not domain or any(_is_within(domain, p) for p in PLACEHOLDER_DOMAINS):
            errors.append(
                checks.Error(
                    f"{name} is {address!r}: production would send from a placeholder domain.",
                    hint=f"Set {name} to an address on the organisation's own domain, with SPF, "
                    "DKIM and DMARC published for it (docs/deployment.md).",
                    id="newsletter.E101",
                )
            )
        elif site_host and not aligned(site_host, domain):
            errors.append(
                checks.Error(
                    f"{name}'s domain {domain!r} does not align with BASE_URL's {site_host!r}.",
                    hint="Send from the site's domain or a subdomain of it (or serve the site "
                    "from the sender's domain); links to another domain than the From "
                    "address's look like phishing to inbox providers (docs/deployment.md).",
                    id="newsletter.E102",
                )
            )
    return errors


@checks.register(deploy=True)
def check_print_chromium(app_configs=None, **kwargs):
    """The print edition (newsletter/printing.py) is printed by Chromium: without it every PDF
    fails to render (logged) and readers get a "being prepared" page."""
    if shutil.which(settings.PRINT_CHROMIUM):
        return []
    return [
        checks.Warning(
            f"No Chromium at {settings.PRINT_CHROMIUM!r}: print editions cannot be rendered.",
            hint="Install Debian's chromium and fonts-noto-core on the web and worker machines, "
            "or set CHROMIUM_PATH (docs/deployment.md).",
            id="newsletter.W201",
        )
    ]
