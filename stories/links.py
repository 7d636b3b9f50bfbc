"""Links in an article's body, looked up all at once before the body is rendered.

Left to Wagtail, every link is looked up while its block renders: a call to action's page and
each paragraph's page and document links cost queries of their own (the active locale, the
translation, the page's type, the document), so a body of 8 such blocks made about 40 queries
more than a body of 1. `prefetch_body_links` finds them all first, in at most four queries
however many links there are, and leaves each block with the address Wagtail would have given
it: the page in the reader's language when that translation is live, otherwise the page itself.
"""

from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.models import Locale, Page
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import LinkRewriter

from website.blocks import LinkValue
from website.localize import localize


class KnownLinkRewriter(LinkRewriter):
    """Rewrites the link types it has rules for; leaves other links (external, e-mail, anchors)
    to Wagtail's own rewriting when the paragraph is rendered."""

    def get_tag_replacements(self, tag_type, attrs_list):
        if tag_type not in self.bulk_rules:
            return []
        return super().get_tag_replacements(tag_type, attrs_list)


def link_id(attrs):
    try:
        return int(attrs.get("id"))
    except (TypeError, ValueError):
        return None


def prefetch_body_links(body, request=None):
    """Resolve the page and document links of `body` (a StreamValue) in a fixed number of
    queries: paragraphs get their links written out, calls to action their address."""
    paragraphs = [child for child in body if isinstance(child.value, RichText)]
    actions = [
        child.value
        for child in body
        if isinstance(child.value, LinkValue) and child.value.get("page")
    ]
    extractor = LinkRewriter()
    links = {"page": set(), "document": set()}
    for child in paragraphs:
        for link_type, matches in extractor.extract_tags(child.value.source).items():
            if link_type in links:
                links[link_type].update(link_id(match.attrs) for match in matches)
    page_ids, document_ids = links["page"] - {None}, links["document"] - {None}
    if not (page_ids or document_ids or actions):
        return

    linked_pages = Page.objects.in_bulk(page_ids) if page_ids else {}
    documents = get_document_model().objects.in_bulk(document_ids) if document_ids else {}
    active = Locale.get_active()
    linked = [*linked_pages.values(), *(value["page"] for value in actions)]
    translations = {
        page.pk: localized
        for page, localized in zip(
            linked, localize(linked, active, Page.objects.live()), strict=True
        )
    }

    def href(page):
        """What `page.localized.url` gives, without its queries."""
        return translations.get(page.pk, page).get_url(request)

    def opening_tags(objects, address):
        def rule(attrs_list):
            tags = []
            for attrs in attrs_list:
                target = objects.get(link_id(attrs))
                tags.append(f'<a href="{escape(address(target))}">' if target else "<a>")
            return tags

        return rule

    rewriter = KnownLinkRewriter(
        bulk_rules={
            "page": opening_tags(linked_pages, href),
            "document": opening_tags(documents, lambda document: document.url),
        }
    )
    for child in paragraphs:
        child.value = RichText(rewriter(child.value.source))
    for value in actions:
        value.prefetched_href = href(value["page"])
