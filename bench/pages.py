"""Requests per second and latency of each page type in both languages, cold and warm, beside the
framework's floor, and a burst of 200 clients on the newsletter's most-linked pages.

Builds a throw-away copy of the demo site with production settings: a PostgreSQL database
`bench_pages_<pid>` created on BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432, dropped
at the end; SQLite if PostgreSQL cannot be reached), migrated, loaded with the demo content and
its search index built; the cache in Redis at REDIS_URL (default redis://127.0.0.1:6379) in
database BENCH_REDIS_DB (default 15, flushed before and after), else the database cache.

Three gunicorn servers, each with WORKERS (2) sync workers and the production gunicorn
configuration (website/gunicorn.py, access log off, no worker recycling), and Varnish:
- rendered: gunicorn with fragments off (PAGE_FRAGMENT_TIMEOUT=0, its own cache key prefix), so
  every request renders the whole page from the database: the fragments' baseline, same run;
- cold: gunicorn itself, the HTTP cache bypassed: each page put together from its fragments
  in the cache (website/cache.py);
- warm: Varnish (deploy/varnish/betterwork.vcl, as in production) in front of the same gunicorn,
  pages served from its cache once primed;
- floor: bench/floor.py, a bare Django view returning as many bytes as the median page, measured
  again before each page so that each row's ratios compare figures taken within seconds.

Each page is first requested on every worker (renditions, templates, caches), then measured with
CONCURRENCY (20) clients for SECONDS (5) seconds. Then BURST_CLIENTS (200) clients for
BURST_SECONDS (30) seconds share the newsletter issue pages and the pages they feature, warm.

The load comes from `wrk` (Debian package `wrk`: a C client that costs little CPU beside the server
on a small machine); without it, from an asyncio client in this script (more CPU per request, so
lower figures for fast pages).

    .venv/bin/python bench/pages.py            # or: make bench
    SECONDS=10 CONCURRENCY=8 BURST_SECONDS=10 .venv/bin/python bench/pages.py
    PAGES="home,story" BURST_SECONDS=0 .venv/bin/python bench/pages.py   # some page types only
"""

