"""Forms visitors and subscribers fill in."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .addresses import normalize_email

CONSENT_TEXT = _(
    "I agree to receive the Better Work Bangladesh newsletter by e-mail, about once a month. "
    "I can unsubscribe at any time with the link in every e-mail."
)


class SignupForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    language = forms.ChoiceField(
        label=_("Newsletter language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("Please tick the box to agree to receive the newsletter.")},
    )
    # A honeypot: hidden from people, filled in by bots. A filled one is silently ignored.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language or settings.LANGUAGE_CODE

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    @property
    def is_bot(self):
        return bool(self.data.get("website"))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Newsletter language"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my data. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that your data should go.")},
    )
