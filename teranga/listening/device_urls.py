"""Pages of the rating tablet and the QR posters (the public forms and the results live in
urls.py)."""

from django.urls import path

from teranga.listening import posters, tablet

urlpatterns = [
    # The worker sits at the top of /avis/ so that its scope may cover any site's tablet.
    path("avis/sw.js", tablet.service_worker, name="listening-sw"),
    path("avis/<str:code>/tablette/", tablet.tablet, name="listening-tablet"),
    path(
        "espace-pro/sites/<str:code>/affiches/avis-<str:lang>.<str:fmt>",
        posters.poster,
        name="listening-poster",
    ),
    path(
        "espace-pro/sites/<str:code>/affiches/<str:counter_code>/avis-<str:lang>.<str:fmt>",
        posters.poster,
        name="listening-counter-poster",
    ),
]
