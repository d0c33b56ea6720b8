from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """French unless the visitor chose Wolof or English (the choice lives in a cookie).

    A plain link `?lang=wo` switches (it stores the choice and redirects to the same page
    without the parameter), so public pages need no form and no CSRF token. The browser's
    Accept-Language is deliberately ignored: a kiosk or a phone set to English in a
    Senegalese public office should still open in French, one tap away from Wolof.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.GET.get("lang")
        if chosen is not None and request.method in ("GET", "HEAD"):
            return self._switch(request, chosen)
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.available:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    def _switch(self, request, chosen: str):
        query = request.GET.copy()
        del query["lang"]
        target = request.path + (f"?{query.urlencode()}" if query else "")
        response = HttpResponseRedirect(target)
        if chosen in self.available:
            _language_cookie(response, chosen)
        return response


def _language_cookie(response, lang: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def prefer_language(request, lang: str) -> None:
    """A page whose subject has a language of its own (a ticket taken in Wolof, followed on a
    phone) speaks it, unless the visitor chose one (the cookie)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    if lang in {code for code, _ in settings.LANGUAGES}:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang


def keep_language(request, response) -> None:
    """After a form answered in the language prefer_language chose, the next page (the
    thank-you a redirect leads to) stays in it: the choice becomes the visitor's."""
    chosen = request.LANGUAGE_CODE
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and chosen != settings.LANGUAGE_CODE:
        _language_cookie(response, chosen)


class ApiErrorsMiddleware:
    """Under /api/, refuse oversized bodies before any parsing (413), and answer the errors
    Django raises outside the API's handlers (405) in JSON like every other API error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return JsonResponse(
                {
                    "detail": "Request body too large (limit: "
                    f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes)."
                },
                status=413,
            )
        response = self.get_response(request)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"detail": f"Method not allowed here; use {allowed}."},
                status=405,
                headers={"Allow": allowed},
            )
        return response
