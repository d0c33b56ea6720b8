from django.urls import path

from teranga.listening import posters, tablet, views

urlpatterns = [
    # The tablet's service worker sits at the top of /avis/ so that its scope may cover any
    # site's tablet page.
    path("avis/sw.js", tablet.service_worker, name="listening-sw"),
    path("avis/code/", views.feedback_code, name="feedback-code"),
    path("avis/merci/", views.feedback_thanks, name="feedback-thanks"),
    path("avis/ticket/<uuid:public_id>/", views.feedback_ticket, name="feedback-ticket"),
    path("avis/<str:code>/", views.feedback_form, name="feedback-form"),
    path("avis/<str:code>/tablette/", tablet.tablet, name="listening-tablet"),
    path("espace-pro/sites/<str:code>/avis/", views.results, name="feedback-results"),
    path(
        "espace-pro/sites/<str:code>/avis/commentaires/",
        views.comments,
        name="feedback-comments",
    ),
    path(
        "espace-pro/sites/<str:code>/avis/commentaires/<int:pk>/",
        views.moderate,
        name="feedback-moderate",
    ),
    path("espace-pro/sites/<str:code>/avis/export.csv", views.export, name="feedback-export"),
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
