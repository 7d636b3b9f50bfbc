"""Newsletter reports: tracked links, clicks counted once and in total, machine clicks left out,
hostile tokens, erasure (docs/reports.md)."""

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from newsletter import clicks
from newsletter.links import click_links
from newsletter.models import Click, ClickKind, Delivery, Subscriber
from newsletter.tokens import click_token
from tests.test_sending import issue, run, server, subscribe  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

BASE = "https://betterwork.example.org"
SUBSCRIPTION = re.compile(r"/newsletter/(unsubscribe|preferences|one-click)/")


def parts(message):
    return (
        message.get_body(("html",)).get_content(),
        message.get_body(("plain",)).get_content(),
    )


@pytest.fixture
def sent(server, issue):  # noqa: F811
    """A send of the demo issue to two Bangla and two English readers, done; their messages."""
    readers = subscribe(2, "bn") + subscribe(2, "en")
    send = run(__import__("newsletter.sending").sending.create_send(issue))
    # As if every message had been accepted a minute ago: later clicks are not "seconds after".
    Delivery.objects.filter(send=send).update(sent_at=timezone.now() - timedelta(minutes=1))
    return send, {reader.email: server.to(reader.email)[0] for reader in readers}


BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def reader():
    """A browser's client (a request without a user agent is a machine's)."""
    return Client(HTTP_USER_AGENT=BROWSER)


def tracked(text):
    return re.findall(rf"{BASE}/r/[^\s\"<>]+", text)


def test_every_link_of_both_editions_is_tracked_except_the_subscription_links(sent):
    send, messages = sent
    for address, message in messages.items():
        html, text = parts(message)
        hrefs = re.findall(r'<a\s[^>]*?href="([^"]+)"', html)
        # the footer's contact address is a mailto: link, which no redirect can count
        others = [h for h in hrefs if not h.startswith((f"{BASE}/r/", "mailto:"))]
        assert others and all(SUBSCRIPTION.search(h) for h in others), others
        assert len(tracked(html)) >= 5, address
        text_urls = re.findall(r"https?://\S+", text)
        assert all(u.startswith(f"{BASE}/r/") or SUBSCRIPTION.search(u) for u in text_urls)
        assert tracked(text)
        language = message["Content-Language"]
        links = send.editions[language]["links"]
        # Each position names one target; HTML and text share the positions.
        positions = {clicks_position(url) for url in tracked(html) + tracked(text)}
        assert positions == set(range(len(links)))
        assert all(link["url"].startswith("http") for link in links)
        assert "%%" not in html and "%%" not in text
        assert max(len(line) for line in message.raw.split(b"\r\n")) <= 998


def clicks_position(url):
    from newsletter.tokens import unsign_click

    return unsign_click(url.rsplit("/", 1)[1])[1]


def test_a_click_goes_to_the_frozen_target_and_is_counted(sent, reader):
    send, messages = sent
    address, message = next((a, m) for a, m in messages.items() if m["Content-Language"] == "bn")
    html, _text = parts(message)
    delivery = Delivery.objects.get(send=send, subscriber__email=address)
    links = send.editions["bn"]["links"]
    for url in dict.fromkeys(tracked(html)):
        response = reader.get(url.removeprefix(BASE))
        assert response.status_code == 302
        assert response["Location"] == links[clicks_position(url)]["url"]
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # Every link within a second: a scanner's burst, not a reader.
    assert set(Click.objects.filter(delivery=delivery).values_list("kind", flat=True)) == {
        ClickKind.BURST
    }
    Click.objects.filter(delivery=delivery).update(at=timezone.now() - timedelta(minutes=5))
    assert reader.get(tracked(html)[0].removeprefix(BASE)).status_code == 302
    delivery.refresh_from_db()
    assert delivery.clicked_at is not None
    assert Click.objects.filter(delivery=delivery, kind=ClickKind.PERSON).count() == 1


