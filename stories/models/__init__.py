"""News and stories pages; see `pages` for the page types and `mixins` for what they share."""

from .mixins import ArticleMixin
from .pages import (
    ArticleIndexPage,
    NewsIndexPage,
    NewsPage,
    NewsPageRelatedPage,
    NewsPageTopic,
    StoriesIndexPage,
    StoryPage,
    StoryPageRelatedPage,
    StoryPageTopic,
)
from .querysets import ArticleQuerySet, localize_topics

__all__ = [
    "ArticleIndexPage",
    "ArticleMixin",
    "ArticleQuerySet",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageRelatedPage",
    "NewsPageTopic",
    "StoriesIndexPage",
    "StoryPage",
    "StoryPageRelatedPage",
    "StoryPageTopic",
    "localize_topics",
]
