from django.urls import path

from teranga.quality import (
    actions_views,
    audits_views,
    campaigns_views,
    mystery_views,
    referential_views,
    training_views,
    views,
)

app_name = "quality"

SITE = "espace-pro/sites/<str:code>/qualite/"

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
    # Action plans, training and the site quality report.
    path(f"{SITE}plan/", actions_views.plan, name="plan"),
    path(f"{SITE}plan/nouvelle/", actions_views.action_new, name="action-new"),
    path(f"{SITE}plan/<int:pk>/", actions_views.action_detail, name="action"),
    path(f"{SITE}plan/<int:pk>/modifier/", actions_views.action_edit, name="action-edit"),
    path(f"{SITE}plan/<int:pk>/suivi/", actions_views.action_progress, name="action-progress"),
    path(f"{SITE}plan/<int:pk>/preuves/", actions_views.action_evidence, name="action-evidence"),
    path(f"{SITE}rapport.pdf", actions_views.report_pdf, name="report"),
    path(f"{SITE}formations/", training_views.site_training, name="site-training"),
    path("espace-pro/qualite/actions/", actions_views.overview, name="actions-overview"),
    path("espace-pro/qualite/formations/", training_views.sessions, name="trainings"),
    path("espace-pro/qualite/formations/<int:pk>/", training_views.session_detail, name="training"),
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
