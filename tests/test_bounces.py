"""Bounces and complaints sent back by e-mail, read from a POP3 mailbox on loopback: a Postfix
delivery status notification (RFC 3464) for a hard and a soft bounce, a feedback-loop report
(ARF), and a reader's reply that is left alone (newsletter/bounces.py)."""

import socketserver
import threading
from pathlib import Path

import pytest

from newsletter import bounces, sending
from newsletter.models import Delivery, DeliveryStatus, Status, Subscriber
from newsletter.reports import send_report
from tests.test_sending import issue, run, server, subscribe  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "bounces"


class POP3Handler(socketserver.StreamRequestHandler):
    """Enough of RFC 1939 for poplib: USER, PASS, STAT, RETR, DELE, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        box = self.server
        deleted = set()
        self.reply("+OK POP3 ready")
        for raw in self.rfile:
            command, _space, argument = raw.decode().strip().partition(" ")
            command = command.upper()
            if command == "USER":
                self.reply("+OK")
            elif command == "PASS":
                if argument != "secret-password":
                    self.reply("-ERR authentication failed")
                    return
                self.reply("+OK logged in")
            elif command == "STAT":
                self.reply(f"+OK {len(box.messages)} {sum(len(m) for m in box.messages)}")
            elif command == "RETR":
                message = box.messages[int(argument) - 1]
                self.reply(f"+OK {len(message)} octets")
                for line in message.split(b"\r\n"):
                    self.wfile.write((b"." + line if line.startswith(b".") else line) + b"\r\n")
                self.reply(".")
            elif command == "DELE":
                deleted.add(int(argument) - 1)
                self.reply("+OK deleted")
            elif command == "QUIT":
                box.messages = [m for i, m in enumerate(box.messages) if i not in deleted]
                self.reply("+OK bye")
                return
            else:
                self.reply("-ERR unknown command")


@pytest.fixture
def mailbox(settings):
    box = socketserver.ThreadingTCPServer(("127.0.0.1", 0), POP3Handler)
    box.messages = []
    thread = threading.Thread(target=box.serve_forever, daemon=True)
    thread.start()
    settings.NEWSLETTER_BOUNCE_MAILBOX = (
        f"pop3://bounces%40betterwork.example.org:secret-password@127.0.0.1:{box.server_address[1]}"
    )
    yield box
    box.shutdown()
    box.server_close()


def sample(name, delivery):
    text = (SAMPLES / f"{name}.eml").read_text()
    text = text.replace("{recipient}", delivery.subscriber.email)
    text = text.replace("{message_id}", delivery.message_id)
    return text.replace("\n", "\r\n").encode()


def test_bounces_and_complaints_from_the_mailbox_apply_like_the_providers(
    server,  # noqa: F811
    issue,  # noqa: F811
    mailbox,
):
    readers = subscribe(4, "en")
    send = run(sending.create_send(issue))
    hard, soft, complaint, calm = (Delivery.objects.get(subscriber=r) for r in readers)
    mailbox.messages = [
        sample("hard", hard),
        sample("soft", soft),
        sample("complaint", complaint),
        sample("other", calm),
    ]
    assert sending.sweep()["bounces"] == 3  # the sweep reads the mailbox
    for delivery in (hard, soft, complaint, calm):
        delivery.refresh_from_db()
    assert hard.status == DeliveryStatus.FAILED and hard.bounce == "hard"
    assert Subscriber.objects.get(pk=hard.subscriber_id).status == Status.BOUNCED
    assert soft.status == DeliveryStatus.SENT and soft.bounce == "soft"
    assert Subscriber.objects.get(pk=soft.subscriber_id).status == Status.SUBSCRIBED
    assert complaint.complained_at is not None
    assert Subscriber.objects.get(pk=complaint.subscriber_id).status == Status.COMPLAINED
    assert (calm.bounce, calm.complained_at) == ("", None)
    assert len(mailbox.messages) == 1 and b"Thank you" in mailbox.messages[0]  # left alone
    figures = send_report(send)["total"]
    assert (figures["bounced_hard"], figures["bounced_soft"], figures["complaints"]) == (1, 1, 1)
    assert bounces.poll() == {"read": 1, "applied": 0}  # nothing applied twice


def test_a_mailbox_that_cannot_be_read_does_not_stop_the_sweep(settings, server, issue):  # noqa: F811
    settings.NEWSLETTER_BOUNCE_MAILBOX = "pop3://user:wrong@127.0.0.1:9"  # nothing listens
    subscribe(2, "en")
    send = sending.create_send(issue)
    assert sending.sweep()["bounces"] == 0
    assert run(send).state == "done"
