"""Tracked links under load: the /r/<token> redirect's requests per second and latency beside the
bare Django floor of bench/pages.py (same gunicorn settings), then a burst of BURST_CLIENTS (200)
clients clicking the same link for BURST_SECONDS (30) seconds, checked for errors and exact counts.

A throw-away copy of the demo site with production settings (a PostgreSQL database on
BENCH_POSTGRES, dropped at the end, SQLite if PostgreSQL cannot be reached; Redis as in
bench/pages.py), a send of the demo issue to SUBSCRIBERS (2000) readers whose deliveries are
marked sent an hour ago (nothing is mailed), and clients that send a browser's user agent, so
every click is a person's and goes the whole way: unsign the token, read the delivery, look the
target up in the frozen edition, insert the click, mark the delivery clicked, answer 302. For
reference, /robots.txt: the site's middleware around a view that reads no database.

Targets (issue 18): at least 0.5 x the floor's requests per second, p99 under 50 ms, with
CONCURRENCY (20) clients; the burst gives no error and as many Click rows as 302 answers.

    .venv/bin/python bench/clicks.py
    SECONDS=10 BURST_SECONDS=10 .venv/bin/python bench/clicks.py
"""

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pages import PYTHON, ROOT, WORKERS, Services, free_port, gunicorn, wait_for

SECONDS = float(os.environ.get("SECONDS", "5"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "20"))
BURST_CLIENTS = int(os.environ.get("BURST_CLIENTS", "200"))
BURST_SECONDS = float(os.environ.get("BURST_SECONDS", "30"))
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "2000"))
TARGET, P99_MS = 0.5, 50
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

# Run in the site's environment: subscribers, a send whose deliveries went out an hour ago, and
# the tracked URL of the first link of each delivery.
SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from newsletter import sending
from newsletter.models import Delivery, NewsletterIssuePage, Subscriber
from newsletter.tokens import click_token
Subscriber.objects.bulk_create(
    Subscriber(email=f"bench{i}@example.org", language=("bn", "en")[i % 2], status="subscribed",
               source="admin")
    for i in range(int(N))
)
issue = NewsletterIssuePage.objects.filter(locale__language_code="en").live().first()
send = sending.create_send(issue, allow_fallback=True)
an_hour_ago = timezone.now() - timedelta(hours=1)
Delivery.objects.filter(send=send).update(status="sent", sent_at=an_hour_ago)
ids = list(Delivery.objects.filter(send=send).values_list("pk", flat=True))
print(json.dumps({"send": send.pk, "paths": [f"/r/{click_token(pk, 0)}" for pk in ids]}))
"""
COUNT = """
from newsletter.models import Click, Delivery
from newsletter.clicks import link_counts
from newsletter.models import Send
send = Send.objects.get(pk=int(SEND))
print(Click.objects.filter(send=send).count(), Click.objects.filter(send=send).by_people().count(),
      Delivery.objects.filter(send=send, clicked_at__isnull=False).count())
