"""The newsletter's template tags: the sign-up form, wherever a page shows one (the site's
footer, the sign-up block), so the site's own code never imports the newsletter."""

from django import template
from django.utils import translation

from ..forms import SignupForm

register = template.Library()


@register.inclusion_tag("newsletter/signup_form.html", takes_context=True)
def newsletter_signup_form(context, prefix):
    """An empty sign-up form in the page's language; `prefix` keeps its ids unique on the page."""
    return {
        "form": SignupForm(language=translation.get_language()),
        "prefix": prefix,
        "request": context.get("request"),
    }
