"""`manage.py load_demo`: bilingual demo content and demo users; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand

from website.demo import load_content, load_users


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
        credentials = settings.DEMO_CREDENTIALS_FILE
        where = (
            f"{credentials.relative_to(settings.BASE_DIR)} (generated on the first run)"
            if credentials.exists()
            else "the DEMO_PASSWORD environment variable"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Users: {', '.join(usernames)}; password in {where}.")
        )
