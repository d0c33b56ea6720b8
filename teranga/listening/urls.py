from django.urls import path

from teranga.listening import views

urlpatterns = [
    path("avis/code/", views.feedback_code, name="feedback-code"),
    path("avis/merci/", views.feedback_thanks, name="feedback-thanks"),
    path("avis/ticket/<uuid:public_id>/", views.feedback_ticket, name="feedback-ticket"),
    path("avis/<str:code>/", views.feedback_form, name="feedback-form"),
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
]
