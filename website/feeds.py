"""Feed formats whose item summaries are plain text (articles' and issues' summaries), so that
feed readers show what officers wrote instead of reading it as markup.

Atom says it: `<summary type="text">`. RSS has no type: readers take every description as HTML,
so the text is escaped as HTML first, then as XML by the writer ("A & B" arrives as "A &amp;amp; B"
and is shown as "A & B", a "<b>" typed by an officer as "<b>").
"""

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape


class PlainTextRssFeed(Rss201rev2Feed):
    def add_item_elements(self, handler, item):
        summary = item["description"]
        escaped = None if summary is None else escape(summary)
        super().add_item_elements(handler, {**item, "description": escaped})


class PlainTextAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
