"""The note under each string in wagtail-localize's translation editor, in the admin's language.

wagtail-localize writes it as "{date} তারিখে {tool_name} দিয়ে অনূদিত" (Bangla from our catalogue),
with the date from strftime, an English month and Latin digits ("3 December 2026"), and the
tool as stored ("load_demo", "Translation memory"). The editor's props (HTML, when it opens) and
the answer of its string-saving view (JSON, after each save) are rewritten here: the date as the
site writes dates in the admin's language ("৩ ডিসেম্বর ২০২৬"), the tool named in it.
"""

import datetime
import html
import json
import re

from django.utils.translation import gettext_lazy as _

from .formatting import format_date
from .translation_memory import TOOL_NAME

DEMO_TOOL_NAME = "load_demo"  # website/demo/translation.py
TOOL_NAMES = {DEMO_TOOL_NAME: _("the demo's translation file"), TOOL_NAME: _("translation memory")}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")
TOOL = re.compile("|".join(re.escape(name) for name in TOOL_NAMES))
EDITOR_PROPS = re.compile(r'(class="js-translation-editor" data-props=")([^"]*)(")')
SAVE_VIEW = re.compile(r"/localize/translate/\d+/(strings|overrides)/\d+/edit/$")


def readable_comment(comment):
    """The comment with its date and tool in the admin's language."""
    comment = DATE.sub(
        lambda match: format_date(
            datetime.date(int(match[3]), MONTHS.index(match[2]) + 1, int(match[1]))
        ),
        comment,
    )
    return TOOL.sub(lambda match: str(TOOL_NAMES[match.group()]), comment)


def with_readable_comments(data):
    """`data` (decoded JSON) with every "comment" string made readable, in place."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "comment" and isinstance(value, str):
                data[key] = readable_comment(value)
            else:
                with_readable_comments(value)
    elif isinstance(data, list):
        for item in data:
            with_readable_comments(item)
    return data


def editor_props_with_readable_comments(match):
    props = with_readable_comments(json.loads(html.unescape(match[2])))
    return match[1] + html.escape(json.dumps(props)) + match[3]


def readable_translation_comments(request, response):
    """The translation editor's page, or its save view's answer, with readable comments."""
    if response.streaming or response.status_code != 200:
        return response
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        text = response.content.decode(response.charset)
        if 'class="js-translation-editor"' not in text:
            return response
        text = EDITOR_PROPS.sub(editor_props_with_readable_comments, text)
    elif content_type.startswith("application/json") and SAVE_VIEW.search(request.path_info):
        text = json.dumps(with_readable_comments(json.loads(response.content)))
    else:
        return response
    response.content = text.encode(response.charset)
    return response
