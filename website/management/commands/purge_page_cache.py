"""Purge every cached page: the server-side page cache and the configured CDNs.

Run after restoring a backup or upgrading, when content changed without Wagtail's publish signals.
"""

from django.core.management.base import BaseCommand

from website.cache import PagePurge


class Command(BaseCommand):
    help = "Purge every cached page (server-side page cache and CDNs), e.g. after a restore."

    def handle(self, *args, **options):
        purge = PagePurge()
        purge.everything = True
        purge.purge()
        self.stdout.write("Purged every cached page.")
