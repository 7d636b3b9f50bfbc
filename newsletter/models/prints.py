"""The print edition, stored: one PDF per (published issue revision, language), rendered once.

On publish, a background task renders the new revision's PDF (`newsletter.publishing`). A request
for a PDF that is not stored yet renders it itself, under a lock so that two requests never render
the same edition at once; a request that finds the lock taken gets a "being prepared" page. The
row is written only once its file is complete, so a failed or half-written render is never served;
a failure is logged with the issue and language and tried again by the next publish or request.
Drafts (the admin's "Print (PDF)" preview) are never stored, and private or unpublished issues have
no public PDF. Storing a new revision's PDF removes the earlier revisions' PDFs of that language.
"""

import logging
import secrets

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from ..printing import print_filename, render_print

logger = logging.getLogger(__name__)

LOCK_SECONDS = 120  # longer than any render; a crashed renderer's lock expires by itself
RETRY_AFTER_SECONDS = 10


class PrintFile(models.Model):
    """The PDF of one edition: an issue's published revision in its language."""

    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(_("file"), max_length=255)
    pages = models.PositiveIntegerField(_("pages"))
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("print edition")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "language"], name="newsletter_print_one_per_edition"
            )
        ]

    def __str__(self):
        return self.file.name


def has_public_print(issue):
    """A live issue without view restrictions (on it or an ancestor) has a public print edition."""
    return issue.live and not issue.get_view_restrictions().exists()


def stored_print(issue):
    """The stored PDF of the issue's live revision in its language, or None."""
    if not issue.live_revision_id:
        return None
    return PrintFile.objects.filter(
        revision_id=issue.live_revision_id, language=issue.locale.language_code
    ).first()


def size_key(revision_id, language):
    return f"newsletter:print-size:{revision_id}:{language}"


def print_size(issue):
    """Bytes of the stored PDF of the live issue, 0 while it is not stored; from the cache after
    the first look (a revision's file never changes), so the issue page costs no query for it."""
    if not issue.live_revision_id:
        return 0
    key = size_key(issue.live_revision_id, issue.locale.language_code)
    size = cache.get(key)
    if size is None:
        stored = stored_print(issue)
        size = stored.size if stored else 0
        # Not stored yet: looked up again soon (store_print also sets the key when it stores).
        cache.set(key, size, None if stored else RETRY_AFTER_SECONDS * 6)
    return size


def print_sizes(issues, language):
    """{issue id: bytes of its stored PDF} for the live issues of an archive page, in one query."""
    by_revision = {issue.live_revision_id: issue.pk for issue in issues if issue.live_revision_id}
    stored = PrintFile.objects.filter(revision_id__in=by_revision, language=language)
    return {by_revision[pk]: size for pk, size in stored.values_list("revision_id", "size")}


def store_print(issue):
    """Render the live issue's print edition and store it; the stored PrintFile, or None if the
    render failed (logged)."""
    language = issue.locale.language_code
    try:
        edition = render_print(issue)
    except Exception:  # any failure of layout or fonts: logged, never a 500, retried later
        logger.exception("Print edition of issue %s (%s) failed to render", issue.pk, language)
        return None
    token = secrets.token_hex(8)  # stored names are not guessable from revision ids
    name = default_storage.save(
        f"newsletter/print/{issue.live_revision_id}-{language}-{token}.pdf",
        ContentFile(edition.pdf),
    )
    try:
        with transaction.atomic():
            stored = PrintFile.objects.create(
                revision_id=issue.live_revision_id,
                language=language,
                file=name,
                pages=edition.pages,
                size=edition.size,
            )
    except IntegrityError:  # stored meanwhile by another process: keep theirs
        default_storage.delete(name)
        return stored_print(issue)
    cache.set(size_key(issue.live_revision_id, language), stored.size, None)
    transaction.on_commit(lambda: delete_older_prints(issue, language))
    return stored


def delete_older_prints(issue, language):
    """Remove the PDFs of the issue's earlier revisions in `language` (rows and files): only the
    live revision's is served, so the storage keeps one file per edition, not one per publish."""
    older = PrintFile.objects.filter(revision__in=issue.revisions.all(), language=language).exclude(
        revision_id=issue.live_revision_id
    )
    for stored in older:
        stored.delete()
        default_storage.delete(stored.file.name)


def ensure_print(issue):
    """The stored PDF of the live issue, rendering it now if no one else is; None while another
    process renders it (or if rendering failed)."""
    stored = stored_print(issue)
    if stored is not None or not issue.live_revision_id:
        return stored
    lock = f"newsletter:print-lock:{issue.live_revision_id}:{issue.locale.language_code}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        return None
    try:
        return stored_print(issue) or store_print(issue)
    finally:
        cache.delete(lock)


def print_response(issue, request):
    """The PDF of a live, public issue as a download named in its language and date; a "being
    prepared" page (503, Retry-After) while it is rendered elsewhere or after a failed render."""
    if not has_public_print(issue):
        raise Http404
    stored = ensure_print(issue)
    if stored is not None and not stored.file.storage.exists(stored.file.name):
        # The file was lost (storage restored without it, removed by hand): render it again.
        logger.warning("Print edition file %s is missing; rendering it again", stored.file.name)
        stored.delete()
        stored = ensure_print(issue)
    if stored is None:
        response = TemplateResponse(
            request,
            "newsletter/print/preparing.html",
            {"page": issue, "retry_after": RETRY_AFTER_SECONDS},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    # Whole, not streamed: the page cache (website/cache.py) keeps and purges it like the page.
    with stored.file.open("rb") as file:
        response = HttpResponse(file.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, print_filename(issue))
    return response
