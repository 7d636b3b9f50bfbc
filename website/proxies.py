"""The client behind the proxies: REMOTE_ADDR, or the address the trusted proxies saw."""

from django.conf import settings


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
