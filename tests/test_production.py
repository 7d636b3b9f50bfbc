"""Production: deploy checks, page caching and its purging, the health endpoint, logs, the docs.

The page cache tests turn the server-side cache on (`page_cache` fixture) and read pages as an
anonymous visitor would; publishing runs the purges that wait for the transaction's commit.
"""

import importlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from wagtail.models import Locale, PageViewRestriction

from events.models import EventIndexPage, EventPage
from newsletter.models import NewsletterArchivePage, NewsletterIssuePage, Status, Subscriber
from newsletter.ratelimit import client_address
from newsletter.tokens import confirmation_token, link_token
from stories.models import NewsIndexPage, NewsPage, StoriesIndexPage, StoryPage
from website.cache import PagePurge
from website.logs import JSONFormatter
from website.models import CustomImage, HomePage, SiteText

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


def run_production(code):
    """Run `code` after django.setup() with production settings, in a fresh interpreter."""
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="website.settings.production")
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
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


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
    assert s.PAGE_CACHE_SERVER and s.PAGE_CACHE_MAX_AGE == 60 and s.PAGE_CACHE_S_MAXAGE == 600


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
    assert s.CACHES["default"]["BACKEND"] == "website.cache_backends.RedisCache"
    assert s.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/2"


def test_redis_cache_builds_one_client_per_connection_pool():
    """Django builds a Redis client per cache operation; ours keeps one (no server needed)."""
    from website.cache_backends import RedisCache

    backend = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {"socket_connect_timeout": 1}})
    client = backend._cache.get_client()
    assert backend._cache.get_client() is client
    assert backend._cache.get_client(write=True) is client  # one server: one pool


def test_cdn_backends_come_from_the_environment(production):
    s = production()
    assert s.WAGTAILFRONTENDCACHE == {"pages": {"BACKEND": "website.cache.PageCacheBackend"}}
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


# Page caching


@pytest.fixture
def page_cache(settings):
    """The server-side page cache on, and empty."""
    settings.PAGE_CACHE_SERVER = True
    cache.clear()
    yield
    cache.clear()


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
def test_public_pages_are_cacheable_and_served_from_the_page_cache(demo, page_cache, language):
    client = Client()
    for url in pages_of_each_kind(Locale.objects.get(language_code=language)):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Cache-Control"] == PUBLIC, url
        assert not first.has_header("Vary") and not first.cookies, url
        assert first["X-Page-Cache"] == "miss"
        second = client.get(url)
        assert second["X-Page-Cache"] == "hit", url
        assert second["Cache-Control"] == PUBLIC and second.has_header("Age")
        assert second.content == first.content


