"""Demo newsletter: the archive page and the December 2022 issue, in English and Bangla.

`load` runs after the stories and events loaders (website.demo.content.APP_LOADERS), so the
issue's items can point at their pages. Created once; the Bangla comes from translations/bn.po
through wagtail-localize, like every other demo page.
"""

import copy

from wagtail.models import Page

from website.demo.images import demo_image
from website.demo.pages import ensure_page
from website.demo.translation import ensure_translation

from ..models import NewsletterArchivePage, NewsletterIssuePage
from .content import ARCHIVE, ISSUE

ISSUE_FIELDS = ("title", "subject", "preheader", "issue_date", "letter")


def demo_pages(home):
    """The live English demo pages under the home page's sections, by slug."""
    return {page.slug: page for page in Page.objects.descendant_of(home).live().filter(depth=4)}


def resolve_body(body, pages, home):
    blocks = []
    for block_type, value in copy.deepcopy(body):
        if block_type == "featured_item":
            value["page"] = pages[value["page"]]
        elif block_type == "item_list":
            value["pages"] = [pages[slug] for slug in value["pages"]]
        elif block_type == "call_to_action" and value.get("page"):
            value["page"] = home if value["page"] == "home" else pages[value["page"]]
        elif block_type == "video":
            value["thumbnail"] = demo_image(
                "Business Forum 2022 video (illustration)",
                palette="slate",
                alt="Illustration: a forum hall in Dhaka",
            )
        blocks.append((block_type, value))
    return blocks


def load(home, bn, report):
    archive = ensure_page(home, NewsletterArchivePage, report=report, **ARCHIVE)
    fields = {name: ISSUE[name] for name in ISSUE_FIELDS}
    issue = ensure_page(
        archive,
        NewsletterIssuePage,
        ISSUE["slug"],
        report,
        **fields,
        signatory_name=ISSUE["signatory_name"],
        signatory_role=ISSUE["signatory_role"],
        body=resolve_body(ISSUE["body"], demo_pages(home), home),
    )
    for instance in (archive, issue):
        ensure_translation(instance, bn, report)
