"""The HTTP checks of the production smoke test (.ci/smoke.sh starts the site and calls this).

    python .ci/smoke.py pages PORT HOST      # every page type in both languages, cache, headers
    python .ci/smoke.py publish PORT HOST    # a change published from the shell is served
    python .ci/smoke.py varnish PORT HOST    # Varnish's cache key and PURGE
    python .ci/smoke.py compare URL_A URL_B  # two databases hold the same site (backup/restore)

Talks to gunicorn on 127.0.0.1:PORT as the load balancer would: Host set, X-Forwarded-Proto: https.
Runs manage.py in the environment it was given (production settings). Standard library only.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")

PAGES = """
import json
from django.apps import apps
from wagtail.models import Locale
out = []
for code in ("en", "bn"):
    locale = Locale.objects.get(language_code=code)
    for label, model in [
        ("home", "website.HomePage"), ("news index", "stories.NewsIndexPage"),
        ("news article", "stories.NewsPage"), ("stories index", "stories.StoriesIndexPage"),
        ("story", "stories.StoryPage"), ("events index", "events.EventIndexPage"),
        ("event", "events.EventPage"), ("newsletter archive", "newsletter.NewsletterArchivePage"),
        ("newsletter issue", "newsletter.NewsletterIssuePage"),
    ]:
        page = apps.get_model(model).objects.live().filter(locale=locale).first()
        out.append([code, label, page.url])
    out.append([code, "news feed", f"/{code}/news/feed/rss/"])
    out.append([code, "search", f"/{code}/search/?q=garment"])
    out.append([code, "subscribe", f"/{code}/newsletter/subscribe/"])

from django.urls import reverse
from django.utils import translation
from newsletter.models import Subscriber
from newsletter.tokens import link_token
subscriber, _ = Subscriber.objects.get_or_create(
    email="smoke-test@example.org", defaults={"language": "en", "status": "subscribed"}
)
with translation.override("en"):
    personal = reverse("newsletter:preferences", args=[link_token(subscriber)])
print(json.dumps({"pages": out, "personal": personal}))
"""

PUBLISH = """
import json, os, time
from django.db import transaction
from stories.models import NewsPage
page = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date").first()
page.title = os.environ["SMOKE_TITLE"]
committed = []
with transaction.atomic():
    transaction.on_commit(lambda: committed.append(time.time()))  # the first to run on commit
    page.save_revision().publish()
