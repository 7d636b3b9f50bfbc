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
    topic = english_topics()[0]
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
    assert topic  # topics come from a plain CSV below


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
