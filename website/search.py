"""Site search that finds inflected words, Bangla first, the same on SQLite and PostgreSQL.

Wagtail's database backends match whole words: PostgreSQL's full-text search has no Bangla
dictionary, so কারখানাগুলো ("the factories") never meets কারখানা, and SQLite's FTS5 tokenizer
(unicode61) cuts Bangla words at every vowel sign, so it matches fragments. PyPI has no
maintained Bangla stemmer (bangla-stemmer 1.0 and bn-stemmer 1.0.0 were last released in 2020
and 2019; bnltk 0.7.8's stemmer is a suffix list shipped with TensorFlow, Keras and black pinned
as dependencies). So each word of the query loses the endings Bangla adds to nouns (plural,
case, classifier: -গুলো, -দের, -ের, -কে, -তে, -টি...) and the few English ones
(-s, -ies, -ing, -ed), and a page matches when the text Wagtail's index holds for it (its title
and searchable body, kept up to date on publishing) contains every stem: LIKE on SQLite, ILIKE on
PostgreSQL. Results are ranked here: content before listing pages, then by where and how often
the words occur, then newest first.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.html import strip_tags
from wagtail.models import Page, get_page_models
from wagtail.search.models import IndexEntry

from .formatting import bengali_digits

# Endings of Bangla nouns, in the order they stack on a word (noun + plural or classifier +
# case): the case ending comes off first, then the plural or classifier, each at most once and
# the longest that fits ("কারখানাগুলোতে" -> "কারখানাগুলো" -> "কারখানা").
CASE_ENDINGS = ("েদের", "দের", "দেরকে", "য়ের", "ের", "র", "কে", "েতে", "তে", "য়", "য়ে", "ে", "এ")
PLURAL_ENDINGS = ("গুলো", "গুলি", "সমূহ", "েরা", "য়েরা", "রা", "টি", "টা")
BANGLA_LAYERS = [
    sorted(CASE_ENDINGS, key=len, reverse=True),
    sorted(PLURAL_ENDINGS, key=len, reverse=True),
]
ENGLISH_ENDINGS = [("ies", ""), ("ing", ""), ("ed", ""), ("'s", ""), ("s", ""), ("y", "")]
STOP_WORDS = {
    *("a", "an", "and", "at", "by", "for", "in", "is", "of", "on", "or", "the", "to", "with"),
    *("ও", "এবং", "বা", "এর", "কি", "যে"),
}
WORD = re.compile(r"[\w\u0980-\u09ff]+")
BANGLA = re.compile(r"[\u0980-\u09ff]")
# Nukta letters have a precomposed form that NFC turns into two code points (য় = য + ়).
PRECOMPOSED = {"য়": "\u09df", "ড়": "\u09dc", "ঢ়": "\u09dd"}
MAX_CANDIDATES = 500


def letters(text):
    """How many letters (not vowel signs or other marks) `text` has."""
    return sum(1 for char in text if unicodedata.category(char).startswith("L"))


def stem(word):
    """`word` without its inflection: কারখানাগুলো -> কারখানা, শ্রমিকদের -> শ্রমিক, factories ->
    factor. Short words are left alone, so that an ending never eats the word."""
    if BANGLA.search(word):
        for endings in BANGLA_LAYERS:
            for ending in endings:
                if word.endswith(ending) and letters(word[: -len(ending)]) >= 2:
                    word = word[: -len(ending)]
                    break
        return word
    word = word.lower()
    for ending, replacement in ENGLISH_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + replacement
    return word


def terms(query):
    """The stems to look for, in query order, without repeats or (unless alone) stop words."""
    words = [unicodedata.normalize("NFC", w) for w in WORD.findall(query)]
    meaningful = [w for w in words if w.lower() not in STOP_WORDS] or words
    return list(dict.fromkeys(stem(w) for w in meaningful))


def spellings(term):
    """The ways `term` may be written in stored text: as typed, with Bengali digits, and with
    precomposed nukta letters."""
    forms = {term, bengali_digits(term)}
    for decomposed, precomposed in PRECOMPOSED.items():
        forms |= {form.replace(decomposed, precomposed) for form in forms}
    return forms


def text_columns():
    """The columns of Wagtail's index holding the plain text it indexed: PostgreSQL keeps it
    beside its search vectors (title_text, body_text), SQLite and MySQL in title and body."""
    return ("title_text", "body_text") if hasattr(IndexEntry, "title_text") else ("title", "body")


@dataclass
class Result:
    page: Page
    score: int
    is_listing: bool

    @property
    def summary(self):
        return summary_of(self.page)

    @property
    def sort_key(self):
        date = result_date(self.page)
        return (self.is_listing, -self.score, -(date.toordinal() if date else 0), self.page.pk)


def result_date(page):
    """The date a result is known by: an article's, an event's first day, an issue's."""
    for name in ("date", "issue_date", "start"):
        value = getattr(page, name, None)
        if value:
            return value.date() if hasattr(value, "date") else value
    return None


def summary_of(page):
    """One or two sentences about a result: its summary, preheader, description or intro."""
    for name in ("summary", "preheader", "search_description", "intro", "hero_text"):
        value = getattr(page, name, "")
        if value:
            return strip_tags(str(value)).strip()
    return ""


def score(term_forms, title, body):
    """Where and how often the words occur: in the title, at the start of a word, in the body."""
    total = 0
    title, body = title.lower(), body.lower()
    for forms in term_forms:
        for form in forms:
            starts = rf"(?<![\w\u0980-\u09ff]){re.escape(form.lower())}"
            total += 20 * len(re.findall(starts, title)) + 5 * (form.lower() in title)
            total += 2 * min(len(re.findall(starts, body)), 5) + min(body.count(form.lower()), 5)
    return total


def search(query, locale):
    """The live, public pages in `locale` that contain every word of `query` in some inflected
    form, ranked: content pages (articles, stories, events, issues) before listing pages, then by
    score, then newest first."""
    wanted = terms(query)
    if not wanted:
        return []
    term_forms = [spellings(term) for term in wanted]
    title_column, body_column = text_columns()
    page_types = ContentType.objects.get_for_models(*get_page_models()).values()
    pages = Page.objects.live().public().filter(locale=locale)
    entries = IndexEntry.objects.filter(
        content_type__in=page_types,
        object_id__in=pages.annotate(key=Cast("pk", CharField())).values("key"),
    )
    for forms in term_forms:
        found = Q()
        for form in forms:
            found |= Q(**{f"{title_column}__icontains": form})
            found |= Q(**{f"{body_column}__icontains": form})
        entries = entries.filter(found)
    rows = entries.values_list("object_id", title_column, body_column)[:MAX_CANDIDATES]
    scores = {int(pk): score(term_forms, title or "", body or "") for pk, title, body in rows}
    specific = Page.objects.filter(pk__in=scores).specific().defer_streamfields()
    results = [
        Result(page, scores[page.pk], bool(page.specific_class.allowed_subpage_models()))
        for page in specific
    ]
    return sorted(results, key=lambda result: result.sort_key)
