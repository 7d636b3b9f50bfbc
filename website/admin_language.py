"""The admin in its user's language, from the first line of the request to the last.

Wagtail renders an admin view in the user's preferred language (Account → Preferred language),
but only the view: what happens around it stays in the browser's language. A translator with a
Bangla admin in an English browser met "Sorry, you do not have permission to access this area."
in English (Wagtail's permission check writes it outside the view), and an unknown admin URL was
redirected to the public site's English 404 (LocaleMiddleware takes any 404 without a language
prefix for a page missing its prefix). Here:

- `AdminLanguageMiddleware` runs every admin request of a signed-in user in their admin language
  (Wagtail's own preference, `UserProfile.get_preferred_language()`), and writes the numbers of a
  Bangla admin page in Bengali digits: Wagtail's templates print counts, page numbers, times and
  dates with Latin digits ("18টি পাতা", "পাতা 1 / 1", "13:15"), and no template filter or Django
  setting changes digits.
- The notes under the strings of wagtail-localize's translation editor ("3 December 2026 তারিখে
  load_demo দিয়ে অনূদিত") get their date and tool in the admin's language
  (website/translation_comments.py).
- `LocaleMiddleware` is Django's, except that an admin 404 stays a 404 (in the admin's language).

Digits change only in text a reader sees: text between tags and the `title`, `aria-label`,
`placeholder` and tooltip (`data-w-tooltip-content-value`) attributes, never in scripts, styles,
form values, text areas or code, and never in a number next to Latin letters: names, addresses,
URLs and English titles keep their digits ("Wagtail 8.0.1", "Business Forum 2022").
"""

import re
from functools import cache

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .formatting import bengali_digits
from .translation_comments import readable_translation_comments

# Whole elements whose content is not prose: left exactly as they are
RAW_ELEMENT = re.compile(r"<(script|style|textarea|pre|code)\b.*?</\1\s*>", re.S | re.I)
TEXT = re.compile(r"(?<=>)[^<>]*[0-9][^<>]*(?=<)")
ATTRIBUTE = re.compile(
    r'(?<=\s)(title|aria-label|placeholder|data-w-tooltip-content-value)="([^"]*[0-9][^"]*)"'
)
ENTITY = re.compile(r"&#?\w+;")
NUMBER = re.compile(r"[0-9]+(?:[.,:/–-][0-9]+)*")
LETTERS = "A-Za-z\u0980-\u09e5\u09f0-\u09ff"  # Latin, and Bengali but its digits
LETTER = re.compile(f"[{LETTERS}]")
LETTER_BEFORE = re.compile(f"([{LETTERS}])[^{LETTERS}]*\\Z")


@cache
def admin_prefix():
    return reverse("wagtailadmin_home")


def is_admin_path(path):
    return path.startswith(admin_prefix())


def admin_language(user):
    """The user's admin language, or None to follow the browser (the anonymous, the unset)."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "wagtail_userprofile", None)
    return profile.get_preferred_language() if profile and profile.preferred_language else None


def local_digits_in_prose(text):
    """Bengali digits for the numbers of `text` that are not part of Latin-script words: a
    number whose nearest letter on either side is Latin stays as it is ("Wagtail 8.0.1",
    "reaches 300 factories"); the others change ("মোট 18টি পাতা", "13:15", "14:03-এ, Farzana
    Ahmed"). Character references (&#x27;) are left alone."""
    masked = ENTITY.sub(lambda match: " " * len(match.group()), text)
    parts, position = [], 0
    for number in NUMBER.finditer(masked):
        before = LETTER_BEFORE.search(masked, 0, number.start())
        after = LETTER.search(masked, number.end())
        if (before and before[1].isascii()) or (after and after.group().isascii()):
            continue
        parts.append(text[position : number.start()])
        parts.append(bengali_digits(number.group()))
        position = number.end()
    parts.append(text[position:])
    return "".join(parts)


def bengali_digits_in_html(html):
    """Bengali digits in the prose of an HTML document (see the module's docstring)."""
    parts = []
    position = 0
    for raw in RAW_ELEMENT.finditer(html):
        parts.append(prose_with_local_digits(html[position : raw.start()]))
        parts.append(raw.group())
        position = raw.end()
    parts.append(prose_with_local_digits(html[position:]))
    return "".join(parts)


def prose_with_local_digits(html):
    html = TEXT.sub(lambda match: local_digits_in_prose(match.group()), html)
    return ATTRIBUTE.sub(
        lambda match: f'{match.group(1)}="{local_digits_in_prose(match.group(2))}"', html
    )


def with_bengali_digits(response):
    """The response with Bengali digits in its prose, when it is HTML in a Bangla admin (whole
    pages, and the fragments that listings' filters and pagination fetch)."""
    if (
        response.streaming
        or response.status_code not in (200, 404)
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return response
    if translation.get_language() != "bn":
        return response
    charset = response.charset
    response.content = bengali_digits_in_html(response.content.decode(charset)).encode(charset)
    return response


class AdminLanguageMiddleware:
    """Admin requests in the user's admin language, Bangla ones with Bengali digits.

    After AuthenticationMiddleware (it reads the user); before LocaleMiddleware in the order of
    responses, which here means listed after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_admin_path(request.path_info):
            return self.get_response(request)
        language = admin_language(request.user)
        if language is None:
            return self.respond(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return self.respond(request)

    def respond(self, request):
        response = readable_translation_comments(request, self.get_response(request))
        return with_bengali_digits(response)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, without sending an admin 404 to /<language>/admin/...: under
    the i18n patterns Wagtail's page URLs match any path, so every unknown admin URL became a
    redirect to the public site's 404."""

    def process_response(self, request, response):
        if response.status_code == 404 and is_admin_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)
