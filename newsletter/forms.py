"""Forms visitors and subscribers fill in."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from website.localize import localize
from website.models import Topic

from .addresses import normalize_email
from .models import LANGUAGE_CHOICES, StakeholderGroup

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
        choices=LANGUAGE_CHOICES,
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
        label=_("Newsletter language"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my data. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that your data should go.")},
    )


class ProfileForm(forms.Form):
    """Who the subscriber is, optional and their own choice: a stakeholder group and topics of
    interest (the site's topics, named in the reader's language)."""

    group = forms.ChoiceField(
        label=_("Which of these describes you best?"),
        choices=[("", _("I prefer not to say"))] + StakeholderGroup.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    topics = forms.TypedMultipleChoiceField(
        label=_("Topics you are most interested in"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, language, **kwargs):
        super().__init__(*args, **kwargs)
        sources = list(Topic.objects.filter(locale=Locale.get_default()))
        shown = localize(sources, Locale.objects.get(language_code=language), Topic.objects.all())
        self.fields["topics"].choices = sorted(
            ((source.pk, topic.name) for source, topic in zip(sources, shown, strict=True)),
            key=lambda choice: choice[1],
        )

    @classmethod
    def for_subscriber(cls, subscriber, data=None):
        initial = {
            "group": subscriber.group,
            "topics": [topic.pk for topic in subscriber.topics.all()],
        }
        return cls(data, initial=initial, language=subscriber.reading_language)

    def save(self, subscriber):
        subscriber.group = self.cleaned_data["group"]
        subscriber.save(update_fields=["group", "updated_at"])
        subscriber.topics.set(self.cleaned_data["topics"])
