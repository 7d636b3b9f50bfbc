"""`manage.py load_demo`: bilingual demo content and demo users; safe to run again."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from website.demo import load_content, load_users
from website.demo.users import display_path


class Command(BaseCommand):
    help = (
        "Load the bilingual demo content and demo users. Idempotent: creates what is missing "
        "and leaves existing content and passwords alone."
    )

    def handle(self, *args, **options):
        def report(line):
            self.stdout.write(line)

        self.stdout.write("Demo content:")
        home = load_content(report)
        self.stdout.write("Demo users and groups:")
        usernames = load_users(home, report)
        if os.environ.get("DEMO_PASSWORD"):
            where = "the DEMO_PASSWORD environment variable"
        elif settings.DEMO_CREDENTIALS_FILE.exists():
            where = f"{display_path(settings.DEMO_CREDENTIALS_FILE)} (generated on the first run)"
        else:
            where = "whatever was set when the users were created"
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Users: {', '.join(usernames)}; password: {where}.")
        )
        self.stdout.write(f"Site: {settings.WAGTAILADMIN_BASE_URL}/  Admin: /admin/")
