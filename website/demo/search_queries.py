"""What a visitor types into the search of the demo site, and what they should find (issue 22).

Each query: (language, query, pages that must be found, pages that must not be). Pages are paths
after the language prefix; "" is the home page. Bangla queries are inflected forms (plural,
genitive, locative, classifier...) of words the pages use in other forms. Used by
tests/test_search.py and bench/search.py (found before and after the Bangla-aware search).
"""

FACTORY_PAGES = [
    "news/first-year-94-factories-joined/",
    "news/strategy-2022-2027-launched/",  # কারখানা, never কারখানাগুলো
    "stories/mothers-at-work/",
    "events/business-forum-2022/",
]
WORKER_PAGES = [
    "stories/trade-unions-empowered-with-data/",  # শ্রমিক, never শ্রমিকদের
    "events/empowering-workers-with-data-2022/",
    "news/strategy-2022-2027-launched/",
    "stories/mothers-at-work/",
]
DATA_PAGES = [
    "stories/trade-unions-empowered-with-data/",
    "events/empowering-workers-with-data-2022/",
]
HARASSMENT_PAGES = [
    "stories/sixteen-days-of-activism-apex-holding/",
    "events/16-days-of-activism-2022/",
]
FORUM_PAGES = ["events/business-forum-2022/", "news/strategy-2022-2027-launched/"]
TRAINERS = ["stories/amfori-master-trainers/"]
BEYOND_GARMENTS = ["news/consultation-beyond-garments/", "stories/amfori-master-trainers/"]

QUERIES = [
    # Bangla, inflected
    ("bn", "কারখানাগুলো", FACTORY_PAGES, []),
    ("bn", "কারখানার", FACTORY_PAGES, []),
    ("bn", "কারখানায়", FACTORY_PAGES, []),
    ("bn", "কারখানাগুলোতে", FACTORY_PAGES, []),
    ("bn", "শ্রমিকদের", WORKER_PAGES, []),
    ("bn", "শ্রমিকেরা", WORKER_PAGES, []),
    ("bn", "মায়েদের", ["stories/mothers-at-work/"], []),
    ("bn", "ট্রেড ইউনিয়নগুলো", DATA_PAGES, ["stories/mothers-at-work/"]),
    ("bn", "তথ্যের", DATA_PAGES, []),
    ("bn", "হয়রানির", HARASSMENT_PAGES, ["stories/mothers-at-work/"]),
    ("bn", "সহিংসতার বিরুদ্ধে", HARASSMENT_PAGES, []),
    ("bn", "ফোরামে", FORUM_PAGES, ["stories/mothers-at-work/"]),
    ("bn", "ঢাকায়", FORUM_PAGES, []),
    ("bn", "কৌশলপত্রটি", ["news/strategy-2022-2027-launched/"], []),
    ("bn", "ট্রেইনাররা", TRAINERS, ["stories/mothers-at-work/"]),
    ("bn", "প্রশিক্ষণের", TRAINERS, []),
    ("bn", "পোশাকশিল্পের", BEYOND_GARMENTS, []),
    ("bn", "2022 ফোরাম", ["events/business-forum-2022/"], []),  # Latin digits typed
    ("bn", "মজুরিবোর্ড", [], FACTORY_PAGES),  # nothing on the site
    # English
    ("en", "factories", FACTORY_PAGES, []),
    ("en", "factory", FACTORY_PAGES, []),
    ("en", "workers", WORKER_PAGES, []),
    ("en", "mothers", ["stories/mothers-at-work/"], []),
    ("en", "trainers", TRAINERS, ["stories/mothers-at-work/"]),
    ("en", "harassment", HARASSMENT_PAGES, ["stories/mothers-at-work/"]),
    ("en", "trade unions data", DATA_PAGES, ["stories/mothers-at-work/"]),
    ("en", "Dhaka forum", FORUM_PAGES, []),
    ("en", "breastfeeding", ["stories/mothers-at-work/"], ["news/strategy-2022-2027-launched/"]),
    ("en", "xylophone", [], FACTORY_PAGES),
]
