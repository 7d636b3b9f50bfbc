"""`manage.py render_newsletter ISSUE --locale bn --out DIR`: an edition as .html, .txt and .eml,
and its print edition as .pdf."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.links import sample_links
from newsletter.messages import edition_message, message_bytes
from newsletter.models import NewsletterIssuePage
from newsletter.printing import render_print


def find_issue(reference, language):
    """The issue in `language`, named by its page id (any language) or slug."""
    issues = NewsletterIssuePage.objects.all()
    issue = issues.filter(pk=reference).first() if reference.isdigit() else None
    issue = issue or issues.filter(slug=reference).first()
    if issue is None:
        raise CommandError(f"No newsletter issue with id or slug {reference!r}.")
    translated = issues.filter(
        translation_key=issue.translation_key, locale__language_code=language
    )
    issue = translated.first()
    if issue is None:
        raise CommandError(f"The issue has no {language!r} translation yet.")
    return issue.get_latest_revision_as_object()


class Command(BaseCommand):
    help = "Write one edition of a newsletter issue as .html, .txt, a complete .eml and a .pdf."

    def add_arguments(self, parser):
        parser.add_argument("issue", help="page id or slug of the issue")
        parser.add_argument("--locale", default="en", help="language of the edition (en, bn)")
        parser.add_argument("--out", default=".", help="folder to write into (created if needed)")
        parser.add_argument("--to", default="reader@example.org", help="recipient of the .eml")

    def handle(self, issue, locale, out, to, **options):
        page = find_issue(issue, locale)
        edition = page.edition()
        links = sample_links(locale)
        message = edition_message(edition, to, links)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"{page.slug}.{locale}"
        personal = edition.personalize(links)
        Path(f"{stem}.html").write_text(personal.html, encoding="utf-8")
        Path(f"{stem}.txt").write_text(personal.text, encoding="utf-8")
        Path(f"{stem}.eml").write_bytes(message_bytes(message))
        printed = render_print(page)
        Path(f"{stem}.pdf").write_bytes(printed.pdf)
        for note in edition.notes:
            self.stderr.write(
                f"  ! block {note.block}: {note.title} ({note.problem} {note.language})"
            )
        fits = "fits" if edition.fits_gmail else "is over"
        self.stdout.write(
            f"{stem}.html/.txt/.eml/.pdf written; HTML part {edition.html_size:,} bytes as sent "
            f"({fits} Gmail's 102 KB); print edition {printed.pages} pages, "
            f"{printed.size:,} bytes."
        )
