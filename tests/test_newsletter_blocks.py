"""Each block of a newsletter issue's body gives its own part of the edition, and a block that
does not is reported before it is used."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template.loader import get_template
from wagtail import blocks
from wagtail.models import Locale

from newsletter import blocks as newsletter_blocks
from newsletter.blocks import (
    PART_TEMPLATES,
    EditionPart,
    NewsletterBodyBlock,
    ParagraphBlock,
    check_body_blocks,
    part_errors,
)
from newsletter.editions import Resolver, edition_parts
from newsletter.models import NewsletterIssuePage
from website.demo.images import demo_image


def test_every_body_block_has_its_own_part_and_templates_for_each_channel():
    for name, block in NewsletterBodyBlock().child_blocks.items():
        assert isinstance(block, EditionPart), name
        assert type(block).edition_part is not EditionPart.edition_part, name
        templates = block.part_templates()
        assert set(templates) == set(PART_TEMPLATES), name
        for template in templates.values():
            assert get_template(template), template
    assert check_body_blocks() == []


@pytest.mark.django_db
def test_each_block_of_an_issue_gives_its_part_rendered_with_its_templates(demo):
    issue = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    image = demo_image("Business Forum 2022 video (illustration)")
    alt = {"image": image, "alt_text": "A forum hall", "decorative": False}
    issue.body.append(("image", {"image": alt, "caption": "The hall"}))
    issue.body.append(
        ("quote", {"quote": "Decent work", "name": "A worker", "role": "", "organisation": ""})
    )
    body_types = [child.block_type for child in issue.body]
    assert set(body_types) == set(NewsletterBodyBlock.base_blocks)  # every kind of block

    parts, notes = edition_parts(issue, Resolver(issue), "en")

    assert [part["type"] for part in parts] == body_types
    for part, child in zip(parts, issue.body, strict=True):
        assert part["block"] is child
        assert part["templates"] == child.block.part_templates()
    quote = parts[-1]
    assert (quote["quote"], quote["name"], quote["role"]) == ("Decent work", "A worker", "")
    assert parts[-2]["image"]["alt"] == "A forum hall"
    assert parts[-2]["image"]["caption"] == "The hall"
    assert notes == []
    edition = issue.edition()
    assert "“Decent work”" in edition.html and "“Decent work”" in edition.text
    assert 'alt="A forum hall"' in edition.html and "[A forum hall] The hall" in edition.text


@pytest.mark.django_db
def test_a_translation_gives_its_parts_in_its_language(demo):
    en = NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")
    bn = en.get_translation(Locale.objects.get(language_code="bn"))
    parts, _notes = edition_parts(bn, Resolver(bn), "bn")
    heading = next(part for part in parts if part["type"] == "section_heading")
    assert heading["text"] != "Stories from the factories"
    item_list = next(part for part in parts if part["type"] == "item_list")
    assert all(not item["lang"] for item in item_list["items"])  # every item found in Bangla


class NamelessBlock(EditionPart, blocks.CharBlock):
    def edition_part(self, value, context):
        return {"text": value}


class UntemplatedBlock(NamelessBlock):
    class Meta:
        part_name = "nowhere"


class BodyWithStrangers(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    plain = blocks.CharBlock()
    nameless = NamelessBlock()
    untemplated = UntemplatedBlock()


def test_a_block_without_its_part_is_reported_by_name():
    errors = part_errors(BodyWithStrangers())
    assert [error.id for error in errors] == [
        "newsletter.E001",
        "newsletter.E002",
        "newsletter.E003",  # no MJML template
        "newsletter.E003",  # no text template
        "newsletter.E003",  # no print template
    ]
    assert "BodyWithStrangers.plain (wagtail.blocks.field_block.CharBlock)" in errors[0].msg
    assert "EditionPart" in errors[0].hint
    assert "BodyWithStrangers.nameless" in errors[1].msg
    assert "newsletter/email/parts/nowhere.mjml" in errors[2].msg
    assert "newsletter/email/text/nowhere.txt" in errors[3].msg


def test_the_system_check_refuses_a_body_block_without_its_part(monkeypatch):
    call_command("check")  # the real body passes
    monkeypatch.setattr(newsletter_blocks, "NewsletterBodyBlock", BodyWithStrangers)
    with pytest.raises(SystemCheckError, match="newsletter.E001"):
        call_command("check")
