"""Production: deploy checks, cache headers and purging, the health endpoint, logs, the docs.

Purges are recorded by a frontend_cache backend standing in for the HTTP cache (`purged`);
publishing runs the purges that wait for the transaction's commit.
"""

import importlib
import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connections
from django.test import Client, RequestFactory
from wagtail.models import Locale, PageViewRestriction

from events.models import EventIndexPage, EventPage
from newsletter.models import NewsletterArchivePage, NewsletterIssuePage, Status, Subscriber
from newsletter.tokens import confirmation_token, link_token
from stories.models import NewsIndexPage, NewsPage, StoriesIndexPage, StoryPage
from tests.conftest import RecordingBackend
from website.logs import JSONFormatter
from website.models import CustomImage, HomePage, SiteText
from website.proxies import client_address

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789abcdef",
    "ALLOWED_HOSTS": "betterwork.example.org",
    "DATABASE_URL": "postgres://bw@127.0.0.1:5432/bw",
    "BASE_URL": "https://betterwork.example.org",
}
PUBLIC = "public, max-age=0, s-maxage=600, stale-while-revalidate=60"


def private(response):
    value = response.get("Cache-Control", "")
    return "private" in value and "no-store" in value and "public" not in value


# Production settings


def run_production(code, **env):
    """Run `code` after django.setup() with production settings (and `env`), in a fresh
    interpreter."""
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="website.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warning():
    """`manage.py check --deploy` with production settings, as CI and the docs run it."""
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="website.settings.production")
    environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"

    def check(**env):
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env={**environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    # The sender's domain must be the organisation's own (never example.org), aligned with
    # BASE_URL's: a reserved .test domain stands for it here.
    own = {
        "BASE_URL": "https://betterwork.test",
        "ALLOWED_HOSTS": "betterwork.test",
        "DEFAULT_FROM_EMAIL": "Better Work Bangladesh <newsletter@betterwork.test>",
    }
    result = check(**own)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    placeholder = check()
    assert placeholder.returncode != 0
    assert "newsletter.E101" in placeholder.stderr + placeholder.stdout


@pytest.fixture
def production(monkeypatch):
    """Import website.settings.production with PRODUCTION_ENV plus `env` (None unsets)."""

    def load(**env):
        for name in ("REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "CLOUDFLARE_ZONE_ID"):
            monkeypatch.delenv(name, raising=False)
        for name, value in {**PRODUCTION_ENV, **env}.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        sys.modules.pop("website.settings.production", None)
        return importlib.import_module("website.settings.production")

    yield load
    sys.modules.pop("website.settings.production", None)


def test_production_security_static_files_search_and_logs(production):
    s = production(DATABASE_URL="postgres://bw@db.internal:5432/bw")
    assert s.SECURE_SSL_REDIRECT and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s.SECURE_HSTS_SECONDS == 31536000 and s.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert s.CSRF_TRUSTED_ORIGINS == ["https://betterwork.example.org"]
    assert s.ALLOWED_HOSTS == ["betterwork.example.org"]
    security = s.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert s.MIDDLEWARE[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert s.MIDDLEWARE[0] == "website.health.HealthCheckMiddleware"
    assert s.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert s.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert s.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert s.PAGE_CACHE_MAX_AGE == 60 and s.PAGE_CACHE_S_MAXAGE == 600


def test_database_connections_are_kept_open_and_checked(production):
    s = production()
    assert s.DATABASES["default"]["CONN_MAX_AGE"] == 60
    assert s.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert s.DATABASES["default"]["NAME"] == "bw"
    s = production(CONN_MAX_AGE="0")
    assert s.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_sqlite_keeps_the_generic_search_backend():
    from website.settings.base import search_backend_for

    assert search_backend_for({"ENGINE": "django.db.backends.sqlite3"}) == (
        "wagtail.search.backends.database"
    )


def test_cache_is_redis_with_redis_url_else_the_database(production):
    s = production()
    assert s.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert s.CACHES["default"]["LOCATION"] == "django_cache"
    s = production(REDIS_URL="redis://cache.internal:6379/2")
    assert s.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert s.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/2"


REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

CACHE_ROUND_TRIP = """
import json
from django.core.cache import cache, caches
from website import cache as page_cache
cache.clear()
cache.set_many({"a": 1, "b": [2, "৩"]}, timeout=None)
added = [cache.add("a", 5), cache.add("c", 7)]
versions = page_cache.fragment_versions()
page_cache.renew_fragments(site_wide=True)
renewed = page_cache.fragment_versions()
print(json.dumps({
    "backend": type(caches["default"]).__module__,
    "many": cache.get_many(["a", "b", "c", "missing"]),
    "added": added,
    "computed": cache.get_or_set("d", lambda: {"x": 1}, 60),
    "incr": cache.incr("a"),
    "renewed": renewed["page"] != versions["page"] and renewed["card"] != versions["card"],
}))
cache.clear()
"""


def test_the_redis_cache_keeps_what_the_site_stores_in_it():
    """The production cache against a real Redis (the CI machine's, database 14): the calls the
    fragments, routes and rate limits make."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL} (CI has one)")
    result = run_production(CACHE_ROUND_TRIP, REDIS_URL=REDIS_TEST_URL, CACHE_KEY_PREFIX="bwb-test")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "django_redis.cache"
    assert out["many"] == {"a": 1, "b": [2, "৩"], "c": 7}
    assert out["added"] == [False, True]
    assert out["computed"] == {"x": 1}
    assert out["incr"] == 2
    assert out["renewed"] is True


def test_cdn_backends_come_from_the_environment(production):
    s = production()
    assert s.WAGTAILFRONTENDCACHE == {}
    s = production(
        CLOUDFLARE_ZONE_ID="zone", CLOUDFLARE_API_TOKEN="token", FRONTEND_CACHE_PURGE_URL="http://v"
    )
    cloudflare = s.WAGTAILFRONTENDCACHE["cloudflare"]
    assert cloudflare["BACKEND"].endswith("CloudflareBackend")
    assert (cloudflare["ZONEID"], cloudflare["BEARER_TOKEN"]) == ("zone", "token")
    assert cloudflare["HOSTNAMES"] == ["betterwork.example.org"]
    assert s.WAGTAILFRONTENDCACHE["proxy"]["LOCATION"] == "http://v"


def test_s3_media_needs_django_storages(production):
    if importlib.util.find_spec("storages"):
        s = production(AWS_STORAGE_BUCKET_NAME="media", AWS_S3_ENDPOINT_URL="https://s3.example")
        assert s.STORAGES["default"]["OPTIONS"]["bucket_name"] == "media"
    else:
        with pytest.raises(ImproperlyConfigured, match="django-storages is not installed"):
            production(AWS_STORAGE_BUCKET_NAME="media")


def test_production_logs_json_and_searches_with_postgresql():
    result = run_production(
        "import logging; logging.getLogger('website.cache').info('purged %s', 3); "
        "logging.getLogger('website').error('failed', exc_info=ValueError('x')); "
        "from django.conf import settings; print(settings.WAGTAILSEARCH_BACKENDS['default'])"
    )
    assert result.returncode == 0, result.stderr
    assert "wagtail.search.backends.database.postgres.postgres" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines[0]["message"] == "purged 3" and lines[0]["level"] == "INFO"
    assert lines[0]["logger"] == "website.cache" and "time" in lines[0]
    assert "ValueError: x" in lines[1]["exception"]


def test_gunicorn_access_lines_carry_the_request_fields():
    atoms = {"m": "GET", "U": "/en/", "q": "", "s": "200", "B": 1234, "M": 5, "h": "127.0.0.1"}
    atoms.update({"a": 'Mozilla \\"x\\"', "f": "-", "{x-page-cache}o": "hit"})

    class Atoms(dict):  # gunicorn's SafeAtoms: "-" for what is missing
        def __getitem__(self, key):
            return super().get(key, "-")

    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(m)s %(U)s", None, None)
    record.args = Atoms(atoms)
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "GET /en/"
    assert line["status"] == "200" and line["duration_ms"] == 5 and line["page_cache"] == "hit"
    assert line["user_agent"] == 'Mozilla "x"' and "referer" not in line and "query" not in line


def test_gunicorn_configuration():
    config = {}
    exec((ROOT / "website" / "gunicorn.py").read_text(), config)  # noqa: S102 (our own file)
    assert config["bind"] == ["127.0.0.1:8000"] and config["workers"] >= 3
    assert config["accesslog"] == "-" and config["forwarded_allow_ips"] == "127.0.0.1,::1"
    handlers = config["logconfig_dict"]["handlers"]
    assert {handler["formatter"] for handler in handlers.values()} == {"json"}
    assert "logger_class" not in config


def test_gunicorn_access_log_off_builds_no_access_lines(monkeypatch):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "off")
    config = {}
    exec((ROOT / "website" / "gunicorn.py").read_text(), config)  # noqa: S102 (our own file)
    cfg = Config()
    for name in ("accesslog", "logconfig_dict", "logger_class"):
        cfg.set(name, config[name])
    loggers = {}
    for cls in (Logger, cfg.logger_class):  # without their setup(): it would configure logging
        loggers[cls] = cls.__new__(cls)
        loggers[cls].cfg = cfg
    assert loggers[Logger].access_log_enabled  # gunicorn's own: on whenever logging is configured
    assert cfg.logger_class is not Logger and not loggers[cfg.logger_class].access_log_enabled


# Cache headers


def pages_of_each_kind(locale):
    kinds = [
        HomePage,
        NewsIndexPage,
        NewsPage,
        StoriesIndexPage,
        StoryPage,
        EventIndexPage,
        EventPage,
        NewsletterArchivePage,
        NewsletterIssuePage,
    ]
    urls = [kind.objects.live().filter(locale=locale).first().url for kind in kinds]
    code = locale.language_code
    return [
        *urls,
        f"/{code}/news/feed/rss/",
        f"/{code}/events/ical/",
        f"/{code}/search/?q=garment",
        f"/{code}/newsletter/subscribe/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "bn"])
def test_public_pages_are_cacheable_by_shared_caches(demo, language):
    client = Client()
    for url in pages_of_each_kind(Locale.objects.get(language_code=language)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PUBLIC, url
        assert not response.has_header("Vary") and not response.cookies, url


@pytest.mark.django_db
def test_language_redirects_are_never_cached(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="bn")
    root = client.get("/")
    assert root.status_code == 302 and root["Location"] == "/bn/" and private(root)
    chosen = client.get("/bn/news/?language=bn")
    assert chosen.status_code == 302 and chosen.cookies["language"].value == "bn"
    assert private(chosen)
    assert private(client.get("/bn/news/?language=bn"))


@pytest.mark.django_db
def test_editors_pages_are_never_public(demo, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    client = Client()
    client.force_login(editor)
    response = client.get("/en/")
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert b"wagtail-userbar" in response.content or b"w-userbar" in response.content
    anonymous = Client().get("/en/")
    assert anonymous["Cache-Control"] == PUBLIC and b"userbar" not in anonymous.content


@pytest.mark.django_db
def test_admin_and_previews_are_never_cached(demo, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    assert private(Client().get("/admin/login/"))
    client = Client()
    client.force_login(editor)
    article = NewsPage.objects.live().first()
    for url in [
        "/admin/",
        f"/admin/pages/{article.pk}/edit/",
        f"/admin/pages/{article.pk}/view_draft/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert private(response), url


@pytest.mark.django_db
def test_personal_newsletter_pages_are_never_cached(demo):
    subscriber = Subscriber.objects.create(
        email="rina@example.org", source="form", language="en", status=Status.PENDING
    )
    client = Client()
    urls = [
        f"/en/newsletter/confirm/{confirmation_token(subscriber)}/",
        f"/en/newsletter/unsubscribe/{link_token(subscriber)}/",
        f"/en/newsletter/preferences/{link_token(subscriber)}/",
        "/en/newsletter/preferences/not-a-token/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 400), url
        assert private(response), url


@pytest.mark.django_db
def test_restricted_pages_and_posts_are_never_cached(demo):
    article = NewsPage.objects.live().filter(locale__language_code="en").first()
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    client = Client()
    response = client.get(article.url)
    assert response.status_code == 200 and private(response)
    posted = client.post("/en/newsletter/subscribe/", {"email": "x"})
    assert "public" not in posted["Cache-Control"]


# Purging through wagtail.contrib.frontend_cache


def publish(page, django_capture_on_commit_callbacks, **changes):
    for field, value in changes.items():
        setattr(page, field, value)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


@pytest.mark.django_db
def test_publishing_purges_the_page_and_the_pages_that_list_it(
    demo, purged, django_capture_on_commit_callbacks
):
    article = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date")[0]
    index = article.get_parent()
    bangla = article.get_translation(Locale.objects.get(language_code="bn"))
    publish(article, django_capture_on_commit_callbacks, title="Factories elect safety committees")
    paths = purged()
    # the page, its index, the home pages, its translation, the feed, the newsletter archive
    for url in [article.url, index.url, "/en/", "/bn/", bangla.url, f"{index.url}feed/rss/"]:
        assert url in paths, url
    assert "/en/newsletter/" in paths  # contributed by the newsletter app (its wagtail_hooks)
    assert "/en/events/" not in paths  # unrelated
    assert "Factories elect safety committees" in Client().get(index.url).content.decode()


@pytest.mark.django_db
def test_unpublishing_purges_the_page_and_its_listing(
    demo, purged, django_capture_on_commit_callbacks
):
    article = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date")[0]
    index_url = article.get_parent().url
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert article.url in purged() and index_url in purged()
    client = Client()
    assert client.get(article.url).status_code == 404
    assert article.title not in client.get(index_url).content.decode()


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "secret"},
        {"restriction_type": PageViewRestriction.LOGIN},
    ],
)
@pytest.mark.django_db
def test_a_page_made_private_is_purged_with_its_listing_and_again_when_public(
    demo, purged, django_capture_on_commit_callbacks, restriction
):
    article = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date")[0]
    index_url = article.get_parent().url
    with django_capture_on_commit_callbacks(execute=True):
        made_private = PageViewRestriction.objects.create(page=article, **restriction)
    assert article.url in purged() and index_url in purged() and "/en/" in purged()
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        made_private.delete()
    assert article.url in purged() and index_url in purged()


@pytest.mark.django_db
def test_a_section_made_private_purges_the_pages_under_it(
    demo, purged, django_capture_on_commit_callbacks
):
    index = NewsIndexPage.objects.live().filter(locale__language_code="en").first()
    article = NewsPage.objects.live().child_of(index).first()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=index, restriction_type="login")
    assert index.url in purged() and article.url in purged()


@pytest.mark.django_db
def test_publishing_a_translation_purges_both_languages(
    demo, purged, django_capture_on_commit_callbacks
):
    story = StoryPage.objects.live().filter(locale__language_code="bn").first()
    english = story.get_translation(Locale.get_default())
    publish(story, django_capture_on_commit_callbacks, title="নতুন শিরোনাম")
    for url in (story.url, english.url, "/bn/", "/en/"):
        assert url in purged(), url
    assert "নতুন শিরোনাম" in Client().get(story.url).content.decode()


@pytest.mark.django_db
def test_site_wide_texts_purge_every_page(demo, purged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SiteText.objects.first().save()
    for url in ("/en/", "/bn/events/", "/bn/news/feed/rss/"):
        assert url in purged(), url


@pytest.mark.django_db
def test_an_image_hash_filled_in_while_rendering_purges_nothing(
    demo, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        CustomImage.objects.first().save(update_fields=["file_hash"])
    assert purged() == []
    with django_capture_on_commit_callbacks(execute=True):
        CustomImage.objects.first().save()  # edited in the admin: shown on pages
    assert "/en/" in purged()


@pytest.mark.django_db
def test_purges_of_one_transaction_are_sent_once(demo, purged, django_capture_on_commit_callbacks):
    event = EventPage.objects.live().filter(locale__language_code="en").first()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
        event.save_revision().publish()  # twice in one transaction: purged once
    paths = sorted(set(purged()))
    assert len(paths) == len(RecordingBackend.purged)
    bangla_path = event.url.replace("/en/", "/bn/", 1)
    for path in [event.url, f"{event.url}ical/", "/en/events/", "/en/events/ical/", "/en/", "/bn/"]:
        assert path in paths
    assert bangla_path in paths and "/en/newsletter/" in paths


@pytest.mark.django_db
def test_many_urls_are_purged_by_the_purge_task(
    demo, purged, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from website import cache as page_cache

    monkeypatch.setattr(page_cache, "IMMEDIATE_PURGE_URLS", 3)
    enqueued = []
    monkeypatch.setattr(
        page_cache.PurgeBatch, "purge", lambda batch, *a, **kw: enqueued.append(batch.urls)
    )
    with django_capture_on_commit_callbacks(execute=True):
        SiteText.objects.first().save()
    assert purged() == [] and len(enqueued) == 1 and len(enqueued[0]) > 3


# Health


@pytest.mark.django_db
def test_health_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and private(response)
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


@pytest.mark.django_db
def test_health_reports_a_broken_database_as_unhealthy(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": ANY_MS}
    assert body["checks"]["cache"]["ok"]
    assert "10.0.0.5" not in response.content.decode()  # the detail goes to the log only


class _AnyMs:
    def __eq__(self, other):
        return isinstance(other, int | float)


ANY_MS = _AnyMs()


@pytest.mark.django_db
def test_health_reports_a_broken_cache_as_unhealthy(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["error"] == "ConnectionError"


@pytest.mark.django_db
def test_health_answers_load_balancers_by_address_over_http(settings):
    settings.ALLOWED_HOSTS = ["betterwork.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.0.0.7:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/").status_code == 400  # everything else checks the host
    assert client.post("/healthz").status_code == 405


# Client addresses behind proxies


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client wrote the first one
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# The deployment guide is what CI runs


def test_every_command_in_the_deployment_guide_is_run_by_the_smoke_test():
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        doc_blocks = importlib.import_module("doc_blocks")
    finally:
        sys.path.pop(0)
    text = (ROOT / "docs" / "deployment.md").read_text()
    smoke = (ROOT / ".ci" / "smoke.sh").read_text()
    names = list(doc_blocks.blocks(text))
    assert doc_blocks.unmarked_shell_blocks(text) == 0
    assert {"install", "release", "backup", "restore", "health"} <= set(names)
    for name in names:
        assert f"doc_block {name}" in smoke or f'block \\"{name}\\"' in smoke, name
    run = (ROOT / ".ci" / "run").read_text()
    assert "bash .ci/smoke.sh" in run


def test_procfile_and_systemd_units_run_the_same_commands():
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    units = ROOT / "deploy" / "systemd"

    def exec_start(name):
        line = re.search(r"^ExecStart=(.*)$", (units / name).read_text(), re.MULTILINE)
        return line.group(1).replace("/srv/betterwork/", "")

    assert exec_start("betterwork-web.service") == procfile["web"]
    assert exec_start("betterwork-worker@.service") == procfile["worker"]
    assert exec_start("betterwork-publish.service") in procfile["scheduler"]


# Paths in any script, through the WSGI application production servers load


def wsgi_get(path, method="GET"):
    """(status, body) of `path` from website.wsgi.application, with the environ gunicorn builds:
    PATH_INFO percent-decoded, its UTF-8 bytes as ISO-8859-1 (PEP 3333)."""
    from urllib.parse import unquote_to_bytes

    from website.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"] = int(status.split()[0])

    # As Django's test client: the test's transaction stays open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], body


@pytest.mark.django_db
def test_non_latin_paths_answer_as_in_development(demo):
    index = NewsIndexPage.objects.get(locale=demo.locale)
    article = NewsPage.objects.live().child_of(index).first()
    article.copy(update_attrs={"slug": "café-opening", "title": "Café opening"})
    cafe = NewsPage.objects.get(slug="café-opening")
    cafe.save_revision().publish()
    paths = [
        "/en/news/caf%C3%A9-opening/",
        "/en/newsletter/confirm/%E0%A6%AC/",
        "/bn/%E0%A6%AC%E0%A6%BE%E0%A6%82%E0%A6%B2%E0%A6%BE/",
        "/en/news/%F0%9F%98%80/",
    ]
    for path in paths:
        expected = Client().get(path)
        status, body = wsgi_get(path)
        assert status == expected.status_code, path
        assert body and body == expected.content, path
        assert wsgi_get(path, "HEAD")[0] == expected.status_code, path
    assert wsgi_get(paths[0])[0] == 200


# Headers and settings found when attacking the site


def test_production_refuses_a_short_secret_key(production):
    with pytest.raises(ImproperlyConfigured, match="50 characters"):
        production(SECRET_KEY="x" * 49)
    assert len(production(SECRET_KEY="x" * 50).SECRET_KEY) == 50


@pytest.mark.django_db
def test_language_cookie_is_samesite_and_pages_carry_a_permissions_policy(demo):
    chosen = Client().get("/bn/news/?language=bn")
    assert chosen.cookies["language"]["samesite"] == "Lax"
    for url in ("/en/", "/bn/news/", "/admin/login/"):
        policy = Client().get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, url


def test_content_security_policy_is_strict_on_the_site_and_allows_the_admins_inline_scripts(demo):
    """Public pages run scripts only from files; the admin (and its previews) also runs Wagtail's
    inline widget scripts. The browser test checks both work without a violation."""
    for url in ("/en/", "/bn/news/", "/en/newsletter/subscribe/"):
        policy = Client().get(url)["Content-Security-Policy"]
        scripts = policy.split("script-src")[1].split(";")[0]
        assert scripts == " 'self'", url
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy, url
    admin = Client().get("/admin/login/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin
