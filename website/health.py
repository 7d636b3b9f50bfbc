"""Health check for load balancers and monitoring: `GET /healthz`.

Answers 200 `{"status": "ok", ...}` when the database answers a query and the cache returns what
was stored in it, else 503 with `"status": "unhealthy"` and the check that failed. It is answered
by the first middleware, before host validation and the https redirect, since load balancers probe
each server by its address over plain http; the response is never cached. Details of a failure
(the exception's type) are shown; its message, which may name internal hosts, goes to the log.
"""

import logging
import secrets
import time

from django.core.cache import cache
from django.db import connections
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


CHECKS = {"database": check_database, "cache": check_cache}


def health():
    """(healthy, {check name: {"ok": bool, "ms": float, "error": "ExceptionType"}})."""
    results = {}
    for name, check in CHECKS.items():
        start = time.perf_counter()
        try:
            check()
        except Exception as exc:
            logger.exception("Health check %s failed", name)
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return all(result["ok"] for result in results.values()), results


class HealthCheckMiddleware:
    """Answer `/healthz` before any other middleware (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            healthy, checks = health()
            response = JsonResponse(
                {"status": "ok" if healthy else "unhealthy", "checks": checks},
                status=200 if healthy else 503,
            )
        add_never_cache_headers(response)
        return response
