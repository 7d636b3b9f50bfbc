"""Fields and behaviour that news articles and stories share."""

from functools import partial

from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Locale, Page
from wagtail.search import index

from website.localize import pick_localized

from ..links import prefetch_body_links
from .querysets import ArticleManager, in_locale


class ArticleMixin(models.Model):
    """A dated article filed under topics, with links to related pages.

    Mixed in before `website.models.ContentPage`, which gives the summary, hero image and body.
    The date is copied to the Bangla translation (synchronised); the topics and related pages are
    child rows copied from the source and shown in the reader's language at render time.
    """

    date = models.DateField(
        _("publication date"),
        default=timezone.localdate,
        help_text=_("Listings and feeds are ordered by this date, newest first"),
    )

    objects = ArticleManager()

    article_panels = [
        FieldPanel("date"),
        InlinePanel("topics", heading=_("Topics"), label=_("Topic")),
    ]
    related_panels = [
        InlinePanel("related_pages", heading=_("Related pages"), label=_("Related page")),
    ]
    article_search_fields = [index.FilterField("date")]

    class Meta:
        abstract = True

    def localized_topics(self):
        """The article's topics in its own language, in two queries however many."""
        return in_locale(
            [[link.topic for link in self.topics.select_related("topic")]], self.locale
        )[0]

    def localized_related_pages(self):
        """Related pages that are live and public, each in the article's language when it is
        translated (otherwise the source page, which the template marks with its language)."""
        links = list(self.related_pages.select_related("related_page").order_by("sort_order", "pk"))
        keys = [link.related_page.translation_key for link in links]
        if not keys:
            return []
        candidates = (
            Page.objects.live()
            .public()
            .filter(translation_key__in=keys)
            .exclude(pk=self.pk)
            .defer_streamfields()
            .specific()
        )
        by_key = pick_localized(candidates, self.locale)
        languages = {locale.pk: locale.language_code for locale in Locale.objects.all()}
        pages = []
        for key in dict.fromkeys(keys):
            page = by_key.get(key)
            if page is not None:
                page.language_code = languages.get(page.locale_id)
                page.is_other_language = page.locale_id != self.locale_id
                pages.append(page)
        return pages

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        context["index_page"] = SimpleLazyObject(self.get_parent)
        context["topics"] = SimpleLazyObject(self.localized_topics)
        context["related_pages"] = SimpleLazyObject(self.localized_related_pages)
        context["body"] = partial(self.linked_body, request)
        return context

    def linked_body(self, request=None):
        """The body with its links looked up at once (stories.links)."""
        prefetch_body_links(self.body, request)
        return self.body
