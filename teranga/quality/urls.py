from django.urls import path

from teranga.quality import views

app_name = "quality"

urlpatterns = [
    path(
        "espace-pro/sites/<str:code>/qualite/preuves/<str:token>/",
        views.evidence_file,
        name="evidence",
    ),
]
