"""`manage.py import_subscribers FILE [--language bn|en] [--dry-run]`: the admin's import, scripted.

Whoever runs it vouches that everyone in the file agreed to receive the newsletter; their login
name is recorded as the consent source. Prints the report (counts, then each skipped line); exits
with an error, having changed nothing, when the file cannot be read.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.importing import UnreadableFile, import_subscribers, parse_language


class Command(BaseCommand):
    help = (
        "Import newsletter subscribers from a UTF-8 CSV file (columns email, name, language) or "
        "a Mailchimp audience export. Running it vouches that everyone in the file agreed to "
        "receive the newsletter."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--language",
            default="en",
            help="language for rows that give none: bn or en (default: en)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what an import would do, changing nothing",
        )

    def handle(self, *args, file, language, dry_run, **options):
        default_language = parse_language(language)
        if default_language is None:
            raise CommandError(f"--language must be bn or en, not {language!r}.")
        path = Path(file)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        with handle:
            try:
                report = import_subscribers(
                    handle,
                    file_name=path.name,
                    default_language=default_language,
                    dry_run=dry_run,
                )
            except UnreadableFile as exc:
                raise CommandError(f"{path.name}: {exc} Nothing was changed.") from exc
        for line in report.summary_lines():
            self.stdout.write(line)
