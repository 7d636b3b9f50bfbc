"""URLs: the admin and shared machinery outside the language prefix, pages inside (/en/, /bn/).

A visitor who asks for `/` is sent by LocaleMiddleware to /en/ or /bn/, following their language
cookie or their browser's Accept-Language header.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from .exports import SiteHistoryView
from .sitemaps import BilingualSitemap
from .translation_requests import stop_translation_for_officers
from .views import favicon, robots_txt, search

urlpatterns = [
    # Wagtail's site history report, with its export made safe to open (website.exports).
    path(
        "admin/reports/site-history/",
        SiteHistoryView.as_view(),
        name="site_history_safe_export",
    ),
    # wagtail-localize's "Stop synced translation", officers only (website.translation_requests).
    path(
        "admin/localize/translate/<int:translation_id>/disable/",
        stop_translation_for_officers,
        name="stop_translation_for_officers",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap),
        {"sitemaps": {"pages": BilingualSitemap}},
        name="sitemap",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    # RFC 8058 one-click unsubscribe: mail clients POST here, outside any language prefix.
    path("newsletter/", include("newsletter.unprefixed_urls")),
    # Tracked links and the open image of sent newsletters: /r/<token>, /o/<token>.gif.
    path("", include("newsletter.tracking_urls")),
    # The e-mail service provider's tracking webhooks (django-anymail), e.g.
    # /anymail/postmark/tracking/: bounces, complaints and unsubscriptions (newsletter/esp.py).
    path("anymail/", include("anymail.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", search, name="search"),
    path("newsletter/", include("newsletter.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

# Error pages in the language of the URL prefix (website/language.py).
handler404 = "website.language.page_not_found"
handler500 = "website.language.server_error"
