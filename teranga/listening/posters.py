"""QR posters: an A4 page per site and per counter, in French or Wolof, pointing to the short
web form with a signed token (which site, which counter). PDF (WeasyPrint) to print, SVG to
print elsewhere or rework. Staff pages: whoever may view the site prints its posters."""

import textwrap
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from teranga.listening.api import form_token
from teranga.listening.tablet import read_static
from teranga.network.models import Counter, Site
from teranga.network.permissions import Action, site_for_user

LANGUAGES = ("fr", "wo")
FORMATS = {"pdf": "application/pdf", "svg": "image/svg+xml"}
QR_SIZE = 110  # mm: readable from a couple of metres on a wall


def poster_url(request: HttpRequest, site: Site, counter: Counter | None) -> str:
    """The short web form of the site, with the token saying where the poster hangs."""
    base = request.build_absolute_uri(f"/avis/{site.code}/")
    return f"{base}?{urlencode({'t': form_token(site, counter)})}"


def _texts(site: Site, counter: Counter | None) -> dict:
    """The poster's words in the active language."""
    return {
        "network": _("Espaces Sénégal Services"),
        "site": site.name,
        "counter": counter.name if counter else "",
        "title": _("Give us your opinion"),
        "lead": _("Your opinion helps us improve the service. It is anonymous."),
        "scan": _("Scan to give your opinion"),
        "no_phone": _("No smartphone?"),
        "ussd": _("Dial %(code)s, press 1, then type the code printed on your ticket.")
        % {"code": settings.USSD_CODE},
        "sms": _("Or send by SMS to %(number)s the code on your ticket and a mark from 1 to 5.")
        % {"number": settings.SMS_SHORT_CODE},
    }


def _fit(text: str, size: float, width: float = 190) -> float:
    """A font size (mm) at which one line of text fits the width, roughly (SVG has no
    wrapping: an average glyph is about 0.6 of the font size)."""
    return round(min(size, width / (0.6 * max(len(text), 1))), 2)


def _svg_layout(texts: dict) -> dict:
    """Where each line of the SVG poster goes, in mm on the A4 page (210 × 297)."""
    lines, y = [], 60.0

    def block(text, size, chars, weight="400", colour="#1b1f1d"):
        nonlocal y
        for line in textwrap.wrap(text, chars):
            lines.append({"y": y, "size": size, "weight": weight, "fill": colour, "text": line})
            y += size * 1.25

    block(texts["title"], 14, 24, "800")
    block(texts["lead"], 5, 64)
    y = max(y + 3, 90.0)
    block(texts["scan"], 6, 50, "700", "#00693e")
    qr_y = y - 2
    y = qr_y + QR_SIZE + 12
    block(texts["no_phone"], 7, 44, "800")
    y += 1
    for key in ("ussd", "sms"):
        block(texts[key], 6, 50, "700")
        y += 2
    return {
        "lines": lines,
        "qr_x": (210 - QR_SIZE) / 2,
        "qr_y": qr_y,
        "site_size": _fit(texts["site"], 8),
        "counter_size": _fit(texts["counter"], 7),
    }


def poster_render(
    request: HttpRequest, *, site: Site, counter: Counter | None, lang: str, fmt: str
) -> bytes:
    url = poster_url(request, site, counter)
    qr = segno.make(url, error="q")
    modules = qr.symbol_size(border=0)[0]
    with translation.override(lang):
        texts = _texts(site, counter)
        context = {"texts": texts, "url": url, "lang": lang}
        if fmt == "svg":
            context.update(_svg_layout(texts))
            context["qr"] = qr.svg_inline(scale=QR_SIZE / modules, border=0, dark="#000")
            return render_to_string("listening/poster/poster.svg", context).encode()
        context["qr"] = qr.svg_data_uri(scale=10, border=0, dark="#000")
        html = render_to_string("listening/poster/poster.html", context)
    from weasyprint import CSS, HTML  # heavy: loaded only when a PDF is asked for

    css = CSS(string=read_static("listening/poster.css").decode())
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[css])


@login_required
def poster(
    request: HttpRequest, code: str, lang: str, fmt: str, counter_code: str | None = None
) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    if lang not in LANGUAGES or fmt not in FORMATS:
        raise Http404
    counter = get_object_or_404(Counter, site=site, code=counter_code) if counter_code else None
    body = poster_render(request, site=site, counter=counter, lang=lang, fmt=fmt)
    name = "-".join(filter(None, ["avis", site.code, counter_code, lang])) + f".{fmt}"
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
