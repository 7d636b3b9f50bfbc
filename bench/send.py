"""Sending speed: the project's workers against plain smtplib, to the same local SMTP sink.

Postfix's `smtp-sink` (Debian package `postfix`) accepts and discards messages far faster than
we can send them, so it is not the bottleneck. In one run, on PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/bench_send, created if missing):

- ceiling: the Bangla edition's message for one subscriber, pre-built once, sent as many times as
  the run beside it sends, with smtplib over one connection, just before and just after each run;
- workers: the demo issue sent to SUBSCRIBERS confirmed subscribers (half Bangla, half English)
  by `manage.py db_worker` processes through the whole path (claims, ledger, per-recipient links);
  first with one worker at a quarter of the list and at the whole list (memory must not grow with
  the list), then with two workers.

It prints messages per second, the ratio to the ceiling and each worker's peak memory (VmHWM).
The workers build each message with Django's e-mail API and send it through Django's SMTP backend
(the one transport every backend shares); the ceiling sends pre-built bytes with plain smtplib.
Targets: one worker at 0.5 x the ceiling or more, two workers at 0.9 x that ratio or more.

    .venv/bin/python bench/send.py              # SUBSCRIBERS=5000 .venv/bin/python bench/send.py
"""

import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "20000"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_send")
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"

WORKER_SETTINGS = """
from website.settings.test import *  # noqa: F403

TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS = "127.0.0.1", {port}, False
NEWSLETTER_PARALLEL_BATCHES = {workers}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(workdir, port, workers):
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["VAR_DIR"] = str(workdir)
    (workdir / "bench_settings.py").write_text(WORKER_SETTINGS.format(port=port, workers=workers))
    sys.path[:0] = [str(workdir), str(ROOT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def reset_list(count):
    from newsletter.models import Delivery, Send, Source, Status, Subscriber

    Delivery.objects.all().delete()
    Send.objects.all().delete()
    Subscriber.objects.all().delete()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{i}@example.org",
                language="bn" if i % 2 else "en",
                status=Status.SUBSCRIBED,
                source=Source.IMPORT,
            )
            for i in range(count)
        ),
        batch_size=5000,
    )


def issue():
    from newsletter.models import NewsletterIssuePage

    return NewsletterIssuePage.objects.get(locale__language_code="en", slug="december-2022")


def ceiling(port, count):
    """Pre-built bytes of one Bangla message, sent `count` times over one connection."""
    from django.conf import settings
    from wagtail.models import Locale

    from newsletter.links import recipient_links
    from newsletter.messages import edition_message, message_bytes
    from newsletter.models import Subscriber

    bn_issue = issue().get_translation(Locale.objects.get(language_code="bn"))
    subscriber = Subscriber.objects.filter(language="bn").first()
    message = edition_message(bn_issue.edition(), subscriber.email, recipient_links(subscriber))
    data = message_bytes(message)
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        started = time.perf_counter()
        for _ in range(count):
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [subscriber.email], data)
        elapsed = time.perf_counter() - started
    return count / elapsed, len(data)


def peak_rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_workers(workdir, workers, count):
    """Create the send, start `workers` db_worker processes, time until the ledger is done."""
    from django.db import connection

    from newsletter import sending
    from newsletter.models import Delivery, DeliveryStatus, SendState

    reset_list(count)
    started = time.perf_counter()
    send = sending.create_send(issue())
    prepared = time.perf_counter() - started
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)])}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--no-startup-delay",
        "--interval",
        "0.1",
        "--no-reload",
        "--verbosity",
        "0",
    ]
    processes = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
        for _ in range(workers)
    ]
    connection.close()
    first_sent = None
    try:
        while True:
            send.refresh_from_db()
            if (
                first_sent is None
                and Delivery.objects.filter(send=send, status=DeliveryStatus.SENT).exists()
            ):
                first_sent = time.perf_counter()
            if send.state != SendState.SENDING:
                break
            time.sleep(0.05)
        done = time.perf_counter()
        memory = [peak_rss_mib(p.pid) for p in processes]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    totals = send.totals()
    elapsed = done - (first_sent or done)
    return {
        "rate": totals["sent"] / elapsed if elapsed else 0,
        "sent": totals["sent"],
        "failed": totals["failed"],
        "prepared": prepared,
        "memory": memory,
    }


def main():
    if not Path(SMTP_SINK).exists():
        sys.exit("smtp-sink not found: apt-get install postfix (it provides /usr/sbin/smtp-sink)")
    ensure_database(DATABASE_URL)
    workdir = Path(tempfile.mkdtemp(prefix="bench-send-"))
    port = free_port()
    sink = subprocess.Popen(  # noqa: S603
        [SMTP_SINK, "-u", "nobody", f"127.0.0.1:{port}", "1000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        setup_django(workdir, port, workers=2)
        rows = []
        for workers, count in ((1, SUBSCRIBERS // 4), (1, SUBSCRIBERS), (2, SUBSCRIBERS)):
            # The ceiling is measured just before and just after each run, with the same count,
            # so that other load on the machine weighs on both sides of the ratio alike.
            reset_list(count)
            before, size = ceiling(port, count)
            result = run_workers(workdir, workers, count)
            reset_list(count)
            after, _size = ceiling(port, count)
            rows.append((workers, count, result, (before + after) / 2))
        print(
            f"{SUBSCRIBERS:,} subscribers (half bn, half en), Bangla message {size / 1024:.0f} KB, "
            f"smtp-sink on loopback, PostgreSQL, {os.cpu_count()} CPUs; ceiling = pre-built "
            "bytes over one smtplib connection, mean of just before and just after each run"
        )
        print(
            f"{'run':30} {'msg/s':>7} {'ceiling':>8} {'ratio':>6} {'ledger s':>9} "
            f"{'peak MiB per worker':>20}"
        )
        print("-" * 84)
        for workers, count, result, ceiling_rate in rows:
            label = f"{workers} worker{'s' if workers > 1 else ''}, {count:,} recipients"
            memory = " / ".join(f"{m:.0f}" for m in result["memory"])
            print(
                f"{label:30} {result['rate']:7.0f} {ceiling_rate:8.0f} "
                f"{result['rate'] / ceiling_rate:6.2f} {result['prepared']:9.1f} {memory:>20}"
                + (f"  ({result['failed']} failed)" if result["failed"] else "")
            )
        one = rows[1][2]["rate"] / rows[1][3]
        two = rows[2][2]["rate"] / rows[2][3]
        verdict = "meets" if one >= 0.5 else "is below"
        print(f"send: one worker at {one:.2f} x the ceiling {verdict} the 0.5 target")
        verdict = "meets" if two >= 0.9 * one else "is below"
        print(
            f"send: two workers at {two:.2f} x the ceiling ({two / one:.2f} x one worker) "
            f"{verdict} the 0.9 x target"
        )
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
