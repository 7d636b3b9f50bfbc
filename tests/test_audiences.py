"""Audiences: who a subscriber is (their own choice), the officers' labels, and what an import
brings of them."""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Locale

from newsletter.models import Label, StakeholderGroup, Status, Subscriber
from newsletter.tokens import link_token
from tests.test_subscriber_flow import link_in, sign_up, smtp  # noqa: F401 (fixture)
from website.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def english_topics():
    return list(Topic.objects.filter(locale=Locale.get_default()).order_by("pk"))


def test_the_sign_up_form_stays_three_fields_and_the_questions_come_after_confirming(
    client,
    demo,
    smtp,  # noqa: F811
):
    footer = BeautifulSoup(client.get("/bn/").content.decode(), "html.parser").select_one(
        "footer form.signup-form"
    )
    assert footer.select_one('input[name="group"]') is None
    sign_up(client, "rupa@example.org", language="bn")
    page = client.post(link_in(smtp.wait_for(1)[0][1]))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    form = soup.select_one("form.profile-form")
    subscriber = Subscriber.objects.get()
    assert form["action"] == f"/bn/newsletter/preferences/{link_token(subscriber)}/"
    # the groups and the site's topics, in the reader's language
    labels = [label.get_text(strip=True) for label in form.select("label")]
    assert "ট্রেড ইউনিয়ন বা শ্রমিক সংগঠন" in labels
    bangla_topics = Topic.objects.filter(locale__language_code="bn").values_list("name", flat=True)
    assert bangla_topics and set(bangla_topics) <= set(labels)

    topics = english_topics()[:2]
    saved = client.post(
        form["action"],
        {"action": "profile", "group": "union", "topics": [t.pk for t in topics]},
    )
    assert saved.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.group == StakeholderGroup.UNION
    assert set(subscriber.topics.all()) == set(topics)
    assert subscriber.status == Status.SUBSCRIBED


def test_preferences_change_and_clear_the_answers_and_the_export_holds_them(client, demo):
    subscriber = Subscriber.objects.create(
        email="karim@example.org", source="form", status="subscribed", language="en"
    )
    url = f"/en/newsletter/preferences/{link_token(subscriber)}/"
    topic = english_topics()[0]
    client.post(url, {"action": "profile", "group": "factory", "topics": [topic.pk]})
    page = BeautifulSoup(client.get(url).content.decode(), "html.parser")
    assert page.select_one('input[name="group"][value="factory"]').has_attr("checked")
    assert page.select_one(f'input[name="topics"][value="{topic.pk}"]').has_attr("checked")
    subscriber.labels.add(Label.objects.create(name="Business Forum 2022 participants"))

    data = client.post(url, {"action": "download"}).json()
    assert data["stakeholder_group"] == "factory"
    assert data["topics"] == [topic.slug]
    assert data["labels"] == ["Business Forum 2022 participants"]

    client.post(url, {"action": "profile", "group": ""})
    subscriber.refresh_from_db()
    assert subscriber.group == "" and not subscriber.topics.exists()


def test_an_unknown_group_or_topic_is_refused_with_a_message(client, demo):
    subscriber = Subscriber.objects.create(email="x@example.org", source="form", language="en")
    url = f"/en/newsletter/preferences/{link_token(subscriber)}/"
    page = client.post(url, {"action": "profile", "group": "aliens", "topics": ["999999"]})
    assert page.status_code == 200
    assert "form-error" in page.content.decode() or "errorlist" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.group == ""


def test_erasure_removes_group_topics_and_labels(demo):
    subscriber = Subscriber.objects.create(email="gone@example.org", source="form", group="media")
    subscriber.topics.add(english_topics()[0])
    label = Label.objects.create(name="press list")
    subscriber.labels.add(label)
    subscriber.erase()
    assert not label.subscribers.exists()
    assert Label.objects.filter(pk=label.pk).exists()  # the officers' label stays
    assert Subscriber.topics.through.objects.count() == 0


# The admin


