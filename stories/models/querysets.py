"""What the listings, feeds and home page ask of articles, as queryset methods."""

from django.db import models
from wagtail.models import Locale, PageManager

from website.localize import localize, pick_localized
from website.models import ARTICLE_CARD_RENDITIONS, CustomRendition, SitePageQuerySet, Topic

# Renditions of the listing cards' hero images (stories/includes/article_card.html); fetched
# with the pages they illustrate so a listing makes the same number of queries for 2 or 10 cards.


class ArticleQuerySet(SitePageQuerySet):
    def listing(self, locale=None):
        """Live, public articles of one language (default: the active one), newest first."""
        locale = locale or Locale.get_active()
        return self.live().public().filter(locale=locale).order_by("-date", "-pk")

    def in_topic(self, topic):
        """Articles filed under `topic` in any language.

        Topics of translated pages are synchronised from the English source, so a Bangla page
        points at the English topic: the match is on the topic's translation key.
        """
        links = self.model._meta.get_field("topics").related_model.objects
        return self.filter(
            pk__in=links.filter(topic__translation_key=topic.translation_key).values("page_id")
        )

    def in_year(self, year):
        return self.filter(date__year=year)

    def featured(self):
        return self.filter(featured=True)

    def for_cards(self):
        """Everything a card shows, in a fixed number of queries: hero image and its card
        renditions, topics; the bodies are left in the database."""
        renditions = CustomRendition.objects.filter(filter_spec__in=ARTICLE_CARD_RENDITIONS)
        return (
            self.defer_streamfields()
            .select_related("hero_image")
            .prefetch_related(
                models.Prefetch(
                    "hero_image__renditions", queryset=renditions, to_attr="prefetched_renditions"
                ),
                "topics__topic",
            )
        )

    def for_feed(self):
        return self.defer_streamfields().prefetch_related("topics__topic")


ArticleManager = PageManager.from_queryset(ArticleQuerySet)


def localize_topics(pages, locale):
    """Set `page.topic_list` on each page: its topics in `locale`, in the editor's order.

    Translated pages keep the English topics (the link is synchronised); their Bangla names are
    looked up for all pages at once, in one query, and only when some topic is not yet in
    `locale`. A topic without a translation keeps its source name.
    """
    pages = list(pages)
    topic_lists = in_locale([[link.topic for link in page.topics.all()] for page in pages], locale)
    for page, topics in zip(pages, topic_lists, strict=True):
        page.topic_list = topics
    return pages


def in_locale(topic_lists, locale):
    """Each list of topics with every topic in `locale` where translated, in one query at most."""
    flat = localize([t for topics in topic_lists for t in topics], locale, Topic.objects.all())
    lists, start = [], 0
    for topics in topic_lists:
        lists.append(flat[start : start + len(topics)])
        start += len(topics)
    return lists


def topics_in_locale(translation_keys, locale):
    """The topics with these translation keys, each in `locale` where translated, by name."""
    chosen = pick_localized(Topic.objects.filter(translation_key__in=translation_keys), locale)
    return sorted(chosen.values(), key=lambda topic: topic.name.casefold())
