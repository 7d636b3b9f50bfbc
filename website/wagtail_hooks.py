"""Admin registrations: translatable site texts and donors sit under Settings."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DonorPartner, SiteText


class SiteTextViewSet(SnippetViewSet):
    model = SiteText
    icon = "doc-full"
    menu_label = _("Site texts")
    add_to_settings_menu = True
    list_display = ["programme_name", "locale"]
    list_filter = ["locale"]


class DonorPartnerViewSet(SnippetViewSet):
    model = DonorPartner
    icon = "group"
    menu_label = _("Donor partners")
    add_to_settings_menu = True
    list_display = ["name", "url", "sort_order", "locale"]
    list_filter = ["locale"]
    sort_order_field = "sort_order"


register_snippet(SiteTextViewSet)
register_snippet(DonorPartnerViewSet)
