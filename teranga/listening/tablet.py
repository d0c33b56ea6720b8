"""The rating tablet: a public device page (paired once with a device token, like the
reception kiosk) and the service worker that keeps it working offline."""

import hashlib

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from teranga.network import selectors as network_selectors

# What the service worker keeps for the page to load offline, besides the page itself.
TABLET_ASSETS = ("listening/tablet.css", "listening/tablet.js", "teranga/favicon.svg")
SW_SOURCE = "listening/sw.js"


def tablet(request: HttpRequest, code: str) -> HttpResponse:
    site = network_selectors.site_public_get(code)
    if site is None:
        raise Http404
    return render(
        request,
        "listening/tablet/page.html",
        {
            "site": site,
            "api_respond": reverse("api:feedback_respond"),
            "min_interval": settings.FEEDBACK_TABLET_MIN_INTERVAL_SECONDS,
        },
    )


def read_static(name: str) -> bytes:
    path = finders.find(name)
    if path is None:  # only the collected files are there
        with staticfiles_storage.open(name) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script, with the URLs of the assets to keep (hashed names in production)
    and a version that changes with them, so a deploy replaces the cached copies."""
    assets = [static(name) for name in TABLET_ASSETS]
    source = read_static(SW_SOURCE)
    version = hashlib.sha256(source + "|".join(assets).encode()).hexdigest()[:12]
    head = f"const ASSETS = {assets!r};\nconst VERSION = {version!r};\n".replace("'", '"')
    return HttpResponse(
        head.encode() + source, content_type="application/javascript; charset=utf-8"
    )
