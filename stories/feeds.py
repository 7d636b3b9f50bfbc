"""RSS and Atom feeds of a news or stories index, in the index's language.

A feed is built per request for one index page (its routes call `ArticleRssFeed(index)(request)`),
so the Bangla index serves a Bangla feed of Bangla articles with absolute links under /bn/.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.syndication.views import Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from website.feeds import PlainTextAtomFeed, PlainTextRssFeed
from website.models import SiteText

from .models.querysets import localize_topics

# Articles carry a date, not a time. Feeds need a moment: noon in Dhaka, where the programme
# publishes, is the same calendar day from UTC-6 to UTC+11, so readers see the date we wrote.
DHAKA = ZoneInfo("Asia/Dhaka")
PUBLICATION_TIME = datetime.time(12, 0)


def publication_datetime(day):
    """The aware moment a dated article is said to be published (noon, Asia/Dhaka)."""
    return datetime.datetime.combine(day, PUBLICATION_TIME, tzinfo=DHAKA)


class ArticleFeed(Feed):
    """The latest articles of one index page."""

    item_guid_is_permalink = True

    def __init__(self, index):
        super().__init__()
        self.index = index
        self.request = None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        self.language = self.index.locale.language_code
        return self.index

    def title(self, index):
        site_text = SiteText.objects.filter(locale=index.locale).first()
        name = site_text.programme_name if site_text else ""
        return f"{index.title} · {name}" if name else index.title

    def link(self, index):
        return index.get_full_url(self.request)

    def description(self, index):
        text = strip_tags(index.intro).strip()
        if text:
            return Truncator(text).words(60)
        return _("The latest from %(section)s") % {"section": index.title}

    def items(self, index):
        articles = index.articles().for_feed()[: index.feed_size]
        return localize_topics(articles, index.locale)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return publication_datetime(item.date)

    def item_categories(self, item):
        return [topic.name for topic in item.topic_list]


class ArticleRssFeed(ArticleFeed):
    feed_type = PlainTextRssFeed

    def feed_url(self, index):
        return index.feed_url("rss_feed", self.request)


class ArticleAtomFeed(ArticleFeed):
    feed_type = PlainTextAtomFeed

    def feed_url(self, index):
        return index.feed_url("atom_feed", self.request)

    def subtitle(self, index):
        return self.description(index)
