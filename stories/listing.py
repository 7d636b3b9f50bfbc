"""Reading the listing filters (?topic=, ?year=, ?page=) forgivingly.

Links to listings get shared, shortened and mistyped; a value that cannot be understood is
ignored (an unreadable year) or gives an empty, explained listing (a topic that does not exist),
never an error page.
"""

from dataclasses import dataclass

from website.models import Topic

MIN_YEAR, MAX_YEAR = 1, 9999  # what a DateField can hold; beyond it a year lookup fails


@dataclass(frozen=True)
class ListingFilters:
    topic_slug: str = ""
    topic: Topic | None = None
    year: int | None = None

    @classmethod
    def from_query(cls, query, locale):
        """Filters from the request's query string; `topic` is the topic in `locale` (or in any
        language when it is not translated), None when the slug matches no topic."""
        slug = (query.get("topic") or "").replace("\x00", "").strip()[:80]
        topic = None
        if slug:
            candidates = {t.locale_id: t for t in Topic.objects.filter(slug=slug)}
            topic = candidates.get(locale.pk) or next(iter(candidates.values()), None)
        return cls(topic_slug=slug, topic=topic, year=parse_year(query.get("year")))

    @property
    def active(self):
        return bool(self.topic_slug or self.year)

    @property
    def unknown_topic(self):
        return bool(self.topic_slug) and self.topic is None

    def apply(self, articles):
        if self.unknown_topic:
            return articles.none()
        if self.topic is not None:
            articles = articles.in_topic(self.topic)
        if self.year is not None:
            articles = articles.in_year(self.year)
        return articles


def parse_year(value):
    """A year as an int, or None for anything that is not a plausible year ("abc", "-3")."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None
