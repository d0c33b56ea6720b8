"""Fixed-window rate limits on public endpoints, counted in Django's cache.

With the default in-process cache each server process counts on its own, so the effective
limit is the setting times the number of processes; a shared cache (database or Redis)
makes it exact. Either way a guesser is slowed by orders of magnitude.
"""

import time

from django.conf import settings
from django.core.cache import cache


def rate_limited(scope: str, who: str, *, limit: int, window_seconds: int = 3600) -> bool:
    """Count one attempt of `who` in `scope`; True when it goes over `limit` in the window."""
    window = int(time.time() // window_seconds)
    key = f"rl:{scope}:{who}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds + 5)
            count = 1
    return count > limit


def client_address(request) -> str:
    """The caller's address. Behind AXES_PROXY_COUNT proxies (nginx adds X-Forwarded-For),
    the address the first proxy saw; otherwise the connection's."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
