"""Site-wide features: sitemap, search, social and hreflang metadata, menu, robots.txt."""

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET

from website.models import HomePage

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}
BASE = "https://betterwork.example.org"  # WAGTAILADMIN_BASE_URL in test settings


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_sitemap_lists_both_languages_with_alternates(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    urls = {url.find("s:loc", SITEMAP_NS).text: url for url in root.findall("s:url", SITEMAP_NS)}
    assert "https://betterwork.example.org/en/" in urls
    assert "https://betterwork.example.org/bn/" in urls
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in urls["https://betterwork.example.org/bn/"].findall("x:link", SITEMAP_NS)
    }
    assert alternates == {
        "en": "https://betterwork.example.org/en/",
        "bn": "https://betterwork.example.org/bn/",
    }


def test_sitemap_leaves_out_drafts(client, demo):
    draft = demo.add_child(instance=HomePage(title="Draft", slug="draft", hero_heading="Draft"))
    draft.unpublish()
    assert b"/en/draft/" not in client.get("/sitemap.xml").content


def test_home_page_has_canonical_hreflang_and_social_metadata(client, demo):
    soup = soup_of(client.get("/bn/"))
    assert soup.select_one('link[rel="canonical"]')["href"] == "https://betterwork.example.org/bn/"
    hreflang = {
        link["hreflang"]: link["href"] for link in soup.select('link[rel="alternate"][hreflang]')
    }
    assert hreflang == {
        "en": "https://betterwork.example.org/en/",
        "bn": "https://betterwork.example.org/bn/",
        "x-default": "https://betterwork.example.org/en/",
    }
    og = {m["property"]: m["content"] for m in soup.select("meta[property]")}
    assert og["og:locale"] == "bn_BD"
    assert og["og:locale:alternate"] == "en_GB"
    assert og["og:title"].startswith("বেটার ওয়ার্ক বাংলাদেশ")
    assert og["og:site_name"] == "বেটার ওয়ার্ক বাংলাদেশ"
    assert soup.select_one('meta[name="twitter:card"]')["content"] in {
        "summary",
        "summary_large_image",
    }
    assert "শোভন কাজ" in soup.select_one('meta[name="description"]')["content"]


def test_search_finds_pages_in_the_visitors_language_only(client, demo):
    soup = soup_of(client.get("/en/search/", {"q": "garment"}))
    links = [a["href"] for a in soup.select(".search-results h2 a")]
    assert "/en/" in links
    assert all(link.startswith("/en/") for link in links)

    soup = soup_of(client.get("/bn/search/", {"q": "পোশাক"}))
    links = [a["href"] for a in soup.select(".search-results h2 a")]
    assert "/bn/" in links
    assert all(link.startswith("/bn/") for link in links)
    assert soup.html["lang"] == "bn"


def test_search_without_results_or_with_bad_input_answers_kindly(client, demo):
    soup = soup_of(client.get("/en/search/", {"q": "zzzzqqq"}))
    assert "Nothing found" in soup.select_one(".search-page__empty").get_text()
    assert soup.select_one(".search-results") is None  # not drawn as a numbered item
    soup = soup_of(client.get("/en/search/", {"q": "garment", "page": "999"}))
    assert soup.select(".search-results h2 a")  # last page instead of an error
    soup = soup_of(client.get("/en/search/", {"q": "garment", "page": "abc"}))
    assert soup.select(".search-results h2 a")
    soup = soup_of(client.get("/en/search/", {"q": "x" * 500}))
    assert "shorten" in soup.select_one(".form-error").get_text()
    soup = soup_of(client.get("/en/search/"))
    assert soup.select_one(".search-results") is None


def test_header_has_search_and_main_menu_in_each_language(client, demo):
    soup = soup_of(client.get("/bn/"))
    form = soup.select_one("form.site-header__search")
    assert form["action"] == "/bn/search/"
    assert soup.select_one("label[for=header-search]").get_text(strip=True) == "সাইটে খুঁজুন"


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {BASE}/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_later_listing_pages_are_their_own_canonical(client, demo, monkeypatch):
    from stories.models import NewsIndexPage

    monkeypatch.setattr(NewsIndexPage, "page_size", 2)
    soup = soup_of(client.get("/en/news/", {"page": "2"}))
    assert soup.select_one('link[rel="canonical"]')["href"] == f"{BASE}/en/news/?page=2"
    soup = soup_of(client.get("/en/news/", {"page": "1"}))
    assert soup.select_one('link[rel="canonical"]')["href"] == f"{BASE}/en/news/"
    # A page number past the end shows the last page, whose address is the canonical one.
    last = soup_of(client.get("/en/news/", {"page": "9999"}))
    shown = last.select_one('link[rel="canonical"]')["href"]
    assert shown.startswith(f"{BASE}/en/news/?page=") and shown != f"{BASE}/en/news/?page=9999"
    assert soup_of(client.get(shown.removeprefix(BASE))).select_one("h1") is not None
