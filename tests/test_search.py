"""Site search (website/search.py): inflected Bangla and English words, ranking, what each result
says, an empty result, and the other language's results. Runs on SQLite and PostgreSQL."""

import pytest
from bs4 import BeautifulSoup
from django.utils.http import urlencode
from wagtail.models import Locale

from website import search
from website.demo.search_queries import QUERIES

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def found(language, query):
    """Paths after the language prefix of what `query` finds, in order."""
    locale = Locale.objects.get(language_code=language)
    return [r.page.url_path.split("/", 2)[2] for r in search.search(query, locale)]


@pytest.mark.parametrize(
    ("language", "query", "expected", "unexpected"),
    QUERIES,
    ids=[f"{language}:{query}" for language, query, _e, _u in QUERIES],
)
def test_query_set(demo, language, query, expected, unexpected):
    paths = found(language, query)
    assert set(expected) <= set(paths), paths
    assert not set(unexpected) & set(paths), paths
    if not expected:
        assert paths == []


def test_the_query_set_is_big_enough():
    assert len(QUERIES) >= 20
    assert sum(1 for language, *_rest in QUERIES if language == "bn") >= 10


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("কারখানাগুলো", "কারখানা"),
        ("কারখানাগুলোতে", "কারখানা"),
        ("কারখানার", "কারখানা"),
        ("শ্রমিকদের", "শ্রমিক"),
        ("শ্রমিকেরা", "শ্রমিক"),
        ("ঢাকায়", "ঢাকা"),
        ("কৌশলপত্রটি", "কৌশলপত্র"),
        ("মা", "মা"),  # too short to lose anything
        ("কে", "কে"),
        ("factories", "factor"),
        ("workers", "worker"),
        ("data", "data"),
    ],
)
def test_stems(word, expected):
    assert search.stem(word) == expected


def test_both_spellings_of_nukta_letters_are_found():
    assert search.spellings("ঢাকায়") == {"ঢাকায়", "ঢাকা\u09df"}
    assert "ফোরাম ২০২২" in search.spellings("ফোরাম 2022")


def test_content_pages_come_before_listing_pages(client, demo):
    paths = found("bn", "শ্রমিক")
    listings = {"", "news/", "stories/", "events/"}
    first_listing = min(i for i, path in enumerate(paths) if path in listings)
    assert first_listing >= 10, paths
    assert set(paths[first_listing:]) <= listings, paths
    soup = soup_of(client.get("/bn/search/", {"q": "শ্রমিক"}))
    links = [a["href"] for a in soup.select(".search-results h2 a")]
    assert links == [f"/bn/{path}" for path in paths[:10]]


def test_each_result_says_what_it_is_when_and_what_it_says(client, demo):
    soup = soup_of(client.get("/bn/search/", {"q": "হয়রানির"}))
    results = soup.select(".search-result")
    assert len(results) == 2
    story = next(r for r in results if "apex-holding" in r.h2.a["href"])
    assert story.select_one(".search-result__type").get_text(strip=True) == "গল্প"
    assert story.select_one(".search-result__date").get_text(strip=True).endswith("২০২২")
    assert story.select_one(".search-result__summary").get_text(strip=True)
    event = next(r for r in results if "/events/" in r.h2.a["href"])
    assert event.select_one(".search-result__date").get_text(strip=True) == (
        "২৫ নভেম্বর – ১০ ডিসেম্বর ২০২২"
    )
    english = soup_of(client.get("/en/search/", {"q": "partnership inclusion"}))
    issue = english.select_one(".search-result")
    assert issue.h2.a["href"] == "/en/newsletter/december-2022/"
    assert issue.select_one(".search-result__date").get_text(strip=True) == "20 December 2022"


def test_an_empty_result_says_so_plainly(client, demo):
    soup = soup_of(client.get("/bn/search/", {"q": "মজুরিবোর্ড"}))
    assert soup.select(".search-results") == []
    assert soup.select_one(".search-page__empty").get_text(strip=True).startswith("কিছু পাওয়া")
    assert "০টি ফলাফল" in soup.select_one(".search-page__count").get_text(strip=True)


def test_the_other_languages_results_are_counted_and_linked(client, demo):
    soup = soup_of(client.get("/en/search/", {"q": "কারখানাগুলো"}))
    assert soup.select(".search-results") == []
    other = soup.select_one(".search-page__other a")
    assert other["href"] == "/bn/search/?" + urlencode({"q": "কারখানাগুলো"})
    count = len(found("bn", "কারখানাগুলো"))
    assert other.get_text(strip=True) == f"{count} results on the Bangla site"
    soup = soup_of(client.get("/bn/search/", {"q": "factories"}))
    other = soup.select_one(".search-page__other a")
    assert other["href"] == "/en/search/?q=factories"
    assert other.get_text(strip=True).endswith("ইংরেজি সাইটে")
    assert "১৪" in other.get_text()  # Bengali digits


def test_results_are_paginated_and_numbered_on(client, demo):
    soup = soup_of(client.get("/en/search/", {"q": "workers", "page": "2"}))
    assert soup.select_one("ol.search-results")["start"] == "11"
    soup = soup_of(client.get("/bn/search/", {"q": "শ্রমিক", "page": "2"}))
    assert soup.select_one(".pagination span").get_text(strip=True) == "পাতা ২ / ২"
