"""Is an issue ready to send? Per language: untranslated or unpublished items, images without
alt text or whose file is missing, the size of the HTML against Gmail's clipping limit, and the
print edition of the published revision (pages and size) once it is stored.

Warnings, which leave the issue ready: statistics dated after the issue, a video item whose
address is no video, a letter without its signatory's name."""

import dataclasses
import functools

from django.conf import settings
from django.urls import reverse
from wagtail.models import Locale

from .editions import render_bilingual
from .languages import BOTH, LANGUAGE_CHOICES
from .messages import header_problems


@dataclasses.dataclass
class LanguageReadiness:
    language: str
    language_name: str
    page: object = None  # the issue in this language (latest revision), None if not translated
    edition: object = None
    edit_url: str = ""
    bilingual: bool = False  # the edition for readers of both languages (both halves' checks above)

    @functools.cached_property
    def line_breaks(self):
        """ "subject" and/or "preheader" when they hold a line break (they cannot be sent)."""
        return header_problems(self.edition) if self.edition else []

    @functools.cached_property
    def print_file(self):
        """The stored PDF of the published revision (newsletter.models.prints), or None."""
        return self.page.print_file() if self.page is not None else None

    @property
    def unsigned_letter(self):
        """The letter has text but nobody's name under it (a role alone does not sign)."""
        page = self.page
        return bool(page is not None and page.letter and not page.signatory_name.strip())

    @property
    def ready(self):
        if self.bilingual:
            return bool(self.edition and self.edition.fits_gmail)
        return bool(
            self.edition
            and not self.line_breaks
            and not self.edition.fallbacks
            and not self.edition.unpublished
            and not self.edition.missing_alt
            and not self.edition.missing_images
            and self.edition.fits_gmail
        )


def readiness(issue):
    """One LanguageReadiness per site language, rendering each edition from the latest revision."""
    names = dict(settings.LANGUAGES)
    report = []
    for locale in Locale.objects.order_by("pk"):
        code = locale.language_code
        entry = LanguageReadiness(code, names.get(code, code))
        page = issue if issue.locale_id == locale.pk else issue.get_translation_or_none(locale)
        if page is not None:
            if page is not issue:
                page = page.get_latest_revision_as_object()
            entry.page = page
            entry.edition = page.edition()
            entry.edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        report.append(entry)
    pages = {entry.language: entry.page for entry in report}
    first = next((p for code, p in pages.items() if code != settings.LANGUAGE_CODE), None)
    if first is not None and pages.get(settings.LANGUAGE_CODE) is not None:
        report.append(
            LanguageReadiness(
                BOTH,
                str(dict(LANGUAGE_CHOICES)[BOTH]),
                edition=render_bilingual(first, pages[settings.LANGUAGE_CODE]),
                bilingual=True,
            )
        )
    return report
