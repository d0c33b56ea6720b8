from django.urls import path

from teranga.quality import referential_views, views

app_name = "quality"

urlpatterns = [
    path("espace-pro/qualite/referentiel/", referential_views.referential_page, name="referential"),
    path(
        "espace-pro/qualite/referentiel/<str:version>.json",
        referential_views.referential_download,
        name="referential-download",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/preuves/<str:token>/",
        views.evidence_file,
        name="evidence",
    ),
]
