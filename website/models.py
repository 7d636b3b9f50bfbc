"""Home page, site settings and the translatable texts every page shows."""

from django.apps import apps
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    HelpPanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from .blocks import BodyBlock, StatisticsBlock
from .localize import pick_localized


class CustomImage(AbstractImage):
    """An image with a credit line ("© ILO") and a default alt text.

    Pages and blocks may give their own, translated alt text; the default one is used otherwise.
    """

    description = models.CharField(
        _("default alt text"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("What the image shows, for people who cannot see it"),
    )
    credit = models.CharField(
        _("credit"), max_length=120, blank=True, help_text=_("Shown with the image, e.g. © ILO")
    )

    admin_form_fields = (*WagtailImage.admin_form_fields, "credit")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, related_name="renditions", on_delete=models.CASCADE)

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class LocalizedPage(Page):
    """Base of every page type of the site.

    The slug is synchronised from the English source instead of translated: Django's slugify
    drops Bengali vowel signs (বাংলা would become বল), so /bn/ pages keep their source's slug.
    """

    override_translatable_fields = [SynchronizedField("slug", overridable=False)]

    # Set on a page a listing shows in place of its missing translation. A default, so that
    # templates asking find it: a missing attribute costs Django's template engine a dir() of the
    # whole model instance.
    is_other_language = False

    class Meta:
        abstract = True


class SitePageQuerySet(PageQuerySet):
    """Wagtail's page queryset, base of the site's own page querysets."""