@pytest.fixture
def officer(client, demo):
    from tests.conftest import DEMO_PASSWORD

    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def audience(demo):
    topics = english_topics()
    press = Label.objects.create(name="press list")
    forum = Label.objects.create(name="Business Forum 2022 participants")

    def make(email, group="", topics=(), labels=(), **fields):
        fields.setdefault("status", Status.SUBSCRIBED)
        subscriber = Subscriber.objects.create(email=email, source="form", group=group, **fields)
        subscriber.topics.set(topics)
        subscriber.labels.set(labels)
        return subscriber

    return {
        "topics": topics,
        "press": press,
        "forum": forum,
        "union": make("union@example.org", "union", topics[:2], [forum], language="bn"),
        "brand": make("brand@example.org", "brand", topics[1:2], [press, forum]),
        "reporter": make("reporter@example.org", "media", (), [press]),
        "quiet": make("quiet@example.org"),
    }


def listed(response):
    html = response.content.decode()
    return sorted(e for e in Subscriber.objects.values_list("email", flat=True) if e in html)


def test_listing_filters_by_group_topic_and_label(officer, audience):
    base = "/admin/newsletter/subscribers/"
    assert listed(officer.get(base, {"group": "union"})) == ["union@example.org"]
    assert listed(officer.get(base, {"group": "none"})) == ["quiet@example.org"]
    topic = audience["topics"][1]
    assert listed(officer.get(base, {"topics": [topic.pk]})) == [
        "brand@example.org",
        "union@example.org",
    ]
    press, forum = audience["press"], audience["forum"]
    assert listed(officer.get(base, {"labels": [press.pk, forum.pk]})) == [
        "brand@example.org",
        "reporter@example.org",
        "union@example.org",
    ]
    page = officer.get(base).content.decode()
    assert "Trade union or worker organisation: 1" in page


def test_a_label_is_applied_and_removed_in_bulk_and_logged(officer, audience):
    from django.urls import reverse
    from wagtail.models import ModelLogEntry

    people = [audience["quiet"], audience["reporter"]]
    url = reverse("wagtail_bulk_action", args=["newsletter", "subscriber", "label"])
    query = "&".join(f"id={p.pk}" for p in people)
    refused = officer.post(f"{url}?{query}", {})
    assert refused.status_code == 200 and "Choose a label" in refused.content.decode()
    done = officer.post(f"{url}?{query}&next=/admin/", {"new_label": "Workshop 2026"})
    assert done.status_code == 302
    label = Label.objects.get(name="Workshop 2026")
    assert set(label.subscribers.all()) == set(people)
    assert ModelLogEntry.objects.filter(action="newsletter.labels").count() == 2
    officer.post(f"{url}?{query}&next=/admin/", {"label": label.pk, "remove": "on"})
    assert not label.subscribers.exists()


