"""Requests per second and latency of each page type, beside the framework's floor.

Builds a throw-away copy of the demo site (SQLite, production settings), serves it with gunicorn,
and in the same run serves a bare Django view returning a page of the same size (bench/floor.py).
Each page is measured with CONCURRENCY client processes for SECONDS seconds.

    .venv/bin/python bench/pages.py            # or: make bench
    SECONDS=10 CONCURRENCY=8 .venv/bin/python bench/pages.py
"""

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = float(os.environ.get("SECONDS", "5"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
WORKERS = os.environ.get("WORKERS", "2")

PAGE_QUERY = """
import json
from django.apps import apps
from wagtail.models import Locale
out = {}
for code in ("en", "bn"):
    locale = Locale.objects.get(language_code=code)
    for label, app, model in [
        ("home", "website", "HomePage"), ("news index", "stories", "NewsIndexPage"),
        ("news article", "stories", "NewsPage"), ("stories index", "stories", "StoriesIndexPage"),
        ("story", "stories", "StoryPage"), ("events index", "events", "EventIndexPage"),
        ("event", "events", "EventPage"),
    ]:
        try:
            page = apps.get_model(app, model).objects.live().filter(locale=locale).first()
        except LookupError:
            page = None
        if page:
            out[f"{label} ({code})"] = page.url
    word = "garment" if code == "en" else "%E0%A6%AA%E0%A7%8B%E0%A6%B6%E0%A6%BE%E0%A6%95"
    out[f"search ({code})"] = f"/{code}/search/?q={word}"
print(json.dumps(out))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def client(port, path, seconds):
    """One client: requests back to back for `seconds`; returns latencies and errors."""
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            status, _ = fetch(port, path)
            if status != 200:
                errors += 1
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - start)
    return latencies, errors


def measure(port, path):
    fetch(port, path)  # warm caches and renditions
    with ProcessPoolExecutor(CONCURRENCY) as pool:
        results = list(
            pool.map(client, [port] * CONCURRENCY, [path] * CONCURRENCY, [SECONDS] * CONCURRENCY)
        )
    latencies = sorted(lat for lats, _ in results for lat in lats)
    errors = sum(err for _, err in results)
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / SECONDS,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def main():
    workdir = Path(tempfile.mkdtemp(prefix="bwb-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "BASE_URL": "https://bench.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "DEMO_PASSWORD": "bench-only-password",
        # Rendering is measured here: the server-side page cache would answer after the first
        # request (its warm figures are another measurement).
        "PAGE_CACHE_SERVER": "false",
    }
    env.pop("PYTHONPATH", None)
    servers = []
    try:
        manage = [PYTHON, "manage.py"]
        for args in (
            ["compile_catalogues"],
            ["migrate", "-v0"],
            ["createcachetable"],
            ["collectstatic", "--no-input", "-v0"],
            ["load_demo"],
        ):
            subprocess.run(manage + args, cwd=ROOT, env=env, check=True, capture_output=True)
        pages = json.loads(
            subprocess.run(
                manage + ["shell", "-c", PAGE_QUERY],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        site_port, floor_port = free_port(), free_port()
        gunicorn = [PYTHON, "-m", "gunicorn", "-w", WORKERS, "--log-level", "warning"]
        servers.append(
            subprocess.Popen(
                gunicorn + ["-b", f"127.0.0.1:{site_port}", "website.wsgi:application"],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(site_port)
        sizes = {label: len(fetch(site_port, path)[1]) for label, path in pages.items()}
        floor_env = {**env, "FLOOR_BYTES": str(int(statistics.median(sizes.values())))}
        servers.append(
            subprocess.Popen(
                gunicorn
                + [
                    "-b",
                    f"127.0.0.1:{floor_port}",
                    "--chdir",
                    str(ROOT / "bench"),
                    "floor:application",
                ],
                cwd=ROOT,
                env=floor_env,
            )
        )
        wait_for(floor_port)

        print(
            f"gunicorn {WORKERS} sync workers, {CONCURRENCY} clients, {SECONDS:g} s per page, "
            f"{os.cpu_count()} CPUs"
        )
        header = f"{'page':<22} {'bytes':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
        print(header)
        print("-" * len(header))
        floor = measure(floor_port, "/")
        print(
            f"{'floor (bare Django)':<22} {floor_env['FLOOR_BYTES']:>7} {floor['rps']:>8.1f} "
            f"{floor['p50']:>8.1f} {floor['p99']:>8.1f} {floor['errors']:>6}"
        )
        for label, path in pages.items():
            r = measure(site_port, path)
            print(
                f"{label:<22} {sizes[label]:>7} {r['rps']:>8.1f} {r['p50']:>8.1f} "
                f"{r['p99']:>8.1f} {r['errors']:>6}   ({r['rps'] / floor['rps']:.0%} of floor)"
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
