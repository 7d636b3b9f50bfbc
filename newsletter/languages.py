"""The newsletter's language choices: each site language, or both (the bilingual edition)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

BOTH = "both"  # the Bangla and the English edition in one e-mail (newsletter.editions)
LANGUAGE_CHOICES = [*settings.LANGUAGES, (BOTH, _("Bangla and English"))]


# The languages' names in the admin's language ("Bangla" / "বাংলা"), for sentences such as "2,901
# in Bangla" (LANGUAGE_CHOICES names each language in itself, for subscribers choosing one).
LANGUAGE_NAMES = {"en": _("English"), "bn": _("Bangla"), BOTH: _("Bangla and English")}


def language_name(code):
    """The name of a newsletter language (or an edition's) in the admin's language."""
    return str(LANGUAGE_NAMES.get(code, code))


def reading_language(language):
    """The site language pages and e-mails about the subscription use for `language`: Bangla
    for readers of both (the bilingual edition opens with it)."""
    return "bn" if language == BOTH else language


def content_language(language):
    """A Content-Language header's value (RFC 3282) for an edition's language."""
    return "bn, en" if language == BOTH else language
