"""A small fixed-window rate limit per client address, kept in Django's cache."""

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS proxies, from their
    X-Forwarded-For.

    Each proxy appends the address it received the request from, so with N trusted proxies in
    front (a load balancer, a CDN and a load balancer...) the Nth address from the right is the
    client's; anything left of it was written by the client and is not believed.
    """
    remote = request.META.get("REMOTE_ADDR", "unknown")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    forwarded = [address.strip() for address in forwarded if address.strip()]
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return forwarded[0] if forwarded else remote


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