def test_the_export_lists_group_and_labels(officer, audience):
    import csv
    import io

    response = officer.get("/admin/newsletter/subscribers/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["brand@example.org"]["group"] == "brand"
    assert sorted(rows["brand@example.org"]["labels"].split(", ")) == [
        "Business Forum 2022 participants",
        "press list",
    ]


def test_officers_manage_labels_translators_do_not(officer, audience, client):
    page = officer.get("/admin/newsletter/labels/")
    assert page.status_code == 200 and "press list" in page.content.decode()
    page = officer.post("/admin/newsletter/labels/new/", {"name": "Trainers"})
    assert page.status_code == 302 and Label.objects.filter(name="Trainers").exists()
    from tests.conftest import DEMO_PASSWORD

    client.logout()
    assert client.login(username="translator", password=DEMO_PASSWORD)
    assert client.get("/admin/newsletter/labels/").status_code in (302, 403)


# Imports


def run_import(text, **kwargs):
    import io

    from django.utils import translation

    from newsletter.importing import import_subscribers

    with translation.override("en"):
        return import_subscribers(
            io.BytesIO(text.encode()), file_name=kwargs.pop("file_name", "people.csv"), **kwargs
        )


def test_a_mailchimp_export_brings_tags_and_groups(demo):
    Label.objects.create(name="press list")
    report = run_import(
        '"Email Address","First Name","Stakeholder group","TAGS"\n'
        'rina@example.org,Rina,"Trade union or worker organisation",'
        '"""press list"",""Forum 2022"""\n'
        "tanvir@example.org,Tanvir,Martians,\n"
        '"nadia@example.org",Nadia,Brand or retailer,"""Forum 2022"""\n'
    )
    assert report.layout == "mailchimp" and report.added == 3
    rina = Subscriber.objects.get(email="rina@example.org")
    assert rina.group == "union"
    assert sorted(rina.labels.values_list("name", flat=True)) == ["Forum 2022", "press list"]
    assert Subscriber.objects.get(email="tanvir@example.org").group == ""
    assert report.new_labels == ["Forum 2022"]
    assert any("Martians" in line and "line 3" in line for line in report.summary_lines())


def test_a_plain_csv_brings_group_topics_and_labels_and_reports_unknown_ones(demo):
    topics = english_topics()
    bangla = Topic.objects.get(
        locale__language_code="bn", translation_key=topics[1].translation_key
    )
    existing = Subscriber.objects.create(
        email="old@example.org", source="form", status="subscribed", group="media"
    )
    report = run_import(
        "email,name,language,group,topics,labels\n"
        f"new@example.org,New,bn,factory,{topics[0].slug}; {bangla.name},workshop\n"
        "old@example.org,,en,government,astrology,workshop\n"
    )
    assert (report.added, report.unchanged) == (1, 1)
    new = Subscriber.objects.get(email="new@example.org")
    assert new.group == "factory"
    assert set(new.topics.all()) == {topics[0], topics[1]}
    assert list(new.labels.values_list("name", flat=True)) == ["workshop"]
    existing.refresh_from_db()
    assert existing.group == "media"  # the person's own answer is not overwritten
    assert list(existing.labels.values_list("name", flat=True)) == ["workshop"]
    assert [note.reason for note in report.notes] == ["the unknown topic “astrology”"]


def test_the_export_imports_back_with_its_labels(officer, audience):
    response = officer.get("/admin/newsletter/subscribers/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    before = {
        s.email: set(s.labels.values_list("name", flat=True)) for s in Subscriber.objects.all()
    }
    report = run_import(text)
    assert report.added == 0 and not report.notes and not report.new_labels
    after = {
        s.email: set(s.labels.values_list("name", flat=True)) for s in Subscriber.objects.all()
    }
    assert after == before


def test_an_officer_labels_one_subscriber_on_the_edit_form(officer, audience):
    quiet = audience["quiet"]
    url = f"/admin/newsletter/subscribers/edit/{quiet.pk}/"
    page = officer.get(url)
    assert page.status_code == 200 and 'name="labels"' in page.content.decode()
    done = officer.post(
        url,
        {
            "name": "",
            "language": quiet.language,
            "status": quiet.status,
            "labels": [audience["press"].pk],
            "new_consent_source": "",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    assert list(quiet.labels.all()) == [audience["press"]]


# Targeting a send


def sent_to(send):
    from newsletter.models import Delivery

    return set(Delivery.objects.filter(send=send).values_list("subscriber__email", flat=True))


@pytest.fixture
def issue(demo):
    from newsletter.models import NewsletterIssuePage

    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


@pytest.mark.parametrize("match", ["any", "all"])
def test_a_send_to_a_segment_has_ledger_rows_for_exactly_the_matching_people(
    audience, issue, match
):
    from django.db.models import Q

    from newsletter import sending
    from newsletter.audiences import Audience
    from tests.test_sending import run, server  # noqa: F401

    Subscriber.objects.create(
        email="pending-union@example.org", source="form", group="union", status=Status.PENDING
    )
    topic, press = audience["topics"][1], audience["press"]
    audience["union"].labels.add(press)  # union: in a group, with the topic and the label
    chosen = Audience(
        groups=("union", "media"), topics=(topic.pk,), labels=(press.pk,), match=match
    )
    send = sending.create_send(issue, audience=chosen)
    # written independently: confirmed, and in a group / with the topic / with the label
    confirmed = Subscriber.objects.filter(status=Status.SUBSCRIBED)
    in_group = Q(group__in=["union", "media"])
    with_topic = Q(pk__in=Subscriber.objects.filter(topics=topic).values("pk"))
    with_label = Q(pk__in=Subscriber.objects.filter(labels=press).values("pk"))
    if match == "any":
        expected = confirmed.filter(in_group | with_topic | with_label)
    else:
        expected = confirmed.filter(in_group & with_topic & with_label)
    assert sent_to(send) == set(expected.values_list("email", flat=True))
    assert sent_to(send)  # somebody matched in both cases
    assert send.audience["match"] == match
    # each gets the edition of their language
    from newsletter.models import Delivery

    languages = dict(
        Delivery.objects.filter(send=send).values_list("subscriber__email", "language")
    )
    for email, language in languages.items():
        assert Subscriber.objects.get(email=email).language == language


def test_a_segment_by_language(audience, issue):
    from newsletter import sending
    from newsletter.audiences import Audience

    send = sending.create_send(issue, audience=Audience(languages=("bn",)))
    assert sent_to(send) == {"union@example.org"}


def test_a_segment_that_matches_nobody_cannot_be_sent(audience, issue):
    from newsletter import sending
    from newsletter.audiences import Audience
    from newsletter.models import Send

    with pytest.raises(sending.NotReady) as refused:
        sending.create_send(issue, audience=Audience(groups=("government",)))
    assert "Nobody to send to" in str(refused.value)
    assert not Send.objects.exists()


def test_a_later_send_goes_only_to_those_who_did_not_get_the_issue(audience, issue, settings):
    from newsletter import sending
    from newsletter.audiences import Audience
    from newsletter.models import Delivery, DeliveryStatus, SendState

    first = sending.create_send(issue, audience=Audience(labels=(audience["press"].pk,)))
    Delivery.objects.filter(send=first).update(status=DeliveryStatus.SENT)
    first.state = SendState.DONE
    first.save()
    assert sent_to(first) == {"brand@example.org", "reporter@example.org"}
    counts = Audience().counts(issue)
    assert counts["already"] == 2 and counts["total"] == 2  # union and quiet are left

    second = sending.create_send(issue)  # "everyone": only those not reached yet
    assert sent_to(second) == {"union@example.org", "quiet@example.org"}
    Delivery.objects.filter(send=second).update(status=DeliveryStatus.SENT)
    second.state = SendState.DONE
    second.save()
    with pytest.raises(sending.NotReady):
        sending.create_send(issue)  # everyone has it
    again = sending.create_send(issue, audience=Audience(resend=True))
    assert len(sent_to(again)) == 4


def test_the_send_screen_counts_the_audience_per_language_and_saves_a_segment(
    officer, audience, issue
):
    from newsletter.models import Delivery, Segment, Send

    url = f"/admin/newsletter/issues/{issue.pk}/send/"
    everyone = officer.get(url, {"count": "1"}).json()
    assert everyone["languages"] == {"en": "3", "bn": "1", "both": "0"} and everyone["total"] == "4"
    press = audience["press"]
    counted = officer.get(url, {"count": "1", "labels": [press.pk]}).json()
    assert counted["languages"] == {"en": "2", "bn": "0", "both": "0"} and counted["total"] == "2"
    page = officer.get(url).content.decode()
    assert "data-count-url" in page and "send-audience.js" in page

    done = officer.post(
        url, {"confirmed": "yes", "labels": [press.pk], "match": "any", "save_as": "Press"}
    )
    assert done.status_code == 302
    send = Send.objects.get()
    assert send.audience["labels"] == [press.pk]
    assert set(Delivery.objects.filter(send=send).values_list("subscriber__email", flat=True)) == {
        "brand@example.org",
        "reporter@example.org",
    }
    assert Segment.objects.get(name="Press").rules["labels"] == [press.pk]
    detail = BeautifulSoup(
        officer.get(f"/admin/newsletter/sends/{send.pk}/").content.decode(), "html.parser"
    )
    assert detail.select_one("[data-send-audience]").get_text(strip=True) == "Audience:press list"
    press.delete()  # the send keeps its rules; the page says what is gone
    detail = officer.get(f"/admin/newsletter/sends/{send.pk}/").content.decode()
    assert "(deleted)" in detail


def test_sending_again_to_those_who_got_it_needs_its_own_confirmation(officer, audience, issue):
    from newsletter import sending
    from newsletter.models import Delivery, DeliveryStatus, Send, SendState

    first = sending.create_send(issue)
    Delivery.objects.filter(send=first).update(status=DeliveryStatus.SENT)
    Send.objects.filter(pk=first.pk).update(state=SendState.DONE)
    url = f"/admin/newsletter/issues/{issue.pk}/send/"
    page = officer.get(url).content.decode()
    assert "4 people already received this issue" in page
    refused = officer.post(url, {"confirmed": "yes"})
    assert refused.status_code == 200 and Send.objects.count() == 1  # nobody left to send to
    unconfirmed = officer.post(url, {"confirmed": "yes", "resend": "on"})
    assert unconfirmed.status_code == 200
    assert "4 people already received this issue: tick this box" in unconfirmed.content.decode()
    assert Send.objects.count() == 1
    again = officer.post(url, {"confirmed": "yes", "resend": "on", "confirm_resend": "on"})
    assert again.status_code == 302 and Send.objects.count() == 2


def test_the_dashboard_counts_readers_per_language_and_group(officer, audience):
    Subscriber.objects.create(
        email="dual@example.org",
        source="form",
        language="both",
        status=Status.SUBSCRIBED,
        group="union",
    )
    page = BeautifulSoup(officer.get("/admin/").content.decode(), "html.parser")
    languages = page.select_one("[data-readers-languages]").get_text(" ", strip=True)
    assert "Bangla and English : 1" in languages or "Bangla and English: 1" in languages
    groups = [li.get_text(strip=True) for li in page.select("[data-readers-groups] li")]
    assert "Trade union or worker organisation: 2" in groups
    assert "Not given: 1" in groups


def test_officers_see_rename_and_delete_saved_segments(officer, audience):
    from newsletter.models import Segment

    segment = Segment.objects.create(
        name="Unions and press", rules={"groups": ["union"], "labels": [audience["press"].pk]}
    )
    page = officer.get("/admin/newsletter/segments/").content.decode()
    assert "Unions and press" in page and "Trade union or worker organisation or press list" in page
    officer.post(f"/admin/newsletter/segments/delete/{segment.pk}/")
    assert not Segment.objects.exists()


def test_a_label_deleted_before_a_scheduled_send_starts_changes_nobody(audience, issue):
    from datetime import timedelta

    from django.utils import timezone

    from newsletter import sending
    from newsletter.audiences import Audience
    from newsletter.models import Send, SendState

    later = timezone.now() + timedelta(hours=2)
    send = sending.create_send(
        issue, audience=Audience(labels=(audience["press"].pk,)), scheduled_at=later
    )
    assert send.state == SendState.SCHEDULED
    audience["press"].delete()
    newcomer = Subscriber.objects.create(
        email="new@example.org", source="form", status="subscribed"
    )
    Send.objects.filter(pk=send.pk).update(scheduled_at=timezone.now())
    sending.sweep()
    send.refresh_from_db()
    assert send.state in (SendState.SENDING, SendState.DONE)
    assert sent_to(send) == {"brand@example.org", "reporter@example.org"}
    assert newcomer.email not in sent_to(send)


def test_the_ledger_export_says_whom_the_send_was_for(audience, issue, officer):
    import csv
    import io

    from newsletter import sending
    from newsletter.audiences import Audience

    press = audience["press"]
    send = sending.create_send(issue, audience=Audience(groups=("union",), labels=(press.pk,)))
    response = officer.get("/admin/newsletter/deliveries/", {"send": send.pk, "export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows and all(
        row["audience"] == Audience.from_json(send.audience).describe() for row in rows
    )
    assert "press list" in rows[0]["audience"] and "Trade union" in rows[0]["audience"]