"""


async def client(port, paths, deadline, latencies, errors, offset, expect):
    """One client sending requests back to back, a new connection each (as browsers clicking
    links in e-mails do)."""
    i = offset
    reader = writer = None
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {BROWSER}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            data = await reader.read()
            writer.close()
            reader = writer = None
            if not data.startswith(expect):
                errors.append(data[:40])
        except OSError as exc:
            errors.append(str(exc))
            reader = writer = None
        latencies.append(time.perf_counter() - start)


def load(port, paths, clients, seconds, expect):
    latencies, errors = [], []

    async def run():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(client(port, paths, deadline, latencies, errors, n, expect) for n in range(clients))
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def shell(env, code, **values):
    env = {**env, **{key: str(value) for key, value in values.items()}}
    prefix = "".join(f"{key} = __import__('os').environ['{key}']\n" for key in values)
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", prefix + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"manage.py shell failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def main():
    workdir = Path(tempfile.mkdtemp(prefix="bwb-bench-clicks-"))
    services = Services(workdir)
    servers = []
    try:
        database_url, database_name = services.database_url()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "website.settings.production",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "BASE_URL": "https://bench.example.org",
            "SECURE_SSL_REDIRECT": "false",
            "VAR_DIR": str(workdir),
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "DEMO_PASSWORD": "bench-only-password",
        }
        env.pop("PYTHONPATH", None)
        env.pop("REDIS_URL", None)
        redis_url = services.redis_url()  # as in production; else the database cache
        if redis_url:
            env["REDIS_URL"] = redis_url
        for args in (
            ["compile_catalogues"],
            ["migrate", "-v0"],
            ["createcachetable"],
            ["collectstatic", "--no-input", "-v0"],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
            )
        subprocess.run(
            [PYTHON, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        setup = json.loads(shell(env, SETUP, N=SUBSCRIBERS))
        paths = setup["paths"]

        site_port, floor_port = free_port(), free_port()
        servers.append(gunicorn(site_port, "website.wsgi:application", env))
        servers.append(
            gunicorn(
                floor_port, "floor:application", {**env, "FLOOR_BYTES": "0"}, cwd=ROOT / "bench"
            )
        )
        wait_for(site_port)
        wait_for(floor_port)
        load(site_port, paths[:50], 4, 1, b"HTTP/1.1 302")  # warm both workers
        load(floor_port, ["/"], 4, 1, b"HTTP/1.1 200")

        print(
            f"Production settings, {database_name}, cache: {'Redis' if redis_url else 'database'}; "
            f"gunicorn {WORKERS} sync workers per server; "
            f"asyncio client (one connection per request, a browser's user agent); "
            f"{os.cpu_count()} CPUs shared by server and client"
        )
        floor = load(floor_port, ["/"], CONCURRENCY, SECONDS, b"HTTP/1.1 200")
        robots = load(site_port, ["/robots.txt"], CONCURRENCY, SECONDS, b"HTTP/1.1 200")
        clicks = load(site_port, paths, CONCURRENCY, SECONDS, b"HTTP/1.1 302")
        print(f"{'':<28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for label, r in (
            (f"floor, {CONCURRENCY} clients", floor),
            ("/robots.txt (site, no db)", robots),
            ("/r/<token>", clicks),
        ):
            print(
                f"{label:<28} {r['rps']:>7.0f} {r['p50']:>7.1f} {r['p99']:>7.1f} {r['errors']:>6}"
            )
        ratio = clicks["rps"] / floor["rps"]
        ok = ratio >= TARGET and clicks["p99"] < P99_MS and not clicks["errors"]
        print(
            f"redirect / floor: {ratio:.2f}, / robots.txt: {clicks['rps'] / robots['rps']:.2f}; "
            f"target >= {TARGET} x floor, p99 {clicks['p99']:.1f} ms "
            f"(target < {P99_MS}): {'met' if ok else 'NOT met'}"
        )

        if BURST_SECONDS:
            before = [int(n) for n in shell(env, COUNT, SEND=setup["send"]).split()]
            burst = load(site_port, paths, BURST_CLIENTS, BURST_SECONDS, b"HTTP/1.1 302")
            after = [int(n) for n in shell(env, COUNT, SEND=setup["send"]).split()]
            rows, people = after[0] - before[0], after[1] - before[1]
            exact = rows == burst["requests"] - burst["errors"] and people == rows
            print(
                f"burst: {BURST_CLIENTS} clients on the same link for {BURST_SECONDS:g} s: "
                f"{burst['requests']} requests, {burst['rps']:.0f} req/s, p50 "
                f"{burst['p50']:.0f} ms, p99 {burst['p99']:.0f} ms, {burst['errors']} errors "
                f"{burst['first_error'] or ''}; {rows} click rows added ({people} by people), "
                f"{after[2]} deliveries clicked: counts {'exact' if exact else 'NOT exact'}"
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        services.close()


if __name__ == "__main__":
    main()
