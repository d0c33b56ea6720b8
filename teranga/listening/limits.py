"""Rate limits of public submissions (django-ratelimit, counting in Django's cache).

The default cache is per process: with several server processes each one counts on its own,
so a limit is at most workers × the setting. Point CACHES at a shared cache (memcached,
Redis) to make it exact."""

from django_ratelimit.core import is_ratelimited


def client_address(group, request) -> str:
    # REMOTE_ADDR is the client, or the proxy's view of it once the proxy settings apply.
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request, group: str, rate: str, key=client_address) -> bool:
    """Count this request in `group` and say whether it goes over `rate` ("30/h")."""
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
