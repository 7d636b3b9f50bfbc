"""Demo news and stories: two index pages, topics and eight articles, in English and Bangla.

Called by `manage.py load_demo` (website.demo.content.APP_LOADERS). Idempotent like the rest of
the loader: pages are found by slug, topics by slug, images by title; nothing that exists is
changed. Bangla comes from `translations/bn.po` through wagtail-localize.
"""

import copy

from website.demo.images import DEMO_CREDIT, demo_image
from website.demo.pages import ensure_page
from website.demo.translation import ensure_translation
from website.models import Topic

from ..models import (
    NewsIndexPage,
    NewsPage,
    NewsPageRelatedPage,
    NewsPageTopic,
    StoriesIndexPage,
    StoryPage,
    StoryPageRelatedPage,
    StoryPageTopic,
)
from .content import ARTICLES, IMAGE_ALT, IMAGES, NEWS_INDEX, STORIES_INDEX, TOPICS

MODELS = {
    "news": (NewsPage, NewsPageTopic, NewsPageRelatedPage),
    "story": (StoryPage, StoryPageTopic, StoryPageRelatedPage),
}
ARTICLE_FIELDS = ("title", "date", "summary", "hero_image_alt", "featured")
STORY_FIELDS = ("subject_name", "subject_role")


def ensure_topics(locale, report):
    """The demo topics in the source language, by slug."""
    topics = {}
    for slug, name in TOPICS:
        topic = Topic.objects.filter(locale=locale, slug=slug).first()
        if topic is None:
            topic = Topic.objects.create(locale=locale, slug=slug, name=name)
            report(f"  + topic {name}")
        topics[slug] = topic
    return topics


def image_for(key):
    title, palette = IMAGES[key]
    return demo_image(title, palette=palette, alt=IMAGE_ALT)


def resolve_body(body, pages):
    """Demo body data with image keys and page slugs replaced by the objects they name."""
    blocks = []
    for block_type, value in copy.deepcopy(body):
        if block_type == "image":
            value["image"]["image"] = image_for(value["image"]["image"])
        elif block_type == "call_to_action":
            value["page"] = pages[value["page"]]
        blocks.append((block_type, value))
    return blocks


def ensure_article(index, data, topics, pages, report):
    page_model, topic_model, related_model = MODELS[data["model"]]
    fields = {name: data[name] for name in ARTICLE_FIELDS if name in data}
    if page_model is StoryPage:
        fields.update({name: data[name] for name in STORY_FIELDS if name in data})
    return ensure_page(
        index,
        page_model,
        data["slug"],
        report,
        **fields,
        hero_image=image_for(data["hero"]),
        hero_image_credit=DEMO_CREDIT,
        body=resolve_body(data["body"], pages),
        topics=[topic_model(topic=topics[slug]) for slug in data["topics"]],
        related_pages=[related_model(related_page=pages[slug]) for slug in data["related"]],
    )


def load(home, bn, report):
    """News and stories under the English home page, each translated into Bangla."""
    topics = ensure_topics(home.locale, report)
    news = ensure_page(home, NewsIndexPage, report=report, **NEWS_INDEX)
    stories = ensure_page(home, StoriesIndexPage, report=report, **STORIES_INDEX)
    pages = {"news": news, "stories": stories}
    for data in ARTICLES:
        index = news if data["model"] == "news" else stories
        pages[data["slug"]] = ensure_article(index, data, topics, pages, report)

    for instance in [*topics.values(), news, stories]:
        ensure_translation(instance, bn, report)
    for data in ARTICLES:
        ensure_translation(pages[data["slug"]], bn, report)