def test_unique_and_total_counts(sent, reader):
    send, _messages = sent
    first, second = Delivery.objects.filter(send=send, language="en").order_by("pk")
    for delivery, position in [(first, 0), (first, 0), (first, 1), (second, 0)]:
        assert reader.get(f"/r/{click_token(delivery.pk, position)}").status_code == 302
    counts = clicks.link_counts(send)
    assert counts[("en", 0)] == {"unique": 2, "total": 3}
    assert counts[("en", 1)] == {"unique": 1, "total": 1}
    assert Delivery.objects.filter(send=send, clicked_at__isnull=False).count() == 2


def test_machine_clicks_are_recorded_apart(sent, reader):
    send, _messages = sent
    a, b, c = Delivery.objects.filter(send=send).order_by("pk")[:3]
    assert reader.head(f"/r/{click_token(a.pk, 0)}").status_code == 302
    scanner = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Barracuda Sentinel scanner)")
    assert scanner.get(f"/r/{click_token(a.pk, 1)}").status_code == 302
    Delivery.objects.filter(pk=b.pk).update(sent_at=timezone.now())
    assert reader.get(f"/r/{click_token(b.pk, 0)}").status_code == 302  # seconds after delivery
    for position in range(4):  # every link at once
        assert reader.get(f"/r/{click_token(c.pk, position)}").status_code == 302
    kinds = dict(Click.objects.filter(delivery=a).values_list("link", "kind"))
    assert kinds == {0: ClickKind.HEAD, 1: ClickKind.SCANNER}
    assert Click.objects.get(delivery=b).kind == ClickKind.EARLY
    assert set(Click.objects.filter(delivery=c).values_list("kind", flat=True)) == {ClickKind.BURST}
    assert not Click.objects.by_people().exists()
    assert not Delivery.objects.filter(send=send, clicked_at__isnull=False).exists()
    assert clicks.link_counts(send) == {}


@pytest.mark.parametrize(
    "path",
    [
        "/r/garbage",
        "/r/1-0:forged",
        "/r/%00",
        "/r/..%2F..%2Fetc%2Fpasswd",
        "/r/https:%2F%2Fevil.example.org",
        "/r/" + "x" * 3000,
        "/r/ঢাকা",
    ],
)
def test_forged_tokens_and_hostile_paths_get_a_page_not_a_redirect(path, client, demo):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="bn")
    assert response.status_code == 400
    assert "Location" not in response
    body = response.content.decode()
    assert 'href="/bn/"' in body
    assert 'href="https://evil' not in body and '<html lang="bn"' in body


