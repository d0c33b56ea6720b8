from django.urls import path

from teranga.quality import audits_views, mystery_views, views

app_name = "quality"

urlpatterns = [
    path(
        "espace-pro/sites/<str:code>/qualite/preuves/<str:token>/",
        views.evidence_file,
        name="evidence",
    ),
    # audits and the label cycle
    path("espace-pro/qualite/audits/", audits_views.audits_national, name="audits"),
    path("espace-pro/qualite/audits/nouveau/", audits_views.audit_plan, name="audit-plan"),
    path("espace-pro/qualite/label/", audits_views.label_national, name="label"),
    path("espace-pro/qualite/label/decision/", audits_views.label_decide, name="label-decide"),
    path(
        "espace-pro/sites/<str:code>/qualite/audits/",
        audits_views.site_audits,
        name="site-audits",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/audits/<int:pk>/",
        audits_views.audit_detail,
        name="audit",
    ),
    # mystery checks
    path("espace-pro/qualite/mystere/", mystery_views.campaigns, name="mystery"),
    path(
        "espace-pro/qualite/mystere/nouvelle/",
        mystery_views.campaign_new,
        name="mystery-campaign-new",
    ),
    path(
        "espace-pro/qualite/mystere/<int:pk>/",
        mystery_views.campaign_detail,
        name="mystery-campaign",
    ),
    path(
        "espace-pro/qualite/mystere/<int:pk>/controle/",
        mystery_views.check_new,
        name="mystery-check-new",
    ),
    path(
        "espace-pro/sites/<str:code>/qualite/mystere/",
        mystery_views.site_mystery,
        name="site-mystery",
    ),
]