import asyncio
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = float(os.environ.get("SECONDS", "5"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "20"))
WORKERS = os.environ.get("WORKERS", "2")
BURST_CLIENTS = int(os.environ.get("BURST_CLIENTS", "200"))
BURST_SECONDS = float(os.environ.get("BURST_SECONDS", "30"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "15")
WRK = shutil.which("wrk")
ONLY = {name.strip() for name in os.environ.get("PAGES", "").split(",") if name.strip()}

# Targets (issue 16), as multiples of the floor's requests per second.
WARM_TARGET, WARM_P99_MS, COLD_TARGET, COLD_P99_MS = 1.0, 20, 0.07, 300

PAGE_TYPES = [
    ("home", "website", "HomePage"),
    ("news index", "stories", "NewsIndexPage"),
    ("news article", "stories", "NewsPage"),
    ("stories index", "stories", "StoriesIndexPage"),
    ("story", "stories", "StoryPage"),
    ("events index", "events", "EventIndexPage"),
    ("event", "events", "EventPage"),
    ("newsletter issue", "newsletter", "NewsletterIssuePage"),
]
SEARCH_WORDS = {"en": "garment", "bn": "পোশাক"}

# Run in the site's environment: the URL of one live page of each type per language, and the
# newsletter's most-linked pages (the latest issue and the pages it features, in both languages).
PAGE_QUERY = """
import json
from django.apps import apps
from wagtail.models import Locale, Page
from newsletter.models import NewsletterIssuePage
types, search = json.loads(TYPES), json.loads(SEARCH)
pages = []
for label, app, model in types:
    for code in ("en", "bn"):
        page = (apps.get_model(app, model).objects.live().public()
                .filter(locale__language_code=code).order_by("path").first())
        if page:
            pages.append([label, code, page.url])
for code, word in search.items():
    pages.append(["search", code, f"/{code}/search/?q={word}"])
issues = NewsletterIssuePage.objects.live().filter(locale=Locale.get_default())
issue = issues.order_by("-pk").first()
burst = []
def chosen_pages(value):
    # Ids of the pages chosen anywhere in a block's raw value ("page": 12, "pages": [3, 4])
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "page" and isinstance(item, int):
                yield item
            elif key == "pages" and isinstance(item, list):
                yield from (pk for pk in item if isinstance(pk, int))
            else:
                yield from chosen_pages(item)
    elif isinstance(value, list):
        for item in value:
            yield from chosen_pages(item)
if issue:
    featured = Page.objects.filter(pk__in=set(chosen_pages(list(issue.body.raw_data))))
    keys = {issue.translation_key, *featured.values_list("translation_key", flat=True)}
    burst = [p.url for p in Page.objects.live().public().filter(translation_key__in=keys)]
print(json.dumps({"pages": pages, "burst": sorted(burst)}))
"""


def free_port(kind=socket.SOCK_STREAM):
    """A free loopback port, for TCP or (`socket.SOCK_DGRAM`) UDP."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=60):
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
    return response.status, body, dict(response.getheaders())


# Load: wrk when installed, else an asyncio client


def _wrk_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def load_wrk(port, paths, clients, seconds):
    """wrk with `clients` connections; several paths are taken in turn (a Lua script)."""
    command = [WRK, "-t", "2", "-c", str(clients), "-d", f"{seconds:g}s", "--latency"]
    command += ["--timeout", "10s", "-H", "Host: 127.0.0.1"]
    script = None
    if len(paths) > 1:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        listed = ", ".join(json.dumps(p) for p in paths)
        script.write(
            f"local paths = {{{listed}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
        script.close()
        command += ["-s", script.name]
    try:
        out = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{paths[0]}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        if script:
            os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if len(latency) < 2:  # no request finished in time
        print(f"wrk reported no latencies:\n{out}", file=sys.stderr)
        latency = {"50": f"{seconds:g}s", "99": f"{seconds:g}s"}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _wrk_ms(latency["50"]),
        "p99": _wrk_ms(latency["99"]),
        "requests": requests,
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


async def _client(port, paths, deadline, latencies, errors, offset):
    i = offset
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            data = await reader.read()
            writer.close()
            if not data.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
                errors.append(path)
        except OSError:
            errors.append(path)
        latencies.append(time.perf_counter() - start)


def load_asyncio(port, paths, clients, seconds):
    """`clients` connections from one thread, each sending requests back to back."""
    latencies, errors = [], []

    async def run():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(port, paths, deadline, latencies, errors, i) for i in range(clients))
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
    }


def load(port, paths, clients, seconds):
    return (load_wrk if WRK else load_asyncio)(port, paths, clients, seconds)


def warm(port, path, workers):
    """Request `path` on every worker: a short run with one connection per worker and more."""
    status, _, _ = fetch(port, path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    load(port, [path], 2 * int(workers), 1)


# The throw-away site


class Services:
    """The bench's database and cache: created here, removed at the end."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.database = None
        self.redis = None

    def database_url(self):
        name = f"bench_pages_{os.getpid()}"
        try:
            import psycopg

            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as c:
                c.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001 (any failure: fall back to SQLite)
            print(f"PostgreSQL at {POSTGRES} not usable ({exc}); SQLite instead", file=sys.stderr)
            return f"sqlite:///{self.workdir / 'db.sqlite3'}", "SQLite"
        self.database = name
        return f"{POSTGRES}/{name}", "PostgreSQL"

    def redis_url(self):
        url = urlsplit(REDIS_URL)._replace(path=f"/{REDIS_DB}").geturl()
        try:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=2)
            client.flushdb()
        except Exception as exc:  # noqa: BLE001 (any failure: the database cache instead)
            print(f"Redis at {url} not usable ({exc}); the database cache instead", file=sys.stderr)
            return None
        self.redis = client
        return url

    def close(self):
        if self.redis is not None:
            self.redis.flushdb()
        if self.database:
            import psycopg

            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def gunicorn(port, app, env, cwd=ROOT):
    command = [PYTHON, "-m", "gunicorn", "--config", str(ROOT / "website" / "gunicorn.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--pythonpath", str(ROOT), "--no-control-socket"]
    command.append(app)
    env = {
        **env,
        "WEB_CONCURRENCY": WORKERS,
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "off",
        "GUNICORN_MAX_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
    }
    log = (Path(env["VAR_DIR"]) / f"gunicorn-{port}.log").open("w")  # noqa: SIM115
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def varnish(port, backend_port, workdir):
    """Varnish on `port` with the production configuration, in front of gunicorn on
    `backend_port`, as the user running the bench (-j none), in its own working directory."""
    vcl = (ROOT / "deploy" / "varnish" / "betterwork.vcl").read_text()
    config = workdir / "betterwork.vcl"
    config.write_text(vcl.replace('.port = "8000"', f'.port = "{backend_port}"'))
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    command = [varnishd, "-F", "-j", "none", "-n", str(workdir / "varnish")]
    command += ["-a", f"127.0.0.1:{port}", "-f", str(config), "-s", "malloc,256m"]
    log = (workdir / "varnish.log").open("w")  # noqa: SIM115
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def row(label, language, size, rendered, cold, warm_, floor):
    def cells(r):
        return (
            f"{r['rps']:>7.0f} {r['p50']:>6.1f} {r['p99']:>6.1f} {r['rps'] / floor['rps']:>5.2f}"
            + ("!" if r["errors"] else " ")
        )

    return (
        f"{label:<17} {language:<3} {size:>6} | {cells(rendered)} | {cells(cold)} | "
        f"{cells(warm_)} | {floor['rps']:>6.0f}"
    )


def main():
    workdir = Path(tempfile.mkdtemp(prefix="bwb-bench-"))
    services = Services(workdir)
    servers = []
    try:
        database_url, database_name = services.database_url()
        redis_url = services.redis_url()
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
            "TYPES": json.dumps(PAGE_TYPES),
            "SEARCH": json.dumps({code: quote(word) for code, word in SEARCH_WORDS.items()}),
        }
        env.pop("PYTHONPATH", None)
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        manage = [PYTHON, "manage.py"]
        for args in (
            ["compile_catalogues"],
            ["migrate", "-v0"],
            ["createcachetable"],
            ["collectstatic", "--no-input", "-v0"],
            ["load_demo"],
            ["update_index"],
        ):
            subprocess.run(manage + args, cwd=ROOT, env=env, check=True, capture_output=True)
        found = json.loads(
            subprocess.run(
                [
                    *manage,
                    "shell",
                    "-c",
                    "import os; TYPES, SEARCH = os.environ['TYPES'], "
                    "os.environ['SEARCH']\n" + PAGE_QUERY,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        pages, burst_paths = found["pages"], found["burst"]
        if ONLY:
            pages = [page for page in pages if page[0] in ONLY]
            if not pages:
                sys.exit(f"PAGES={os.environ['PAGES']!r} names no page type of {PAGE_TYPES}")

        cold_port, warm_port, floor_port = free_port(), free_port(), free_port()
        rendered_port = free_port()
        servers.append(gunicorn(cold_port, "website.wsgi:application", env))
        servers.append(
            gunicorn(
                rendered_port,
                "website.wsgi:application",
                # Its own key prefix: it must not read the fragments the cold server stores.
                {**env, "PAGE_FRAGMENT_TIMEOUT": "0", "CACHE_KEY_PREFIX": "bwb-rendered"},
            )
        )
        servers.append(varnish(warm_port, cold_port, workdir))
        wait_for(cold_port)
        wait_for(rendered_port)
        wait_for(warm_port)
        sizes = {}
        for _label, _code, path in pages:
            status, body, headers = fetch(cold_port, path)
            if status != 200 or "X-Page-Cache" in headers:
                raise RuntimeError(f"cold server: {path} answered {status} {headers}")
            sizes[path] = len(body)
        floor_bytes = int(statistics.median(sizes.values()))
        servers.append(
            gunicorn(
                floor_port,
                "floor:application",
                {**env, "FLOOR_BYTES": str(floor_bytes)},
                cwd=ROOT / "bench",
            )
        )
        wait_for(floor_port)

        client = "wrk (2 threads)" if WRK else "asyncio client (wrk not installed)"
        print(
            f"Production settings, {database_name}, cache: {'Redis' if redis_url else 'database'}; "
            f"gunicorn {WORKERS} sync workers per server; {CONCURRENCY} clients, {SECONDS:g} s "
            f"per measurement; load from {client}; {os.cpu_count()} CPUs shared by server and "
            "client"
        )
        print(
            "rendered: gunicorn, fragments off; cold: gunicorn, pages from their fragments; "
            "warm: served from Varnish's cache. "
            "x floor: req/s over the floor's, measured again just before each row, since other "
            "work on the machine comes and goes (! marks errors)"
        )
        header = (
            f"{'page':<17} {'':<3} {'bytes':>6} | {'rendered':>7} {'p50':>6} {'p99':>6} {'x':>5}  "
            f"| {'cold':>7} {'p50':>6} {'p99':>6} {'x':>5}  "
            f"| {'warm':>7} {'p50':>6} {'p99':>6} {'x':>5}  | {'floor':>6}"
        )
        units = (
            f"{'':<17} {'':<3} {'':>6} | {'req/s':>7} {'ms':>6} {'ms':>6} {'floor':>5}  "
            f"| {'req/s':>7} {'ms':>6} {'ms':>6} {'floor':>5}  "
            f"| {'req/s':>7} {'ms':>6} {'ms':>6} {'floor':>5}  | {'req/s':>6}"
        )
        warm(floor_port, "/", WORKERS)
        floor = load(floor_port, ["/"], CONCURRENCY, SECONDS)
        print(header)
        print(units)
        print("-" * len(header))
        print(
            f"{'floor (bare Django)':<21} {floor_bytes:>6} | {floor['rps']:>7.0f} "
            f"{floor['p50']:>6.1f} {floor['p99']:>6.1f} {1:>5.2f}"
            + ("!" if floor["errors"] else "")
        )
        results = []
        for label, code, path in pages:
            floor = load(floor_port, ["/"], CONCURRENCY, SECONDS)
            warm(rendered_port, path, WORKERS)
            rendered = load(rendered_port, [path], CONCURRENCY, SECONDS)
            warm(cold_port, path, WORKERS)
            cold = load(cold_port, [path], CONCURRENCY, SECONDS)
            warm(warm_port, path, WORKERS)
            status, _, headers = fetch(warm_port, path)
            if headers.get("X-Page-Cache") != "hit":
                print(f"  warning: {path} not served from Varnish's cache", file=sys.stderr)
            hot = load(warm_port, [path], CONCURRENCY, SECONDS)
            results.append((rendered, cold, hot, floor))
            print(row(label, code, sizes[path], rendered, cold, hot, floor), flush=True)

        rendereds = [r["rps"] / f["rps"] for r, _, _, f in results]
        colds = [c["rps"] / f["rps"] for _, c, _, f in results]
        warms = [w["rps"] / f["rps"] for _, _, w, f in results]
        worst_p99 = max(w["p99"] for _, _, w, _ in results)
        worst_cold_p99 = max(c["p99"] for _, c, _, _ in results)
        print(
            f"rendered: {min(rendereds):.2f}-{max(rendereds):.2f} x floor; "
            f"cold: {min(colds):.2f}-{max(colds):.2f} x floor (target {COLD_TARGET}), "
            f"worst cold p99 {worst_cold_p99:.1f} ms (target < {COLD_P99_MS}); "
            f"warm: {min(warms):.2f}-{max(warms):.2f} x floor (target {WARM_TARGET}), "
            f"worst warm p99 {worst_p99:.1f} ms (target < {WARM_P99_MS})"
        )

        if not BURST_SECONDS:
            return
        for path in burst_paths:
            warm(warm_port, path, WORKERS)
        burst = load(warm_port, burst_paths, BURST_CLIENTS, BURST_SECONDS)
        print(
            f"burst: {BURST_CLIENTS} clients for {BURST_SECONDS:g} s over {len(burst_paths)} "
            f"newsletter pages (issue and featured pages, both languages), warm: "
            f"{burst['requests']} requests, {burst['rps']:.0f} req/s, p50 {burst['p50']:.1f} ms, "
            f"p99 {burst['p99']:.1f} ms, {burst['errors']} errors"
        )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        services.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
