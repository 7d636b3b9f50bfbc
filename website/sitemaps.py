"""sitemap.xml with every live page of both languages and hreflang alternates between them."""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class BilingualSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree only, which is the English tree; this one
    covers the tree of every translation of the root and links translations to each other."""

    def items(self):
        site = self.get_wagtail_site()
        roots = site.root_page.get_translations(inclusive=True).live()
        in_trees = reduce(or_, (Q(path__startswith=root.path) for root in roots), Q(pk__in=[]))
        return (
            Page.objects.filter(in_trees)
            .live()
            .public()
            .select_related("locale")
            .order_by("path")
            .defer_streamfields()
        )

    def _urls(self, page, protocol, domain):
        """Each page's URL, last change and the URLs of its translations (one pass, no query
        per page: translations are found among the items themselves)."""
        urls = []
        alternates = defaultdict(list)
        for item in self.paginator.page(page).object_list:
            location = item.get_full_url(self.request)
            if not location:
                continue
            urls.append({"item": item, "location": location, "lastmod": self.lastmod(item)})
            alternates[item.translation_key].append(
                {"lang_code": item.locale.language_code, "location": location}
            )
        for url in urls:
            translations = alternates[url["item"].translation_key]
            url["alternates"] = translations if len(translations) > 1 else []
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls
