"""What a send does when things go wrong: a message that cannot be built, a mail server that is
away for a while, a worker killed during the sweep. Same loopback SMTP server as test_sending."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Locale

from newsletter import sending
from newsletter.models import Delivery, DeliveryStatus, NewsletterIssuePage, Send, SendState
from newsletter.readiness import readiness
from tests.test_sending import issue, run, server, subscribe  # noqa: F401 (fixtures)
from tests.test_subscriber_flow import free_port

pytestmark = pytest.mark.django_db


def bangla(page):
    return page.get_translation(Locale.objects.get(language_code="bn")).specific


def test_a_line_break_in_a_subject_is_refused_everywhere(server, issue, client, admin_user):  # noqa: F811
    bn = bangla(issue)
    bn.subject = "বিজনেস ফোরাম\n২০২২"
    with pytest.raises(ValidationError) as error:
        bn.save_revision()  # the page editor and the translation editor both save revisions
    assert "subject" in error.value.message_dict
    # A subject saved before this check existed is caught before a send and in the readiness.
    NewsletterIssuePage.objects.filter(pk=bn.pk).update(subject=bn.subject)
    subscribe(2, "bn")
    with pytest.raises(sending.NotReady) as refused:
        sending.create_send(issue)
    assert "Bangla: the subject has a line break" in refused.value.problems
    [_en, bn_entry, bilingual] = readiness(issue)
    assert bilingual.bilingual and "subject" in bilingual.line_breaks  # it holds the Bangla one
    assert bn_entry.line_breaks == ["subject"] and not bn_entry.ready
    client.force_login(admin_user)
    url = f"/admin/newsletter/issues/{issue.pk}/test/"
    page = client.get(url)
    assert page.status_code == 200
    assert "The subject has a line break" in page.content.decode()
    answer = client.post(url, {"addresses": "officer@example.org", "editions": "bn"})
    assert answer.status_code == 200  # the form again with the reason, not a 500
    assert server.received == []


def test_one_message_that_cannot_be_built_fails_alone(server, issue):  # noqa: F811
    """A frozen edition whose subject has a line break: its deliveries fail with the reason and
    every other message goes; nothing is left in `sending`."""
    readers = subscribe(4, "en") + subscribe(3, "bn")
    send = sending.create_send(issue)
    editions = send.editions
    editions["bn"]["subject"] = "বিজনেস ফোরাম\n২০২২"
    Send.objects.filter(pk=send.pk).update(editions=editions)
    send = run(send)
    assert send.state == SendState.DONE
    assert send.totals() == {"total": 7, "sent": 4, "failed": 3, "skipped": 0, "pending": 0}
    failed = Delivery.objects.filter(send=send, status=DeliveryStatus.FAILED)
    assert {d.language for d in failed} == {"bn"}
    assert all("BadHeaderError" in d.last_error for d in failed)
    assert len(server.received) == 4
    assert not Delivery.objects.filter(status=DeliveryStatus.SENDING).exists()
    assert all(r.status == "subscribed" for r in readers if r.language == "bn")


def test_a_mail_server_outage_waits_and_resumes_by_itself(server, issue, settings):  # noqa: F811
    readers = subscribe(10, "en")
    officer = User.objects.create_user("sender", "sender@example.org", "x")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is "down"
    send = run(sending.create_send(issue, user=officer))
    assert send.state == SendState.PAUSED and send.outages == 1
    assert "could not be reached" in send.pause_reason
    assert send.resume_at > timezone.now() + timedelta(seconds=30)
    assert Delivery.objects.filter(send=send).pending().count() == 10  # nothing lost or failed
    assert sending.sweep()["started"] == 0 and Send.objects.get(pk=send.pk).state == "paused"

    later = send.resume_at + timedelta(seconds=1)
    assert sending.sweep(now=later) is not None
    send.refresh_from_db()
    assert send.state == SendState.SENDING  # resumed by itself
    run(send, rounds=1)
    send.refresh_from_db()
    assert send.state == SendState.PAUSED and send.outages == 2  # still down: waits longer
    assert send.resume_at > timezone.now() + timedelta(seconds=100)

    settings.EMAIL_PORT = port  # the server is back
    sending.sweep(now=send.resume_at + timedelta(seconds=1))
    Delivery.objects.filter(send=send).update(next_attempt_at=timezone.now())
    send = run(send)
    assert send.state == SendState.DONE and send.outages == 0
    assert all(len(server.to(r.email)) == 1 for r in readers)
    assert [m["Subject"].split(":")[0] for m in server.to("sender@example.org")] == ["Sent"]


def test_the_sweep_queues_the_next_one_before_it_runs(server, issue, settings, monkeypatch):  # noqa: F811
    """A worker killed during its sweep must not end the chain of sweeps."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    subscribe(3, "en")
    sending.create_send(issue)
    DBTaskResult.objects.all().delete()

    def killed(now=None):
        raise SystemExit("worker killed during the sweep")

    monkeypatch.setattr(sending, "sweep", killed)
    with pytest.raises(SystemExit):
        sending.sweep_task.call()
    waiting = DBTaskResult.objects.filter(task_path=sending.sweep_task.module_path)
    assert waiting.count() == 1 and waiting.get().status == "READY"


def test_the_sweep_timer_is_deployed(settings):
    """Whatever happens to the task queue, a timer runs the sweep every minute."""
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    procfile = (root / "Procfile").read_text()
    assert "send_newsletter --sweep" in procfile
    timer = (root / "deploy/systemd/betterwork-sweep.timer").read_text()
    service = (root / "deploy/systemd/betterwork-sweep.service").read_text()
    assert "OnUnitActiveSec=60" in timer and "send_newsletter --sweep" in service


def test_the_dashboard_shows_the_officers_paused_send(server, issue, client, settings):  # noqa: F811
    """The admin notification: an officer sees their paused send and why on the dashboard."""
    from tests.conftest import DEMO_PASSWORD

    officer = User.objects.get(username="officer")
    subscribe(3, "en")
    settings.EMAIL_PORT = free_port()
    send = run(sending.create_send(issue, user=officer))
    assert send.state == SendState.PAUSED
    assert client.login(username="officer", password=DEMO_PASSWORD)
    page = client.get("/admin/").content.decode()
    assert "Your newsletter sends" in page and f'data-send="{send.pk}"' in page
    assert "could not be reached" in page
    assert client.login(username="translator", password=DEMO_PASSWORD)
    assert f'data-send="{send.pk}"' not in client.get("/admin/").content.decode()
