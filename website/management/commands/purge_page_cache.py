"""Purge every cached page from the HTTP cache and CDNs (WAGTAILFRONTENDCACHE), and renew every
cached fragment of a page.

Run after restoring a backup or upgrading, when content changed without Wagtail's publish signals.
"""

from django.core.management.base import BaseCommand

from website.cache import purge, renew_fragments


class Command(BaseCommand):
    help = "Purge every cached page (HTTP cache and CDNs), e.g. after a restore."

    def handle(self, *args, **options):
        renew_fragments(site_wide=True)
        purge(everything=True)
        self.stdout.write("Purged every cached page and renewed their fragments.")