class ContentPage(LocalizedPage):
    """Fields shared by news articles, stories and events.

    `summary` is the one text used in listings, feeds, social cards and newsletters. The hero
    image carries its own alt text here, translated with the page; the image's default alt text is
    the fallback.
    """

    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two sentences for listings and sharing")
    )
    hero_image = models.ForeignKey(
        "website.CustomImage",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        _("hero image alt text"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the image's default alt text"),
    )
    hero_image_credit = models.CharField(
        _("hero image credit"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown with the hero image and translated with the page, e.g. © ILO. "
            "Leave empty to use the image's own credit"
        ),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *LocalizedPage.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("hero_image_credit"),
            ],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *LocalizedPage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    class Meta:
        abstract = True

    @property
    def hero_alt(self):
        """Alt text of the hero image: the page's own, else the image's default."""
        if self.hero_image_alt:
            return self.hero_image_alt
        return self.hero_image.default_alt_text if self.hero_image else ""

    @property
    def hero_credit(self):
        """Credit line of the hero image: the page's own (translated), else the image's."""
        if self.hero_image_credit:
            return self.hero_image_credit
        return self.hero_image.credit if self.hero_image else ""

    @property
    def social_image(self):
        return self.hero_image


# Renditions of listing cards (includes/card.html); prefetched with the pages they illustrate.
# The renditions each kind of card shows, named once for the prefetches that load them with the
# card (the templates' {% srcset_image %} specs must match):
CARD_RENDITIONS = ("fill-480x270", "fill-800x450")  # includes/card.html, events' event_card.html
ARTICLE_CARD_RENDITIONS = ("width-320", "width-640")  # stories' article_card.html


def with_card_images(pages):
    """`pages` with their hero images and card renditions fetched in two extra queries, however
    many pages there are."""
    images = CustomImage.objects.prefetch_renditions(*CARD_RENDITIONS)
    return pages.prefetch_related(models.Prefetch("hero_image", queryset=images))


def localized_live_pages(links, locale):
    """The pages `links` point at, each in `locale` when translated, live and public only, in
    link order, with hero images and card renditions: a fixed number of queries however many."""
    keys = [link.related_page.translation_key for link in links]
    if not keys:
        return []
    candidates = Page.objects.live().public().filter(translation_key__in=keys).specific()
    chosen = pick_localized(candidates, locale)
    pages = [chosen[key] for key in dict.fromkeys(keys) if key in chosen]
    image_ids = {getattr(page, "hero_image_id", None) for page in pages} - {None}
    images = CustomImage.objects.prefetch_renditions(*CARD_RENDITIONS).in_bulk(image_ids)
    for page in pages:
        if getattr(page, "hero_image_id", None):
            page.hero_image = images.get(page.hero_image_id)
        page.is_other_language = page.locale_id != locale.pk
    return pages


class RelatedPageBase(models.Model):
    """A link to another page ("Related"); shown in the visitor's language when translated."""

    related_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [
        PageChooserPanel(
            "related_page", ["stories.NewsPage", "stories.StoryPage", "events.EventPage"]
        )
    ]

    class Meta:
        abstract = True


class TranslatableTaxonomy(TranslatableMixin, models.Model):
    """A translatable term pages are filed under (a snippet): a name per language, and a slug
    that is the same in every language, so ?topic=gender or ?category=forum selects the same term
    on /en/ and /bn/ (wagtail-localize keeps it synchronised)."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80)

    panels = [FieldPanel("name"), FieldPanel("slug")]
    override_translatable_fields = [SynchronizedField("slug", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["name"]
        unique_together = [("translation_key", "locale"), ("slug", "locale")]

    def __str__(self):
        return self.name

    def in_locale(self, locale):
        """This term in `locale` when translated, else itself."""
        if self.locale_id == locale.pk:
            return self
        return self.get_translation_or_none(locale) or self


class Topic(TranslatableTaxonomy):
    """A theme articles are filed under: gender, occupational safety and health, ..."""

    class Meta(TranslatableTaxonomy.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class PageTopicBase(models.Model):
    """Files a page under a topic; the page's language decides which name is shown."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("topic")]

    class Meta:
        abstract = True


class HomePage(LocalizedPage):
    """The landing page of each language: hero, introduction and key programme figures."""

    hero_heading = models.CharField(_("hero heading"), max_length=150)
    hero_text = models.TextField(_("hero text"), max_length=400, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    key_figures = StreamField(
        [("statistics", StatisticsBlock())],
        verbose_name=_("key figures"),
        blank=True,
        max_num=2,
    )

    content_panels = [
        *LocalizedPage.content_panels,
        MultiFieldPanel([FieldPanel("hero_heading"), FieldPanel("hero_text")], heading=_("Hero")),
        FieldPanel("intro"),
        FieldPanel("key_figures"),
    ]
    search_fields = [
        *LocalizedPage.search_fields,
        index.SearchField("hero_text"),
        index.SearchField("intro"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 2  # one per language, side by side under the tree root

    HOME_LISTING_SIZE = 3

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")
        # Wagtail lets anyone who may edit and publish a page delete it too. Translators publish
        # Bangla pages but must not delete them: deleting pages is granted separately.
        # Snippet permissions are per model, not per language: translators change translatable
        # snippets, and editing or deleting their English (source) rows is granted separately
        # (website/permissions.py).
        permissions = [
            ("delete_pages", _("Can delete pages")),
            ("edit_source_snippets", _("Can edit and delete English snippets")),
        ]

    def _listing(self, app_label, model_name):
        model = apps.get_model(app_label, model_name)
        pages = model.objects.live().public().filter(locale=self.locale).defer_streamfields()
        return with_card_images(pages)

    def latest_news(self):
        return self._listing("stories", "NewsPage").order_by("-date", "-pk")[
            : self.HOME_LISTING_SIZE
        ]

    def featured_stories(self):
        stories = self._listing("stories", "StoryPage")
        return stories.filter(featured=True).order_by("-date", "-pk")[: self.HOME_LISTING_SIZE]

    def upcoming_events(self):
        """Events not over yet, soonest first (the events index's own rule)."""
        return self._listing("events", "EventPage").upcoming()[: self.HOME_LISTING_SIZE]

    def route(self, request, path_components):
        """Wagtail's routing below the home page, with the page a path leads to kept in the cache
        (website/cache.py)."""
        from .cache import cached_route

        return cached_route(self, request, path_components, super().route)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up while the page's fragments render (website/cache.py), not when they are cached:
        # `public()` reads the view restrictions at once.
        context["latest_news"] = SimpleLazyObject(self.latest_news)
        context["featured_stories"] = SimpleLazyObject(self.featured_stories)
        context["upcoming_events"] = SimpleLazyObject(self.upcoming_events)
        return context


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contact details and social links: the same in both languages.

    Texts that differ by language (postal address, sign-up text, donor names) live in the
    translatable "Site texts" and "Donor partners", also under Settings.
    """

    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    media_email = models.EmailField(
        _("media enquiries e-mail"), blank=True, help_text=_("Shown beside the media contact role")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    x_url = models.URLField(_("X (Twitter)"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    programme_url = models.URLField(
        _("programme page"), blank=True, help_text=_("Better Work Bangladesh on betterwork.org")
    )

    panels = [
        HelpPanel(
            content=_(
                "The postal address, newsletter sign-up text and donor partners are translated "
                "into Bangla: edit them under Settings → Site texts and Settings → Donor partners."
            )
        ),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("media_email"), FieldPanel("contact_phone")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("x_url"),
                FieldPanel("instagram_url"),
                FieldPanel("youtube_url"),
                FieldPanel("programme_url"),
            ],
            heading=_("Social media and links"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")

    def social_links(self):
        """(name, url) of the configured social channels, in display order."""
        links = [
            ("Facebook", self.facebook_url),
            ("X", self.x_url),
            ("Instagram", self.instagram_url),
            ("YouTube", self.youtube_url),
        ]
        return [(name, url) for name, url in links if url]


class TranslatableQuerySet(models.QuerySet):
    def for_locale(self, locale=None):
        """Rows in `locale` (default: the active one); rows of the default locale where a
        translation is missing, so a page never loses its footer."""
        locale = locale or Locale.get_active()
        rows = list(self.filter(locale=locale))
        if rows:
            return rows
        return list(self.filter(locale=Locale.get_default()))


class SiteText(TranslatableMixin, models.Model):
    """Texts shown on every page (footer, sign-up box), one row per language."""

    programme_name = models.CharField(_("programme name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    office_name = models.CharField(_("office"), max_length=200, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    media_contact_role = models.CharField(
        _("media contact"), max_length=120, blank=True, help_text=_("A role, never a person")
    )
    newsletter_heading = models.CharField(_("newsletter sign-up heading"), max_length=120)
    newsletter_text = models.TextField(_("newsletter sign-up text"), max_length=500, blank=True)
    partnership_text = models.CharField(
        _("partnership line"),
        max_length=250,
        blank=True,
        help_text=_("E.g. 'A partnership of the ILO and the IFC'"),
    )

    objects = TranslatableQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [FieldPanel("programme_name"), FieldPanel("tagline"), FieldPanel("partnership_text")],
            heading=_("Programme"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("office_name"),
                FieldPanel("postal_address"),
                FieldPanel("media_contact_role"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("newsletter_heading"), FieldPanel("newsletter_text")],
            heading=_("Newsletter sign-up"),
        ),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("site texts")
        verbose_name_plural = _("site texts")

    def __str__(self):
        return f"{self.programme_name} ({self.locale})"


class DonorPartner(TranslatableMixin, models.Model):
    """A donor that funds the programme, listed in the footer."""

    name = models.CharField(_("name"), max_length=150)
    url = models.URLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "website.CustomImage",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = TranslatableQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("url"), FieldPanel("logo"), FieldPanel("sort_order")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("donor partner")
        verbose_name_plural = _("donor partners")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name