def test_a_truncated_unknown_or_out_of_range_token(sent, reader):
    send, _messages = sent
    delivery = Delivery.objects.filter(send=send, language="bn").first()
    token = click_token(delivery.pk, 0)
    assert reader.get(f"/r/{token[:-3]}").status_code == 400
    assert reader.get(f"/r/{click_token(10**9, 0)}").status_code == 400
    response = reader.get(f"/r/{click_token(delivery.pk, 999)}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'lang="bn"' in body
    assert "/bn/newsletter/" in body  # the issue's page in the reader's language
    assert not Click.objects.exists()


def test_a_moved_or_unpublished_page_sends_the_click_to_its_new_place(sent, reader):
    send, _messages = sent
    links = send.editions["en"]["links"]
    position, link = next((i, x) for i, x in enumerate(links) if x["page"] and "/news/" in x["url"])
    from wagtail.models import Page

    page = Page.objects.get(pk=link["page"]).specific
    delivery = Delivery.objects.filter(send=send, language="en").first()
    url = f"/r/{click_token(delivery.pk, position)}"
    page.slug = "moved-elsewhere"
    page.save_revision().publish()
    location = reader.get(url)["Location"]
    assert location.endswith("/moved-elsewhere/") and location != link["url"]
    page.unpublish()
    from django.core.cache import cache

    cache.clear()
    location = reader.get(url)["Location"]
    assert location == f"{BASE}/en/newsletter/" or "/newsletter" in location


def test_the_prepared_message_carries_the_deliverys_own_tracked_links(sent):
    send, messages = sent
    for address, message in messages.items():
        delivery = Delivery.objects.get(send=send, subscriber__email=address)
        html, text = parts(message)
        language = message["Content-Language"]
        own = click_links(delivery.pk, len(send.editions[language]["links"]))
        assert set(tracked(html)) | set(tracked(text)) == set(own.values())


def test_erasure_removes_personal_click_records_and_keeps_the_counts(sent, reader):
    send, _messages = sent
    delivery = Delivery.objects.filter(send=send, language="en").first()
    for position in (0, 0, 1):
        reader.get(f"/r/{click_token(delivery.pk, position)}")
    before = clicks.link_counts(send)
    subscriber = delivery.subscriber
    data = subscriber.personal_data()
    assert [c["link"] for c in data["clicks"]] == [
        send.editions["en"]["links"][p]["url"] for p in (0, 0, 1)
    ]
    subscriber.erase()
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not Click.objects.filter(delivery__isnull=False, send=send).exists()
    assert Click.objects.filter(send=send).count() == 3
    assert clicks.link_counts(send) == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_clicks_on_one_link_lose_nothing(server, issue):  # noqa: F811
    """Many clients clicking the same link at once: no error, exact counts (PostgreSQL, where
    requests really run side by side; bench/clicks.py runs 200 clients against gunicorn)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (CI runs it there)")
    subscribe(40, "en")
    send = run(__import__("newsletter.sending").sending.create_send(issue))
    Delivery.objects.filter(send=send).update(sent_at=timezone.now() - timedelta(minutes=1))
    urls = [f"/r/{click_token(pk, 0)}" for pk in Delivery.objects.values_list("pk", flat=True)]
    statuses, lock = [], threading.Lock()

    def clicker(url):
        client = Client(HTTP_USER_AGENT=BROWSER)
        codes = [client.get(url).status_code for _ in range(3)]
        with lock:
            statuses.extend(codes)
        connection.close()

    threads = [threading.Thread(target=clicker, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 120
    assert clicks.link_counts(send)[("en", 0)] == {"unique": 40, "total": 120}
    assert settings.NEWSLETTER_TRACK_CLICKS


# The report


@pytest.fixture
def officer(client, demo):
    from tests.conftest import DEMO_PASSWORD

    assert client.login(username="officer", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def reported(server, issue):  # noqa: F811
    """A send with a hard bounce (bn), a soft one and an unsubscribe (en), and clicks: two by a
    Bangla reader on one link, one by an English reader, one by a scanner."""
    from newsletter import sending

    bn = subscribe(3, "bn")
    en = subscribe(3, "en")
    server.refuse[bn[2].email] = [550]
    server.refuse[en[2].email] = [451]
    send = run(sending.create_send(issue), advance=True)
    Delivery.objects.filter(send=send).update(sent_at=timezone.now() - timedelta(minutes=5))
    en[1].unsubscribe()
    reader = Client(HTTP_USER_AGENT=BROWSER)
    scanner = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Mimecast URL scanner)")
    delivery = {s.email: Delivery.objects.get(send=send, subscriber=s) for s in bn + en}
    for client, who, position in [
        (reader, bn[0], 0),
        (reader, bn[0], 0),
        (reader, en[0], 1),
        (scanner, bn[1], 0),
    ]:
        assert client.get(f"/r/{click_token(delivery[who.email].pk, position)}").status_code == 302
    return send


def test_the_report_matches_the_ledger_and_the_clicks(reported):
    from newsletter.reports import send_report

    send = reported
    report = send_report(send)
    bn, en, total = report["languages"]["bn"], report["languages"]["en"], report["total"]
    assert (bn["recipients"], bn["delivered"], bn["bounced_hard"], bn["bounced_soft"]) == (
        3,
        2,
        1,
        0,
    )
    assert (en["recipients"], en["delivered"], en["bounced_hard"], en["bounced_soft"]) == (
        3,
        3,
        0,
        1,
    )
    assert (bn["unsubscribes"], en["unsubscribes"]) == (0, 1)
    assert (bn["clicked"], en["clicked"], total["clicked"]) == (1, 1, 2)
    assert bn["click_rate"] == 0.5 and en["click_rate"] == pytest.approx(1 / 3)
    assert total["click_rate"] == 0.4
    for code, row in report["languages"].items():  # the same as the ledger says
        ledger = Delivery.objects.filter(send=send, language=code)
        assert row["recipients"] == ledger.count()
        assert row["delivered"] == ledger.filter(status="sent").count()
        assert row["clicked"] == ledger.filter(clicked_at__isnull=False).count()
    by_link = {(link.language, link.position): link for link in report["links"]}
    assert (by_link["bn", 0].unique, by_link["bn", 0].total) == (1, 2)
    assert (by_link["en", 1].unique, by_link["en", 1].total) == (1, 1)
    assert sum(link.total for link in report["links"]) == 3  # the scanner's click left out
    assert by_link["bn", 0].url == send.editions["bn"]["links"][0]["url"]
    assert sum(sum(days) for days in report["per_day"].values()) == 3
    assert report["per_day"]["bn"][0] == 2


def test_the_report_page_in_english_and_in_bangla(reported, officer):
    from wagtail.users.models import UserProfile

    send = reported
    page = officer.get(f"/admin/newsletter/reports/{send.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "40 %" in html and "50 %" in html and "33.3 %" in html
    assert "<svg" in html and html.count("<rect") == 14  # 7 days x 2 languages
    assert "Bounced (hard)" in html
    profile = UserProfile.get_for_user(page.wsgi_request.user)
    profile.preferred_language = "bn"
    profile.save()
    html = officer.get(f"/admin/newsletter/reports/{send.pk}/").content.decode()
    assert "৪০ %" in html and "৫০ %" in html and "৩৩.৩ %" in html
    start = html.index("data-report-chart")
    chart = html[start : html.index("</svg>", start)]
    assert "৭</text>" in chart and "7</text>" not in chart  # day labels in Bengali digits
    assert "Bounced (hard)" not in html and "Clicks per link" not in html


def test_the_report_list_exports_and_the_dashboard(reported, officer):
    import openpyxl

    send = reported
    listing = officer.get("/admin/newsletter/reports/")
    assert listing.status_code == 200
    assert f"/admin/newsletter/reports/{send.pk}/" in listing.content.decode()
    csv_text = officer.get("/admin/newsletter/reports/?export=csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Issue,Started,Delivered (en),Clicked (en),Click rate (en)")
    assert lines[1].endswith(",5,2,0.4")
    xlsx = officer.get("/admin/newsletter/reports/?export=xlsx")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=sheet.max_column).value == 0.4
    home = officer.get("/admin/").content.decode()
    assert "Latest newsletter" in home and "40 %" in home


def test_translators_do_not_see_reports(reported, client):
    from tests.conftest import DEMO_PASSWORD

    assert client.login(username="translator", password=DEMO_PASSWORD)
    assert client.get(f"/admin/newsletter/reports/{reported.pk}/").status_code in (302, 403)
    assert client.get("/admin/newsletter/reports/").status_code in (302, 403)


def test_erasure_keeps_the_reports_figures(reported):
    from newsletter.reports import send_report

    before = send_report(reported)
    for subscriber in Subscriber.objects.all():
        subscriber.erase()
    after = send_report(reported)
    assert after["languages"] == before["languages"] and after["total"] == before["total"]
    assert [(x.unique, x.total) for x in after["links"]] == [
        (x.unique, x.total) for x in before["links"]
    ]
    assert not Click.objects.filter(delivery__isnull=False).exists()


def test_provider_events_feed_the_report_without_counting_twice(settings, issue):  # noqa: F811
    """anymail's opened / clicked / soft bounce / complaint events mark the delivery once; its
    clicks count only while our own tracked links are off (it sees our /r/ links otherwise)."""
    from anymail.signals import EventType

    from newsletter import sending
    from newsletter.reports import send_report
    from tests.test_esp import track

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    readers = subscribe(4, "en")
    send = run(sending.create_send(issue))
    ids = {r.email: Delivery.objects.get(subscriber=r).message_id for r in readers}
    a, b, c, d = (r.email for r in readers)
    track(EventType.OPENED, a, ids[a])
    track(EventType.OPENED, a, ids[a])
    track(EventType.CLICKED, a, ids[a])  # our tracking is on: the provider's click is ours
    track(EventType.BOUNCED, b, ids[b], esp_event={"Type": "SoftBounce"})
    track(EventType.COMPLAINED, c, ids[c])
    settings.NEWSLETTER_TRACK_CLICKS = False
    track(EventType.CLICKED, d, ids[d])
    track(EventType.CLICKED, d, ids[d])
    en = send_report(send)["languages"]["en"]
    assert (en["opened"], en["clicked"], en["bounced_soft"], en["complaints"]) == (1, 1, 1, 1)
    assert Subscriber.objects.get(email=b).status == "subscribed"  # soft: the provider retries
    assert Delivery.objects.get(message_id=ids[d]).clicked_at is not None
    assert Delivery.objects.get(message_id=ids[a]).clicked_at is None


def test_opens_and_utm_parameters_when_turned_on(settings, server, issue, officer):  # noqa: F811
    from newsletter import sending

    assert not settings.NEWSLETTER_TRACK_OPENS and not settings.NEWSLETTER_UTM  # off by default
    settings.NEWSLETTER_TRACK_OPENS = settings.NEWSLETTER_UTM = True
    [reader] = subscribe(1, "bn")
    send = run(sending.create_send(issue))
    assert Delivery.objects.get(send=send).last_error == ""  # no line over 998 bytes
    html, _text = parts(server.to(reader.email)[0])
    [image] = re.findall(rf'<img src="{BASE}(/o/[^"]+\.gif)" width="1" height="1"', html)
    for _ in range(2):
        response = Client(HTTP_USER_AGENT=BROWSER).get(image)
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert Client().get("/o/forged.gif").status_code == 200  # an image whatever the token
    assert Delivery.objects.get(send=send).opened_at is not None
    links = send.editions["bn"]["links"]
    campaign = f"utm_source=newsletter&utm_medium=email&utm_campaign={issue.slug}-bn"
    site = [link["url"] for link in links if link["url"].startswith(BASE)]
    assert site and all(campaign in url for url in site)
    assert all("utm_" not in link["url"] for link in links if not link["url"].startswith(BASE))
    page = officer.get(f"/admin/newsletter/reports/{send.pk}/").content.decode()
    assert "Opened (unreliable)" in page and "Apple Mail Privacy Protection" in page


def test_the_preferences_page_says_what_is_recorded_and_nothing_else_is(demo, settings):
    from newsletter.tokens import link_token

    [reader] = subscribe(1, "bn")
    url = f"/bn/newsletter/preferences/{link_token(reader)}/"
    html = Client().get(url).content.decode()
    notice = html[
        html.index("data-privacy-notice") : html.index("</div>", html.index("data-privacy-notice"))
    ]
    assert "আইপি ঠিকানা রাখি না" in notice and "লিংক স্ক্যানার" in notice
    assert "ছোট ছবি" not in notice  # opens are off
    settings.NEWSLETTER_TRACK_OPENS = True
    html = Client().get(url).content.decode()
    assert "ছোট ছবি" in html
    # What a click row can hold: no address, IP or user agent string.
    fields = {field.name for field in Click._meta.get_fields()}
    assert fields == {"id", "send", "delivery", "language", "link", "at", "kind", "first"}
