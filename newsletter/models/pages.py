"""Newsletter issues are pages: composed and translated like any page, archived on the web.

An issue is edited in English and translated into Bangla with wagtail-localize. Each language's
page is one edition: `issue.edition()` renders its e-mail (subject, preheader, HTML, text), and
`<issue URL>pdf/` serves its print edition (newsletter.models.prints).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from website import formatting
from website.cache import ListingPaginator
from website.models import LocalizedPage

from ..admin.panels import ReadinessPanel
from ..blocks import NewsletterBodyBlock
from ..editions import render_bilingual, render_edition, web_parts
from ..feeds import IssueAtomFeed, IssueRssFeed
from ..links import sample_links
from ..printing import print_filename, render_print
from .prints import has_public_print, print_response, print_size, print_sizes, stored_print

LETTER_FEATURES = ["bold", "italic", "link", "ul", "ol"]


class NewsletterArchivePage(RoutablePageMixin, LocalizedPage):
    """The public archive of past issues, newest first, with RSS and Atom feeds of them
    ("feed/rss/", "feed/atom/") in the archive's language."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*LocalizedPage.content_panels, FieldPanel("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["newsletter.NewsletterIssuePage"]
    max_count_per_parent = 1
    PAGE_SIZE = 12

    class Meta:
        verbose_name = _("newsletter archive")
        verbose_name_plural = _("newsletter archives")

    def issues(self):
        return (
            NewsletterIssuePage.objects.child_of(self)
            .live()
            .public()
            .defer_streamfields()
            .order_by("-issue_date", "-pk")
        )

    def get_cached_paths(self):
        """The archive and both feeds: purged from caches when an issue changes."""
        return ["/", self.reverse_subpage("rss_feed"), self.reverse_subpage("atom_feed")]

    def feed_url(self, name, request=None):
        """Full address of the "rss_feed" or "atom_feed" route."""
        return self.get_full_url(request).rstrip("/") + "/" + self.reverse_subpage(name)

    @path("feed/rss/", name="rss_feed")
    def rss_feed(self, request):
        return IssueRssFeed(self)(request)

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        return IssueAtomFeed(self)(request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["rss_url"] = self.feed_url("rss_feed", request)
        context["atom_url"] = self.feed_url("atom_feed", request)
        paginator = ListingPaginator(
            self.issues(), self.PAGE_SIZE, request=request, listing=self, name="issues"
        )
        issues = paginator.get_page(request.GET.get("page"))
        listed = issues.object_list

        def with_print_sizes():
            """Each card links its print edition, with the size once the PDF is stored."""
            listed_issues = list(listed)
            language = self.locale.language_code
            sizes = print_sizes(listed_issues, language)
            for issue in listed_issues:
                size = sizes.get(issue.pk)
                issue.print_size = formatting.format_file_size(size, language) if size else ""
            return listed_issues

        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        issues.object_list = SimpleLazyObject(with_print_sizes)
        context["issues"] = issues
        context["fragment_query"] = context["listing_page"] = issues.number
        return context


def one_line(value):
    """Subjects and preheaders become mail headers: no line breaks (a translator can type one)."""
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Keep this on one line: remove the line break."))


class NewsletterIssuePage(RoutablePageMixin, LocalizedPage):
    """One issue of the newsletter: a letter, then featured items, lists, figures and more."""

    subject = models.CharField(
        _("subject"),
        max_length=150,
        help_text=_("The e-mail's subject line"),
        validators=[one_line],
    )
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("The preview text inboxes show after the subject"),
        validators=[one_line],
    )
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    letter = RichTextField(_("opening letter"), blank=True, features=LETTER_FEATURES)
    signatory_name = models.CharField(_("signed by"), max_length=120, blank=True)
    signatory_role = models.CharField(_("role of the signatory"), max_length=150, blank=True)
    body = StreamField(NewsletterBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *LocalizedPage.content_panels,
        ReadinessPanel(heading=_("Readiness")),
        MultiFieldPanel(
            [FieldPanel("subject"), FieldPanel("preheader"), FieldPanel("issue_date")],
            heading=_("E-mail"),
        ),
        MultiFieldPanel(
            [FieldPanel("letter"), FieldPanel("signatory_name"), FieldPanel("signatory_role")],
            heading=_("Opening letter"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *LocalizedPage.search_fields,
        index.SearchField("subject"),
        index.SearchField("letter"),
        index.SearchField("body"),
        index.FilterField("issue_date"),
    ]
    parent_page_types = ["newsletter.NewsletterArchivePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    @property
    def preview_modes(self):
        return [
            ("", _("Web archive")),
            ("email-html", _("E-mail (HTML)")),
            ("email-text", _("E-mail (plain text)")),
            ("email-both", _("E-mail for readers of both languages")),
            ("print", _("Print (PDF)")),
        ]

    def serve_preview(self, request, mode_name):
        """The e-mail modes show the edition exactly as subscribers receive it (sample links);
        the print mode renders the draft's PDF, never stored."""
        if mode_name == "print":
            response = HttpResponse(render_print(self).pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{print_filename(self)}"'
            return response
        if mode_name == "email-both":
            edition = self.bilingual_edition().personalize(sample_links("bn"))
            return HttpResponse(edition.html)
        if mode_name not in ("email-html", "email-text"):
            return super().serve_preview(request, mode_name)
        edition = self.edition().personalize(sample_links(self.locale.language_code))
        if mode_name == "email-html":
            return HttpResponse(edition.html)
        return HttpResponse(edition.text, content_type="text/plain; charset=utf-8")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        context["parts"] = SimpleLazyObject(lambda: web_parts(self))

        def print_url():
            """Relative, as every link of the site's own pages; "" without a public PDF."""
            if not has_public_print(self):
                return ""
            return self.url + self.reverse_subpage("print_edition")

        context["print_url"] = SimpleLazyObject(print_url)
        context["print_size"] = SimpleLazyObject(self.print_size_text)  # once the PDF is stored
        return context

    @path("pdf/")
    def print_edition(self, request):
        """The print edition of the live issue in its language (newsletter.models.prints)."""
        return print_response(self, request)

    def print_size_text(self):
        """The stored PDF's size in the issue's language ("1.4 MB", "১.৪ MB"), "" until stored."""
        size = print_size(self)
        return formatting.format_file_size(size, self.locale.language_code) if size else ""

    def print_file(self):
        """The stored print edition of the published revision, or None (not rendered yet)."""
        return stored_print(self)

    def get_cached_paths(self):
        """The issue and its print edition, purged together."""
        return ["/", "/pdf/"]

    def edition(self):
        """This issue's e-mail in its own language (see newsletter.editions.render_edition)."""
        return render_edition(self)

    def bilingual_edition(self):
        """The e-mail for readers of both languages with this issue (as it stands, a draft in
        a preview) and its translation's latest revision, Bangla first; this issue's own
        edition while it has no translation."""
        others = [page.specific for page in self.get_translations()]
        if not others:
            return self.edition()
        other = others[0].get_latest_revision_as_object()
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return render_bilingual(other, self)
        return render_bilingual(self, other)
