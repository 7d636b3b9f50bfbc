"""A small fixed-window rate limit per client address, kept in Django's cache."""

from django.core.cache import cache


def client_address(request):
    """The client's address as the web server saw it (see docs/deployment.md for proxies)."""
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(request, scope, limit, window_seconds):
    """True while `request`'s client made fewer than `limit` calls to `scope` in the window."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return True
    return count <= limit