print(json.dumps({"url": page.url, "committed": committed[0], "purged": time.time()}))
"""

UNPUBLISH = """
import os
from stories.models import NewsPage
page = NewsPage.objects.get(title=os.environ["SMOKE_TITLE"])
page.unpublish()
"""

SUMMARY = """
import json
from pathlib import Path
from django.conf import settings
from wagtail.models import Page
from newsletter.models import Subscriber
print(json.dumps({
    "pages": sorted(Page.objects.values_list("url_path", "title", "live")),
    "subscribers": Subscriber.objects.count(),
    "media": sorted(str(p.relative_to(settings.MEDIA_ROOT))
                    for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
}))
"""

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PUBLIC = "public, max-age=60, s-maxage=600, stale-while-revalidate=60"

checks = {"passed": 0, "failed": 0}


def check(ok, what):
    """Count and print one check; keep going so that one run shows every failure."""
    checks["passed" if ok else "failed"] += 1
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    return ok


def manage_shell(code, env=None):
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


class Site:
    def __init__(self, port, host):
        self.port, self.host = int(port), host

    def get(self, path, https=True, headers=None, method="GET"):
        """(status, headers as a case-insensitive message, body as text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": self.host, **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        conn.request(method, path, headers=sent)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, response.headers, body.decode("utf-8", "replace")


def private(headers):
    value = headers.get("Cache-Control", "")
    return "private" in value and "no-store" in value and "public" not in value


def check_pages(site):
    found = json.loads(manage_shell(PAGES))
    pages = found["pages"]
    print(f"Pages: {len(pages)} (each page type in both languages)")
    for code, label, path in pages:
        status, headers, body = site.get(path)
        what = f"{label} ({code}) {path}"
        if not check(status == 200, f"{what}: 200 (got {status})"):
            continue
        for name, value in SECURITY_HEADERS.items():
            check(headers.get(name) == value, f"{what}: {name}: {headers.get(name)}")
        check(headers.get("Cache-Control") == PUBLIC, f"{what}: {headers.get('Cache-Control')}")
        check("Set-Cookie" not in headers and "Vary" not in headers, f"{what}: no cookie, no Vary")
        check(headers.get("Content-Language") == code, f"{what}: Content-Language {code}")
        if "feed" not in label:
            check(f'<html lang="{code}"' in body, f'{what}: <html lang="{code}">')
        status, again, _ = site.get(path)
        check(
            status == 200 and again.get("X-Page-Cache") == "hit" and again.get("Age") is not None,
            f"{what}: second request from the page cache (X-Page-Cache: "
            f"{again.get('X-Page-Cache')}, Age: {again.get('Age')})",
        )
        if label == "home":
            stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
            if check(stylesheet, f"{what}: stylesheet with a hashed name"):
                status, static, _ = site.get(
                    stylesheet.group(1), headers={"Accept-Encoding": "gzip"}
                )
                check(
                    status == 200
                    and "immutable" in static.get("Cache-Control", "")
                    and static.get("Content-Encoding") == "gzip",
                    f"static {stylesheet.group(1)}: {status}, {static.get('Cache-Control')}, "
                    f"{static.get('Content-Encoding')} (WhiteNoise)",
                )

    print("Never cached")
    status, headers, _ = site.get("/en/", https=False)
    check(
        status == 301 and headers.get("Location", "").startswith("https://"),
        f"http:// is redirected to https:// ({status} {headers.get('Location')})",
    )
    status, headers, _ = site.get("/", headers={"Accept-Language": "bn"})
    check(
        status == 302 and headers.get("Location") == "/bn/" and private(headers),
        f"/ language redirect: {status} to {headers.get('Location')}, "
        f"{headers.get('Cache-Control')}",
    )
    status, headers, _ = site.get("/bn/?language=bn")
    check(
        status == 302 and "language=bn" in headers.get("Set-Cookie", "") and private(headers),
        f"language choice redirect: {status}, sets the cookie, {headers.get('Cache-Control')}",
    )
    for path in ["/admin/login/", "/admin/"]:
        status, headers, _ = site.get(path)
        check(
            status in (200, 302) and private(headers) and "X-Page-Cache" not in headers,
            f"{path}: {status}, {headers.get('Cache-Control')}",
        )
    for _ in range(2):
        status, headers, _ = site.get("/en/", headers={"Cookie": "sessionid=someone"})
        check(
            status == 200 and private(headers) and "X-Page-Cache" not in headers,
            f"/en/ with a session cookie: {headers.get('Cache-Control')}, never the cached copy",
        )
    personal = found["personal"]
    for _ in range(2):
        status, headers, _ = site.get(personal)
        check(
            status == 200 and private(headers) and "X-Page-Cache" not in headers,
            f"subscriber preferences page: {status}, {headers.get('Cache-Control')}",
        )
    status, headers, body = site.get("/healthz", https=False, headers={"Host": "10.0.0.7:8000"})
    check(
        status == 200 and json.loads(body)["status"] == "ok" and private(headers),
        f"/healthz by address over http: {status} {body}",
    )


def check_publish(site):
    title = f"Smoke test {os.getpid()} {time.time():.0f}"
    print(f"Publish from another process: {title!r}")
    env = {**os.environ, "SMOKE_TITLE": title}
    # Visitors keep asking for the news listing through Varnish while another process publishes:
    # how long after the commit does the listing still lack the new title?
    seen, stop = [], threading.Event()

    def poll():
        while not stop.is_set():
            asked = time.time()
            _, _, body = site.get("/en/news/")
            seen.append((asked, title in body))

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        published = json.loads(manage_shell(PUBLISH, env=env))
        time.sleep(0.5)
    finally:
        stop.set()
        poller.join()
    path = published["url"]
    stale = [asked for asked, fresh in seen if not fresh and asked >= published["committed"]]
    stale_ms = (max(stale) - published["committed"]) * 1000 if stale else 0.0
    print(
        f"Stale after publish: {stale_ms:.0f} ms (commit to purge done in the publishing process: "
        f"{(published['purged'] - published['committed']) * 1000:.0f} ms; {len(seen)} requests)"
    )
    check(stale_ms < 1000, f"the listing is fresh within 1 s of the commit ({stale_ms:.0f} ms)")
    check(any(fresh for _, fresh in seen), "the new title was seen while polling")
    index = path.rstrip("/").rsplit("/", 1)[0] + "/"
    for url in (path, index):
        status, headers, body = site.get(url)
        # The listing was asked for again since the purge (by the poller): stored anew by then.
        stored = headers.get("X-Page-Cache") == "miss" or (url == index and stale_ms < 1000)
        check(
            status == 200 and title in body and stored,
            f"{url}: the new title on the next request ({status}, X-Page-Cache: "
            f"{headers.get('X-Page-Cache')})",
        )
    manage_shell(UNPUBLISH, env=env)
    status, _, _ = site.get(path)
    check(status == 404, f"unpublished: {path} answers 404 (got {status})")
    _, _, body = site.get(index)
    check(title not in body, f"unpublished: gone from {index}")


CAFE = """
from stories.models import NewsIndexPage, NewsPage
index = NewsIndexPage.objects.get(locale__language_code="en")
cafe = NewsPage.objects.filter(slug="café-opening").first()
if cafe is None:
    article = NewsPage.objects.live().child_of(index).first()
    cafe = article.copy(update_attrs={"slug": "café-opening", "title": "Café opening"})
    cafe.save_revision().publish()
print(cafe.url)
"""


def check_non_latin_paths(site):
    """Paths with Bangla, accented and emoji characters answer through gunicorn (and Varnish) as
    in development: never an empty 500, the same status for HEAD as for GET."""
    print("Non-Latin paths")
    cafe = manage_shell(CAFE)
    expected = {
        "/en/news/caf%C3%A9-opening/": 200,
        "/en/newsletter/confirm/%E0%A6%AC/": None,  # a broken link: a page that says so
        "/bn/%E0%A6%AC%E0%A6%BE%E0%A6%82%E0%A6%B2%E0%A6%BE/": 404,
        "/en/news/%F0%9F%98%80/": 404,
    }
    check(cafe == "/en/news/caf%C3%A9-opening/", f"a page with the slug café-opening: {cafe}")
    for path, status in expected.items():
        got, _, body = site.get(path)
        head, _, _ = site.get(path, method="HEAD")
        check(
            got < 500 and (status is None or got == status) and "<html" in body and head == got,
            f"{path}: GET {got} with a page, HEAD {head}",
        )


def check_varnish(site):
    print("Varnish: cache key, purge")
    site.get("/en/news/")
    status, headers, _ = site.get("/en/news/?utm_source=mail&fbclid=x")
    check(
        status == 200 and headers.get("X-Page-Cache") == "hit",
        f"/en/news/ with unknown query parameters: the stored page ({headers.get('X-Page-Cache')})",
    )
    site.get("/en/news/?page=2")
    status, headers, _ = site.get("/en/news/?utm_source=mail&page=2")
    check(
        status == 200 and headers.get("X-Page-Cache") == "hit",
        f"/en/news/?page=2 with an unknown one: page 2 stored ({headers.get('X-Page-Cache')})",
    )
    status, _, _ = site.get("/en/news/", method="PURGE")
    check(status == 200, f"PURGE from the application's address: {status}")
    _, headers, _ = site.get("/en/news/?page=2")
    check(headers.get("X-Page-Cache") == "miss", "a purged path: every query string purged")


def compare(url_a, url_b):
    """Both databases (and their MEDIA_ROOTs: MEDIA_ROOT_A, MEDIA_ROOT_B) hold the same site."""
    envs = [
        {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": os.environ[media]}
        for url, media in ((url_a, "MEDIA_ROOT_A"), (url_b, "MEDIA_ROOT_B"))
    ]
    with ThreadPoolExecutor(2) as pool:
        a, b = (json.loads(out) for out in pool.map(lambda env: manage_shell(SUMMARY, env), envs))
    check(a["pages"] == b["pages"] and len(a["pages"]) > 20, f"restored: {len(b['pages'])} pages")
    check(a["subscribers"] == b["subscribers"], f"restored: {b['subscribers']} subscribers")
    check(a["media"] == b["media"] and a["media"], f"restored: {len(b['media'])} media files")


def main(command, *args):
    if command == "pages":
        check_pages(Site(*args))
    elif command == "publish":
        check_publish(Site(*args))
    elif command == "varnish":
        check_varnish(Site(*args))
        check_non_latin_paths(Site(*args))
    elif command == "compare":
        compare(*args)
    else:
        sys.exit(f"unknown command {command}")
    print(f"{command}: {checks['passed']} passed, {checks['failed']} failed")
    if os.environ.get("SMOKE_TALLY"):  # smoke.sh adds up the runs for its closing line
        with open(os.environ["SMOKE_TALLY"], "a") as tally:
            tally.write(f"{checks['passed']} {checks['failed']}\n")
    sys.exit(1 if checks["failed"] else 0)


if __name__ == "__main__":
    main(*sys.argv[1:])
