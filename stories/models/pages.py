"""News and stories: the two index pages and the two article types."""

from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from website.cache import ListingPaginator
from website.models import ContentPage, LocalizedPage, PageTopicBase, RelatedPageBase

from ..listing import ListingFilters
from .mixins import ArticleMixin
from .querysets import localize_topics, topics_in_locale

INTRO_FEATURES = ["bold", "italic", "link"]


class NewsPage(ArticleMixin, ContentPage):
    """A news article: what the programme did or announced, and when."""

    content_panels = [
        *ContentPage.content_panels[:2],  # title, summary
        *ArticleMixin.article_panels,
        *ContentPage.content_panels[2:],  # hero image, body
        *ArticleMixin.related_panels,
    ]
    search_fields = [*ContentPage.search_fields, *ArticleMixin.article_search_fields]
    parent_page_types = ["stories.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")


class NewsPageTopic(Orderable, PageTopicBase):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="topics")


class NewsPageRelatedPage(Orderable, RelatedPageBase):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="related_pages")


class StoryPage(ArticleMixin, ContentPage):
    """A story about people: a worker, a manager, a trade unionist, and what changed for them.

    `featured` stories are shown on the home page. The subject's name and role are translated
    (a name is written in Bengali script on the Bangla page).
    """

    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Show this story on the home page")
    )
    subject_name = models.CharField(
        _("name of the person"),
        max_length=120,
        blank=True,
        help_text=_("Whom the story is about, if it is about one person"),
    )
    subject_role = models.CharField(
        _("their role"), max_length=150, blank=True, help_text=_("E.g. sewing operator, Dhaka")
    )

    content_panels = [
        *ContentPage.content_panels[:2],
        *ArticleMixin.article_panels,
        FieldPanel("featured"),
        MultiFieldPanel(
            [FieldPanel("subject_name"), FieldPanel("subject_role")],
            heading=_("The person in the story"),
        ),
        *ContentPage.content_panels[2:],
        *ArticleMixin.related_panels,
    ]
    search_fields = [
        *ContentPage.search_fields,
        *ArticleMixin.article_search_fields,
        index.SearchField("subject_name"),
        index.FilterField("featured"),
    ]
    parent_page_types = ["stories.StoriesIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")


class StoryPageTopic(Orderable, PageTopicBase):
    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="topics")


class StoryPageRelatedPage(Orderable, RelatedPageBase):
    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="related_pages")


class ArticleIndexPage(RoutablePageMixin, LocalizedPage):
    """A listing of articles of one type, newest first, with topic and year filters and feeds.

    Routes: "" (the listing; ?topic=<slug>&year=<yyyy>&page=<n>), "feed/rss/", "feed/atom/".
    Each language's index lists that language's articles; its feeds are in that language.
    """

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    article_model = None  # set by each index type
    page_size = 10
    feed_size = 20

    content_panels = [*LocalizedPage.content_panels, FieldPanel("intro")]
    search_fields = [*LocalizedPage.search_fields, index.SearchField("intro")]
    parent_page_types = ["website.HomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def articles(self):
        """The live, public articles of this index, in its language, newest first."""
        return self.article_model.objects.listing(self.locale).child_of(self)

    def topics(self):
        """Topics that articles of this index are filed under, in this index's language."""
        used = self.articles().order_by().values("topics__topic__translation_key")
        return topics_in_locale(used, self.locale)

    def years(self):
        """Years with articles, newest first."""
        return [day.year for day in self.articles().dates("date", "year", order="DESC")]

    def get_cached_paths(self):
        """The listing and both feeds: purged from caches when an article changes."""
        return ["/", self.reverse_subpage("rss_feed"), self.reverse_subpage("atom_feed")]

    def feed_url(self, name, request=None):
        """Full address of the "rss_feed" or "atom_feed" route."""
        base = self.get_full_url(request)
        return base.rstrip("/") + "/" + self.reverse_subpage(name)

    @path("", name="listing")
    def listing(self, request):
        filters = ListingFilters.from_query(request.GET, self.locale)
        articles = filters.apply(self.articles()).for_cards()
        # What the listing's fragments are keyed on: the choices as understood, not as typed.
        topic = filters.topic.slug if filters.topic else ("?" if filters.unknown_topic else "")
        paginator = ListingPaginator(
            articles, self.page_size, request=request, listing=self, name=f"{topic}|{filters.year}"
        )
        page_of_articles = paginator.get_page(request.GET.get("page"))
        # Looked up while the page's fragments render (website/cache.py), not when they are cached.
        listed = page_of_articles.object_list
        page_of_articles.object_list = SimpleLazyObject(
            lambda: localize_topics(listed, self.locale)
        )

        def topics():
            topics = self.topics()
            if filters.topic and filters.topic.slug not in {topic.slug for topic in topics}:
                topics = [*topics, filters.topic]  # keep the visitor's choice visible in the form
            return topics

        return self.render(
            request,
            context_overrides={
                "articles": page_of_articles,
                "paginator": paginator,
                "filters": filters,
                "topics": SimpleLazyObject(topics),
                "years": SimpleLazyObject(self.years),
                "fragment_query": f"{topic}|{filters.year}|{page_of_articles.number}",
                "listing_page": page_of_articles.number,
                "rss_url": self.feed_url("rss_feed", request),
                "atom_url": self.feed_url("atom_feed", request),
            },
        )

    @path("feed/rss/", name="rss_feed")
    def rss_feed(self, request):
        from ..feeds import ArticleRssFeed

        return ArticleRssFeed(self)(request)

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        from ..feeds import ArticleAtomFeed

        return ArticleAtomFeed(self)(request)


class NewsIndexPage(ArticleIndexPage):
    """The news section: articles about what the programme does."""

    article_model = NewsPage
    subpage_types = ["stories.NewsPage"]

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")


class StoriesIndexPage(ArticleIndexPage):
    """The stories section: people and what changed for them."""

    article_model = StoryPage
    subpage_types = ["stories.StoryPage"]

    class Meta:
        verbose_name = _("stories index")
        verbose_name_plural = _("stories indexes")
