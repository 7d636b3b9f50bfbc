"""Issue 22 in a visitor's Chromium: Bengali list markers, Bangla emphasis, the layout at 375 and
1280 px in both languages, favicons. Screenshots go to $SCREENSHOT_DIR when it is set."""

import os

import pytest

from newsletter.models import Status, Subscriber
from newsletter.tokens import confirmation_token, link_token
from tests.test_browser import chromium, site  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STRATEGY = "/news/strategy-2022-2027-launched/"
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def open_page(chromium, viewport, language):  # noqa: F811
    context = chromium.new_context(
        viewport=VIEWPORTS[viewport], locale="bn-BD" if language == "bn" else "en-GB"
    )
    return context, context.new_page()


def style(page, selector, prop):
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


def test_ordered_lists_count_in_bengali_on_bangla_pages(site, chromium):  # noqa: F811
    context, page = open_page(chromium, "phone", "bn")
    for language, marker in [("bn", "bengali"), ("en", "decimal")]:
        page.goto(f"{site}/{language}{STRATEGY}")
        assert style(page, ".page-body ol", "listStyleType") == marker
        page.goto(f"{site}/{language}/search/?q={'শ্রমিক' if language == 'bn' else 'workers'}")
        assert style(page, "ol.search-results", "listStyleType") == marker
        # a list written by an officer inside English text on a Bangla page keeps Latin digits
        english = '<div lang="en"><ol><li>a</ol></div>'
        page.eval_on_selector(
            "main", "(m, html) => m.insertAdjacentHTML('beforeend', html)", english
        )
        assert style(page, "main div[lang=en] ol", "listStyleType") == "decimal"
    context.close()


def test_bangla_emphasis_is_not_slanted(site, chromium):  # noqa: F811
    context, page = open_page(chromium, "desktop", "bn")
    page.goto(f"{site}/bn{STRATEGY}")
    emphasis = ".page-body i, .page-body em"
    assert page.locator(emphasis).count() > 0
    assert style(page, emphasis, "fontStyle") == "normal"
    assert int(style(page, emphasis, "fontWeight")) >= 600
    page.goto(f"{site}/en{STRATEGY}")
    assert style(page, emphasis, "fontStyle") == "italic"
    context.close()


@pytest.fixture
def subscriber_paths(site):  # noqa: F811
    """{language: the preferences and confirmation pages of a subscriber reading it}."""
    paths = {}
    for language in ["bn", "en"]:
        subscriber = Subscriber.objects.create(
            email=f"layout-{language}@example.org",
            source="form",
            language=language,
            status=Status.SUBSCRIBED,
        )
        pending = Subscriber.objects.create(
            email=f"pending-{language}@example.org", source="form", language=language
        )
        paths[language] = {
            "preferences": f"/newsletter/preferences/{link_token(subscriber)}/",
            "confirm": f"/newsletter/confirm/{confirmation_token(pending)}/",
            "my data": f"/newsletter/preferences/{link_token(subscriber)}/data/",
        }
    return paths


def layout_paths(subscriber_paths, language):
    return {
        "home": "/",
        "news": "/news/",
        "article": STRATEGY,
        "events": "/events/",
        "event": "/events/business-forum-2022/",
        "search": "/search/?q=garment",
        "archive": "/newsletter/",
        "subscribe": "/newsletter/subscribe/",
        "404": "/no-such-page/",
        **subscriber_paths[language],
    }


# Pages whose H1 comes right after the header (no hero band, no section link above it).
H1_FIRST = [
    *["news", "events", "search", "archive", "subscribe", "404", "preferences", "confirm"],
    "my data",
]

LAYOUT = """() => {
    const header = document.querySelector('.site-header').getBoundingClientRect();
    const h1 = document.querySelector('main h1').getBoundingClientRect();
    return {header: header.height, gap: h1.top - header.bottom,
            sideways: document.documentElement.scrollWidth > window.innerWidth};
}"""


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["bn", "en"])
def test_layout_of_both_sites(site, chromium, subscriber_paths, viewport, language):  # noqa: F811
    context, page = open_page(chromium, viewport, language)
    screenshots = os.environ.get("SCREENSHOT_DIR")
    problems = []
    for name, path in layout_paths(subscriber_paths, language).items():
        page.goto(f"{site}/{language}{path}")
        if page.url.split(site)[1].split("/")[1] != language:
            problems.append(f"{name}: redirected to {page.url}")
        found = page.evaluate(LAYOUT)
        if found["sideways"]:
            problems.append(f"{name}: scrolls sideways")
        if name in H1_FIRST and found["gap"] < 16:
            problems.append(f"{name}: H1 {found['gap']:.0f} px under the header")
        if viewport == "phone" and found["header"] > 140:
            problems.append(f"{name}: header {found['header']:.0f} px high")
        if screenshots:
            page.screenshot(path=f"{screenshots}/{language}-{viewport}-{name}.png", full_page=True)
    # every link of the footer's social list is a comfortable tap target
    for box in [a.bounding_box() for a in page.locator(".social-links a").all()]:
        if box["width"] < 44 or box["height"] < 44:
            problems.append(f"social link {box['width']:.0f}x{box['height']:.0f} px")
    # "RSS feed ·" never sits alone on a line: the two feed links share one
    page.goto(f"{site}/{language}/news/")
    tops = [a.bounding_box()["y"] for a in page.locator(".feed-links a").all()]
    if len(tops) != 2 or abs(tops[0] - tops[1]) > 2:
        problems.append(f"feed links on different lines: {tops}")
    context.close()
    assert not problems, "\n".join(problems)


def test_site_and_admin_have_a_favicon(site, chromium):  # noqa: F811
    context, page = open_page(chromium, "desktop", "en")
    for path in ["/en/", "/bn/search/?q=x", "/admin/login/"]:
        page.goto(f"{site}{path}")
        href = page.eval_on_selector('link[rel="icon"]', "e => e.href")
        response = page.request.get(href)
        assert response.status == 200, path
        assert response.headers["content-type"].startswith("image/"), path
    response = page.request.get(f"{site}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    context.close()