@pytest.mark.django_db
def test_query_strings_and_languages_are_cached_apart(demo, page_cache):
    client = Client()
    client.get("/en/news/")
    assert client.get("/en/news/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/bn/news/")["X-Page-Cache"] == "miss"
    assert client.get("/en/news/")["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_language_redirects_are_never_cached(demo, page_cache):
    client = Client(HTTP_ACCEPT_LANGUAGE="bn")
    root = client.get("/")
    assert root.status_code == 302 and root["Location"] == "/bn/" and private(root)
    chosen = client.get("/bn/news/?language=bn")
    assert chosen.status_code == 302 and chosen.cookies["language"].value == "bn"
    assert private(chosen) and not chosen.has_header("X-Page-Cache")
    assert private(client.get("/bn/news/?language=bn"))


@pytest.mark.django_db
def test_editors_never_get_or_fill_the_page_cache(demo, page_cache, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    client = Client()
    client.force_login(editor)
    for _ in range(2):
        response = client.get("/en/")
        assert response.status_code == 200
        assert not response.has_header("X-Page-Cache")
        assert "public" not in response.get("Cache-Control", "")
        assert b"wagtail-userbar" in response.content or b"w-userbar" in response.content
    anonymous = Client().get("/en/")
    assert anonymous["X-Page-Cache"] == "miss"  # nothing the editor saw was stored
    assert b"userbar" not in anonymous.content


@pytest.mark.django_db
def test_admin_and_previews_are_never_cached(demo, page_cache, django_user_model):
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
def test_personal_newsletter_pages_are_never_cached(demo, page_cache):
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
        for _ in range(2):
            response = client.get(url)
            assert response.status_code in (200, 400), url
            assert private(response), url
            assert not response.has_header("X-Page-Cache"), url


@pytest.mark.django_db
def test_restricted_pages_and_posts_are_never_cached(demo, page_cache):
    article = NewsPage.objects.live().filter(locale__language_code="en").first()
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    client = Client()
    for _ in range(2):
        response = client.get(article.url)
        assert private(response) and not response.has_header("X-Page-Cache")
    posted = client.post("/en/newsletter/subscribe/", {"email": "x"})
    assert not posted.has_header("X-Page-Cache") and "public" not in posted["Cache-Control"]


@pytest.mark.django_db
def test_a_failing_cache_only_makes_pages_slower(demo, page_cache, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(cache, "get_many", broken)
    response = Client().get("/en/")
    assert response.status_code == 200 and response["Cache-Control"] == PUBLIC
    assert not response.has_header("X-Page-Cache")


# Purging


def publish(page, django_capture_on_commit_callbacks, **changes):
    for field, value in changes.items():
        setattr(page, field, value)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


@pytest.mark.django_db
def test_publishing_shows_the_change_on_the_next_anonymous_request(
    demo, page_cache, django_capture_on_commit_callbacks
):
    article = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date")[0]
    index = article.get_parent()
    bangla = article.get_translation(Locale.objects.get(language_code="bn"))
    urls = [article.url, index.url, "/en/", bangla.url, f"{index.url}feed/rss/", "/en/events/"]
    client = Client()
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url

    publish(article, django_capture_on_commit_callbacks, title="Factories elect safety committees")

    for url in urls[:5]:  # the page, its index, the home page, its translation, the feed
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
    assert "Factories elect safety committees" in client.get(article.url).content.decode()
    assert "Factories elect safety committees" in client.get(index.url).content.decode()
    assert client.get("/en/events/")["X-Page-Cache"] == "hit"  # unrelated: still cached


@pytest.mark.django_db
def test_unpublishing_removes_the_page_and_its_listing(
    demo, page_cache, django_capture_on_commit_callbacks
):
    article = NewsPage.objects.live().filter(locale__language_code="en").order_by("-date")[0]
    index_url = article.get_parent().url
    client = Client()
    assert client.get(article.url).status_code == 200
    assert article.title in client.get(index_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert client.get(article.url).status_code == 404
    assert article.title not in client.get(index_url).content.decode()


@pytest.mark.django_db
def test_publishing_a_translation_purges_both_languages(
    demo, page_cache, django_capture_on_commit_callbacks
):
    story = StoryPage.objects.live().filter(locale__language_code="bn").first()
    english = story.get_translation(Locale.get_default())
    client = Client()
    for url in (story.url, english.url, "/bn/"):
        client.get(url)
    publish(story, django_capture_on_commit_callbacks, title="নতুন শিরোনাম")
    for url in (story.url, english.url, "/bn/", "/en/"):
        assert client.get(url)["X-Page-Cache"] == "miss", url
    assert "নতুন শিরোনাম" in client.get(story.url).content.decode()


@pytest.mark.django_db
def test_site_wide_texts_purge_every_page(demo, page_cache, django_capture_on_commit_callbacks):
    client = Client()
    for url in ("/en/", "/bn/events/"):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        SiteText.objects.first().save()
    for url in ("/en/", "/bn/events/"):
        assert client.get(url)["X-Page-Cache"] == "miss", url


@pytest.mark.django_db
def test_an_image_hash_filled_in_while_rendering_purges_nothing(
    demo, page_cache, django_capture_on_commit_callbacks
):
    client = Client()
    client.get("/en/")
    with django_capture_on_commit_callbacks(execute=True):
        CustomImage.objects.first().save(update_fields=["file_hash"])
    assert client.get("/en/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        CustomImage.objects.first().save()  # edited in the admin: shown on pages
    assert client.get("/en/")["X-Page-Cache"] == "miss"


class RecordingBackend:
    """A CDN stand-in for WAGTAILFRONTENDCACHE: records the URLs it is asked to purge."""

    purged = []

    def __init__(self, params):
        pass

    def invalidates_hostname(self, hostname):
        return True

    def purge_batch(self, urls):
        RecordingBackend.purged.extend(urls)


@pytest.mark.django_db
def test_cdn_backends_purge_the_page_and_the_pages_that_list_it(
    demo, page_cache, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "pages": {"BACKEND": "website.cache.PageCacheBackend"},
        "cdn": {"BACKEND": f"{__name__}.RecordingBackend"},
    }
    RecordingBackend.purged = []
    event = EventPage.objects.live().filter(locale__language_code="en").first()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
        event.save_revision().publish()  # twice in one transaction: purged once
    paths = sorted({re.sub(r"^https?://[^/]+", "", url) for url in RecordingBackend.purged})
    assert len(paths) == len(RecordingBackend.purged)
    bangla_path = event.url.replace("/en/", "/bn/", 1)
    for path in [event.url, f"{event.url}ical/", "/en/events/", "/en/events/ical/", "/en/", "/bn/"]:
        assert path in paths
    assert bangla_path in paths and "/en/newsletter/" in paths


@pytest.mark.django_db
def test_pending_purge_is_one_per_transaction(demo):
    first, new = PagePurge.current()
    assert new
    from django.db import transaction

    transaction.on_commit(first.callback)
    again, new = PagePurge.current()
    assert again is first and not new


# Serving stored pages before Django's handler (website.wsgi.application)


class WSGIResult:
    def __init__(self, app, path, **headers):
        environ = RequestFactory().get(path, **headers).environ
        self.status, self.headers = None, None
        body = app(environ, self._start_response)
        self.content = b"".join(body)
        if hasattr(body, "close"):
            body.close()

    def _start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, dict(headers)


@pytest.fixture
def wsgi_app():
    """website.wsgi's application. Like Django's test client, it keeps the test's database
    connection open across requests (the signals would close it: it is inside a transaction)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from website.cache import PageCacheApplication

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield PageCacheApplication(WSGIHandler())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django_requests():
    """How many requests reached Django's handler (its request_started signal)."""
    from django.core.signals import request_started

    started = []

    def count(**kwargs):
        started.append(kwargs)

    request_started.connect(count)
    yield started
    request_started.disconnect(count)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "bn"])
def test_stored_pages_are_served_whole_before_django_runs(
    demo, page_cache, wsgi_app, django_requests, django_assert_num_queries, language
):
    for url in pages_of_each_kind(Locale.objects.get(language_code=language)):
        first = WSGIResult(wsgi_app, url)
        assert first.status == "200 OK" and first.headers["X-Page-Cache"] == "miss", url
        django_requests.clear()
        with django_assert_num_queries(0):
            second = WSGIResult(wsgi_app, url)
        assert not django_requests, url  # no handler, middleware, signals or view
        assert second.status == "200 OK" and second.headers["X-Page-Cache"] == "hit", url
        assert second.content == first.content
        assert int(second.headers["Age"]) >= 0
        stored = {k: v for k, v in first.headers.items() if k not in ("X-Page-Cache", "Age")}
        assert {k: v for k, v in second.headers.items() if k not in ("X-Page-Cache", "Age")} == (
            stored
        )
        # Headers added by the middleware below the page cache are part of the stored page
        assert second.headers["X-Content-Type-Options"] == "nosniff"
        assert second.headers["Referrer-Policy"] and second.headers["X-Frame-Options"] == "DENY"
        assert second.headers["Cache-Control"] == PUBLIC
        assert second.headers["Content-Length"] == str(len(second.content))


@pytest.mark.django_db
def test_a_purge_by_another_process_reaches_this_process_copy_at_once(
    demo, page_cache, wsgi_app, django_capture_on_commit_callbacks
):
    """The process keeps its own copy of a page, but reads the page's versions from the shared
    cache on every request: a purge made anywhere is seen by the next request."""
    from website import cache as page_cache_module

    page = NewsPage.objects.live().filter(locale__language_code="en").first()
    WSGIResult(wsgi_app, page.url)
    assert WSGIResult(wsgi_app, page.url).headers["X-Page-Cache"] == "hit"
    key = page_cache_module._path_version_key(page.url)
    assert cache.get(key)
    cache.set(key, "set-by-another-server", timeout=None)  # what purge_paths does there
    again = WSGIResult(wsgi_app, page.url)
    assert again.headers["X-Page-Cache"] == "miss"
    assert WSGIResult(wsgi_app, page.url).headers["X-Page-Cache"] == "hit"

    publish(page, django_capture_on_commit_callbacks, title="A title published just now")
    changed = WSGIResult(wsgi_app, page.url)
    assert changed.headers["X-Page-Cache"] == "miss"
    assert "A title published just now" in changed.content.decode()
    listing = WSGIResult(wsgi_app, page.get_parent().url)
    assert "A title published just now" in listing.content.decode()


@pytest.mark.django_db
def test_requests_the_page_cache_must_not_answer_reach_django(
    demo, page_cache, wsgi_app, django_requests, settings
):
    WSGIResult(wsgi_app, "/en/")
    assert WSGIResult(wsgi_app, "/en/").headers["X-Page-Cache"] == "hit"
    django_requests.clear()
    editor = WSGIResult(wsgi_app, "/en/", HTTP_COOKIE="sessionid=abc")
    assert "X-Page-Cache" not in editor.headers and len(django_requests) == 1
    head = RequestFactory().head("/en/").environ
    statuses = []
    wsgi_app(head, lambda status, headers, exc_info=None: statuses.append(dict(headers)))
    assert statuses[0]["X-Page-Cache"] == "hit" and len(django_requests) == 2  # the middleware
    settings.ALLOWED_HOSTS = ["betterwork.example.org"]
    refused = WSGIResult(wsgi_app, "/en/", HTTP_HOST="elsewhere.example.org")
    assert refused.status.startswith("400") and len(django_requests) == 3
    assert (
        WSGIResult(wsgi_app, "/en/", HTTP_HOST="betterwork.example.org").headers["X-Page-Cache"]
        == "miss"
    )  # another host, another entry


@pytest.mark.django_db
def test_a_miss_reads_the_cache_once(demo, page_cache, wsgi_app, monkeypatch):
    """What the WSGI application read is handed to the middleware, not read again."""
    from website import cache as page_cache_module

    reads = []
    real = page_cache_module.cache.get_many
    monkeypatch.setattr(
        page_cache_module.cache, "get_many", lambda keys: reads.append(keys) or real(keys)
    )
    WSGIResult(wsgi_app, "/en/events/")
    lookups = [keys for keys in reads if keys[0] == page_cache_module.SITE_VERSION_KEY]
    assert len(lookups) == 1


@pytest.mark.django_db
def test_entries_stored_by_older_code_are_a_miss_not_an_error(demo, page_cache, wsgi_app):
    from website import cache as page_cache_module

    first = WSGIResult(wsgi_app, "/en/")
    entry_key, versions, entry = page_cache_module.lookup(RequestFactory().get("/en/"))
    assert entry is not None
    page_cache_module.local_copies.clear()
    cache.set(entry_key, (versions, 0.0, "an HttpResponse, as stored before"), timeout=60)
    again = WSGIResult(wsgi_app, "/en/")
    assert again.status == "200 OK" and again.headers["X-Page-Cache"] == "miss"
    assert again.content == first.content


def test_local_copies_keep_the_newest_within_their_byte_limit(settings):
    from website.cache import Entry, LocalCopies

    settings.PAGE_CACHE_LOCAL_BYTES = 250
    copies = LocalCopies()

    def entry(size):
        return Entry(("s", "p"), 0.0, 200, (), b"x" * size)

    copies.put("a", entry(100))
    copies.put("b", entry(100))
    assert copies.get("a") is not None  # "a" used last: "b" is now the oldest
    copies.put("c", entry(100))
    assert set(copies.entries) == {"a", "c"} and copies.size == 200
    copies.put("c", entry(50))  # replaced, not counted twice
    assert copies.size == 150
    copies.put("huge", entry(300))  # larger than the limit: not kept
    assert "huge" not in copies.entries
    copies.drop("a")
    assert copies.size == 50
    copies.clear()
    assert copies.size == 0 and not copies.entries


REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_url():
    """The Redis server on loopback (CI has one: there, its absence fails the test)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis server on 127.0.0.1:6379")
    return REDIS_URL


def redis_backend(prefix):
    from website.cache_backends import RedisCache

    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 2}})


def redis_client_address(connection):
    """ip:port of a redis-py connection, as Redis's CLIENT KILL ADDR names it."""
    host, port = connection._sock.getsockname()[:2]
    return f"{host}:{port}"


def test_redis_get_many_sends_one_mget_and_reconnects_after_a_drop(redis_url):
    """The backend's own MGET against the Redis server on loopback."""
    import redis

    backend = redis_backend(f"test-mget-{os.getpid()}")
    backend.clear()
    backend.set_many({"one": "১", "two": 2, "three": {"nested": [3]}})
    assert backend.get_many(["one", "missing", "two", "three"]) == {
        "one": "১",
        "two": 2,
        "three": {"nested": [3]},
    }
    assert backend.get_many([]) == {}
    server = redis.Redis.from_url(redis_url)
    pool = backend._cache._get_connection_pool(write=False)
    (connection,) = pool._available_connections  # the one the MGETs used, back in the pool
    server.client_kill_filter(addr=redis_client_address(connection))  # only ours: others may run
    assert backend.get_many(["one"]) == {"one": "১"}  # reconnected and sent again
    backend.clear()


def test_version_watch_keeps_values_until_any_process_announces_a_change(redis_url):
    from website.cache_backends import VersionWatch

    prefix = f"test-watch-{os.getpid()}"
    here = VersionWatch(redis_backend(prefix), "purged", hold=60)
    there = VersionWatch(redis_backend(prefix), "purged", hold=60)  # another process's
    kept, generation = here.current(["a", "b"])
    assert kept == {} and generation is not None  # subscribed: values read now may be kept
    here.keep({"a": "1", "b": "2"}, generation)
    assert here.current(["a", "b"])[0] == {"a": "1", "b": "2"}
    there.announce(["a"])
    assert here.current(["a", "b"])[0] == {"b": "2"}  # the very next look, no waiting
    _, generation = here.current(["a"])
    there.announce(["a"])  # while "a" was being read
    here.current([])
    here.keep({"a": "old"}, generation)
    assert here.current(["a"])[0] == {}  # what was read before the announcement is not kept
    there.announce()  # everything
    assert here.current(["a", "b"])[0] == {}
    _, generation = here.current(["b"])
    here.keep({"b": "3"}, generation)
    here.announce(["b"])  # by this process: forgotten here at once too
    assert here.current(["b"])[0] == {}


def test_version_watch_reads_again_when_its_subscription_is_lost_or_values_are_old(redis_url):
    import redis

    from website.cache_backends import VersionWatch

    watch = VersionWatch(redis_backend(f"test-watch-{os.getpid()}"), "purged", hold=60)
    _, generation = watch.current(["a"])
    watch.keep({"a": "1"}, generation)
    redis.Redis.from_url(redis_url).client_kill_filter(addr=redis_client_address(watch.connection))
    assert watch.current(["a"])[0] == {}  # lost: nothing kept (and subscribed again)
    _, generation = watch.current(["a"])
    watch.keep({"a": "2"}, generation)
    assert watch.current(["a"])[0] == {"a": "2"}
    watch.hold = 0.05
    time.sleep(0.1)
    assert watch.current(["a"])[0] == {}  # a silent dead connection delays a purge this long


def test_version_watch_without_redis_tries_again_only_after_hold(monkeypatch):
    """Redis unreachable: versions are read (and fail) as without a watch, and the subscription
    is not attempted again on every request."""
    from website.cache_backends import RedisCache, VersionWatch

    backend = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    watch = VersionWatch(backend, "purged", hold=60)
    attempts = []
    real = VersionWatch._subscribe
    monkeypatch.setattr(VersionWatch, "_subscribe", lambda self: attempts.append(1) or real(self))
    assert watch.current(["a"]) == ({}, None)
    assert watch.current(["a"]) == ({}, None)
    assert len(attempts) == 1
    watch.keep({"a": "1"}, 0)
    assert watch.held == {}


def test_version_watch_with_hold_0_keeps_nothing_but_announces(redis_url):
    from website.cache_backends import VersionWatch

    prefix = f"test-watch-{os.getpid()}"
    listener = VersionWatch(redis_backend(prefix), "purged", hold=60)
    publisher = VersionWatch(redis_backend(prefix), "purged", hold=0)
    assert publisher.current(["a"]) == ({}, None) and publisher.connection is None
    _, generation = listener.current(["a"])
    listener.keep({"a": "1"}, generation)
    publisher.announce(["a"])
    assert listener.current(["a"])[0] == {}


def test_version_watch_keeps_a_bounded_number_of_keys(redis_url, monkeypatch):
    from website.cache_backends import VersionWatch

    monkeypatch.setattr(VersionWatch, "LIMIT", 3)
    watch = VersionWatch(redis_backend(f"test-watch-{os.getpid()}"), "purged", hold=60)
    for n in range(7):
        _, generation = watch.current([])
        watch.keep({f"path-{n}": "v"}, generation)
        assert len(watch.held) <= 3
    assert watch.current(["path-6"])[0] == {"path-6": "v"}


@pytest.mark.django_db
def test_a_cache_that_fails_renders_the_page_and_is_tried_once(
    demo, page_cache, wsgi_app, monkeypatch, caplog
):
    from website import cache as page_cache_module

    calls = []

    def broken(keys):
        calls.append(keys)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(page_cache_module.cache, "get_many", broken)
    page_cache_module.local_copies.clear()
    result = WSGIResult(wsgi_app, "/bn/")
    assert result.status == "200 OK" and "X-Page-Cache" not in result.headers
    assert 'lang="bn"' in result.content.decode()
    lookups = [keys for keys in calls if keys and keys[0] == page_cache_module.SITE_VERSION_KEY]
    assert len(lookups) == 1  # the middleware did not try again
    assert "The page cache could not be read" in caplog.text


@pytest.mark.django_db
def test_on_redis_a_stored_page_costs_no_round_trip_and_a_publish_shows_at_once(
    demo, settings, wsgi_app, redis_url, monkeypatch, django_capture_on_commit_callbacks
):
    from website import cache as page_cache_module
    from website.cache_backends import ReusedClientRedisCacheClient

    settings.CACHES = {
        "default": {
            "BACKEND": "website.cache_backends.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-pages-{os.getpid()}",
        }
    }
    settings.PAGE_CACHE_SERVER = True
    monkeypatch.setattr(page_cache_module, "_watch", {})
    cache.clear()
    try:
        page = StoryPage.objects.live().filter(locale__language_code="bn").first()
        assert WSGIResult(wsgi_app, page.url).headers["X-Page-Cache"] == "miss"
        assert WSGIResult(wsgi_app, page.url).headers["X-Page-Cache"] == "hit"
        reads = []
        real = ReusedClientRedisCacheClient.get_many
        monkeypatch.setattr(
            ReusedClientRedisCacheClient,
            "get_many",
            lambda self, keys: reads.append(keys) or real(self, keys),
        )
        for _ in range(3):
            assert WSGIResult(wsgi_app, page.url).headers["X-Page-Cache"] == "hit"
        assert reads == []
        publish(page, django_capture_on_commit_callbacks, title="এইমাত্র প্রকাশিত শিরোনাম")
        changed = WSGIResult(wsgi_app, page.url)
        assert changed.headers["X-Page-Cache"] == "miss"
        assert "এইমাত্র প্রকাশিত শিরোনাম" in changed.content.decode()
    finally:
        cache.clear()


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
