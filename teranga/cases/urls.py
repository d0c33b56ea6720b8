from django.urls import path

from teranga.cases import views

urlpatterns = [
    path("espaces/<str:code>/reclamation/", views.complaint_new, name="cases-complaint-new"),
    path("suivi/", views.track, name="cases-track"),
    path("espace-pro/dossiers/", views.my_sites, name="cases-sites"),
    path("espace-pro/alertes/", views.alerts_page, name="cases-alerts"),
    path("espace-pro/dossiers/<str:code>/", views.inbox, name="cases-inbox"),
    path("espace-pro/dossiers/<str:code>/nouveau/", views.staff_new, name="cases-new"),
    path("espace-pro/dossiers/<str:code>/<int:pk>/", views.case_detail, name="cases-case"),
    path(
        "espace-pro/dossiers/<str:code>/<int:pk>/action/",
        views.case_action,
        name="cases-case-action",
    ),
    path(
        "espace-pro/dossiers/<str:code>/<int:pk>/pieces/<int:attachment_id>/",
        views.attachment,
        name="cases-attachment",
    ),
]
