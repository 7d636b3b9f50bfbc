"""RSS and Atom feeds of the newsletter archive, one per language: each live issue with its
preheader as the summary (plain text), dated by its issue date."""

from django.contrib.syndication.views import Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from stories.feeds import publication_datetime
from website.feeds import PlainTextAtomFeed, PlainTextRssFeed
from website.models import SiteText

FEED_SIZE = 20


class IssueFeed(Feed):
    """The latest issues of one archive page, in its language."""

    item_guid_is_permalink = True

    def __init__(self, archive):
        super().__init__()
        self.archive = archive
        self.request = None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        self.language = self.archive.locale.language_code
        return self.archive

    def title(self, archive):
        texts = SiteText.objects.for_locale(archive.locale)
        name = texts[0].programme_name if texts else ""
        return f"{archive.title} · {name}" if name else archive.title

    def link(self, archive):
        return archive.get_full_url(self.request)

    def description(self, archive):
        text = strip_tags(archive.intro).strip()
        if text:
            return Truncator(text).words(60)
        return _("The latest from %(section)s") % {"section": archive.title}

    def items(self, archive):
        return archive.issues()[:FEED_SIZE]

    def item_title(self, issue):
        return issue.title

    def item_description(self, issue):
        return issue.preheader or None

    def item_link(self, issue):
        return issue.get_full_url(self.request)

    def item_guid(self, issue):
        return issue.get_full_url(self.request)

    def item_pubdate(self, issue):
        return publication_datetime(issue.issue_date)


class IssueRssFeed(IssueFeed):
    feed_type = PlainTextRssFeed

    def feed_url(self, archive):
        return archive.feed_url("rss_feed", self.request)


class IssueAtomFeed(IssueFeed):
    feed_type = PlainTextAtomFeed

    def feed_url(self, archive):
        return archive.feed_url("atom_feed", self.request)

    def subtitle(self, archive):
        return self.description(archive)
