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
        others = [h for h in hrefs if not h.startswith(f"{BASE}/r/")]
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
