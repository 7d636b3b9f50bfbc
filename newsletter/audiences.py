"""Who a send is for: everyone, or a segment built from stakeholder groups, topics, labels and
languages (matching any or all of the groups, topics and labels given; languages always narrow).

A later send of an issue goes only to those who have not received it yet, unless the officer
explicitly sends it again to everyone in the audience.

The rules are stored with the send as given (ids of topics and labels), so the ledger written when
the send starts holds exactly the matching confirmed subscribers of that moment.
"""

import dataclasses

from django.db.models import Q
from django.utils.translation import gettext as _

from website.models import Topic

from .models import LANGUAGE_CHOICES, Delivery, DeliveryStatus, Label, StakeholderGroup, Subscriber

MATCH_ANY = "any"
MATCH_ALL = "all"


@dataclasses.dataclass(frozen=True)
class Audience:
    groups: tuple = ()
    topics: tuple = ()  # ids of the default language's topics
    labels: tuple = ()  # label ids
    languages: tuple = ()
    match: str = MATCH_ANY
    resend: bool = False  # also those who already received this issue

    @classmethod
    def from_json(cls, data):
        data = data or {}
        return cls(
            groups=tuple(data.get("groups", ())),
            topics=tuple(int(pk) for pk in data.get("topics", ())),
            labels=tuple(int(pk) for pk in data.get("labels", ())),
            languages=tuple(data.get("languages", ())),
            match=data.get("match", MATCH_ANY),
            resend=bool(data.get("resend", False)),
        )

    def to_json(self):
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(self).items()
        }

    @property
    def rules(self):
        """The segment's rules alone (what a saved Segment keeps)."""
        data = self.to_json()
        data.pop("resend")
        return data

    @property
    def is_everyone(self):
        return not (self.groups or self.topics or self.labels or self.languages)

    def describe(self):
        """The audience in words, for the send's page: "everyone", or each kind of criterion
        with the names of what was chosen (a topic or label deleted since is said so)."""
        if self.is_everyone:
            text = _("every confirmed subscriber")
        else:
            parts = []
            if self.groups:
                names = dict(StakeholderGroup.choices)
                parts.append(", ".join(str(names.get(g, g)) for g in self.groups))
            for model, ids in ((Topic, self.topics), (Label, self.labels)):
                if ids:
                    found = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
                    parts.append(", ".join(found.get(pk, _("(deleted)")) for pk in ids))
            joiner = _(" and ") if self.match == MATCH_ALL else _(" or ")
            text = joiner.join(parts)
            if self.languages:
                names = dict(LANGUAGE_CHOICES)
                languages = ", ".join(str(names.get(code, code)) for code in self.languages)
                text = f"{text} · {languages}" if text else languages
        if self.resend:
            text = f"{text} · {_('also those who already received it')}"
        return text

    def criteria(self):
        """One Q per kind of criterion given (groups, topics, labels)."""
        found = []
        if self.groups:
            found.append(Q(group__in=self.groups))
        if self.topics:
            through = Subscriber.topics.through.objects.filter(topic_id__in=self.topics)
            found.append(Q(pk__in=through.values("subscriber_id")))
        if self.labels:
            through = Subscriber.labels.through.objects.filter(label_id__in=self.labels)
            found.append(Q(pk__in=through.values("subscriber_id")))
        return found

    def subscribers(self):
        """The confirmed subscribers this audience names (whether or not they received it)."""
        queryset = Subscriber.objects.sendable()
        criteria = self.criteria()
        if criteria:
            combined = criteria[0]
            for criterion in criteria[1:]:
                combined = (
                    (combined & criterion) if self.match == MATCH_ALL else (combined | criterion)
                )
            queryset = queryset.filter(combined)
        if self.languages:
            queryset = queryset.filter(language__in=self.languages)
        return queryset

    def recipients(self, issue):
        """Who a send of `issue` to this audience goes to: those who have not received the
        issue yet (in any earlier send), or all of them when `resend`."""
        queryset = self.subscribers()
        if not self.resend:
            queryset = queryset.exclude(pk__in=already_received(issue))
        return queryset

    def counts(self, issue):
        """{"languages": {code: recipients}, "total": n, "already": those left out as they
        received the issue already (or who get it again, with `resend`)}."""
        per_language = {code: 0 for code, _name in LANGUAGE_CHOICES}
        recipients = self.recipients(issue)
        for language in recipients.values_list("language", flat=True).iterator():
            per_language[language] = per_language.get(language, 0) + 1
        already = self.subscribers().filter(pk__in=already_received(issue)).count()
        return {"languages": per_language, "total": sum(per_language.values()), "already": already}


def already_received(issue):
    """Subscriber ids that an earlier send of `issue` reached (a message accepted for them)."""
    return Delivery.objects.filter(send__issue=issue, status=DeliveryStatus.SENT).values(
        "subscriber_id"
    )
