from django.urls import path

from teranga.quality import campaigns_views, views

app_name = "quality"

urlpatterns = [
    path(
        "espace-pro/sites/<str:code>/qualite/preuves/<str:token>/",
        views.evidence_file,
        name="evidence",
    ),
    # Self-assessment campaigns.
    path("espace-pro/qualite/", campaigns_views.national_home, name="home"),
    path(
        "espace-pro/qualite/campagnes/<int:pk>/", campaigns_views.campaign_detail, name="campaign"
    ),
    path(
        "espace-pro/qualite/campagnes/<int:pk>/cloture/",
        campaigns_views.campaign_close,
        name="campaign-close",
    ),
    path(
        "espace-pro/qualite/campagnes/<int:pk>/comparaison/",
        campaigns_views.campaign_compare,
        name="campaign-compare",
    ),
    path("espace-pro/sites/<str:code>/qualite/", campaigns_views.site_home, name="site"),
    path(
        "espace-pro/sites/<str:code>/qualite/campagnes/<int:pk>/",
        campaigns_views.assessment_grid,
        name="assessment",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/campagnes/<int:pk>/statut/",
        campaigns_views.assessment_transition,
        name="assessment-transition",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/campagnes/<int:pk>/criteres/<str:criterion>/",
        campaigns_views.answer_post,
        name="answer",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/campagnes/<int:pk>/criteres/<str:criterion>/preuves/",
        campaigns_views.answer_evidence,
        name="answer-evidence",
    ),
]
