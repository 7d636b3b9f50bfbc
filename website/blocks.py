"""StreamField blocks shared by every page type and the newsletter."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class FigureBlock(blocks.StructBlock):
    """One figure of a statistics group: a number, its unit, what it counts."""

    value = blocks.DecimalBlock(label=_("Value"), help_text=_("As a number: 1.26, 437, 50"))
    unit = blocks.ChoiceBlock(
        label=_("Unit"),
        required=False,
        choices=[
            ("", _("none")),
            ("%", _("percent (%)")),
            ("thousand", _("thousand")),
            ("million", _("million")),
        ],
        help_text=_("Bangla shows thousands and millions as হাজার, লাখ and কোটি."),
    )
    label = blocks.CharBlock(label=_("Label"), max_length=120)
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=200)

    class Meta:
        icon = "decimal"
        label = _("Figure")


class StatisticsBlock(blocks.StructBlock):
    """A group of programme figures with where and when they come from."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    as_of = blocks.DateBlock(label=_("As of"), required=False)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=200)
    figures = blocks.ListBlock(FigureBlock(), label=_("Figures"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Statistics")
        template = "blocks/statistics_block.html"
        preview_value = {
            "heading": "Programme reach",
            "as_of": datetime.date(2022, 12, 31),
            "source": "Better Work Bangladesh",
            "figures": [
                {"value": Decimal("437"), "unit": "", "label": "factories enrolled"},
                {"value": Decimal("1.26"), "unit": "million", "label": "workers supported"},
                {"value": Decimal("50"), "unit": "%", "label": "of them women"},
            ],
        }
        description = _("Key figures with an optional date and source")
