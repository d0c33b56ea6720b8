"""Campaign pages: the national quality home and launch form, the follow-up, the comparison
(with the French kit's rule for partners), the site quality home and the grid."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from teranga.network.models import AuditEntry, Role
from teranga.quality import campaigns
from teranga.quality.models import Answer, Assessment, Campaign, Evidence
from teranga.quality.services import referential_publish_default
from tests.factories import DepartmentFactory, SiteFactory, staff
from tests.quality.campaign_data import quarter_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(two_sites, national_admin):
    dakar, thies = two_sites
    referential_publish_default()
    first, last = quarter_data(dakar)
    campaign = campaigns.campaign_launch(
        actor=national_admin,
        title="Auto-évaluation T3",
        period_start=first,
        period_end=last,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    return {
        "dakar": dakar,
        "thies": thies,
        "campaign": campaign,
        "admin": national_admin,
        "officer": staff(Role.QUALITY_OFFICER, site=dakar),
        "manager": staff(Role.SITE_MANAGER, site=dakar),
        "grid": f"/espace-pro/sites/DKR/qualite/campagnes/{campaign.pk}/",
    }


def test_the_national_team_launches_a_campaign_from_the_quality_home(login, setup):
    client = login(setup["admin"])
    page = client.get("/espace-pro/qualite/")
    assert page.status_code == 200 and "Auto-évaluation T3" in page.text
    initial = page.context["form"].initial
    response = client.post(
        "/espace-pro/qualite/",
        {
            "title": "Pilotes",
            "referential": initial["referential"],
            "period_start": initial["period_start"].isoformat(),
            "period_end": initial["period_end"].isoformat(),
            "due_date": initial["due_date"].isoformat(),
            "scope": "chosen",
            "sites": [setup["thies"].pk],
        },
    )
    campaign = Campaign.objects.get(title="Pilotes")
    assert (
        response.status_code == 302
        and response.url == f"/espace-pro/qualite/campagnes/{campaign.pk}/"
    )
    assert [a.site.code for a in campaign.assessments.all()] == ["THS"]


def test_a_bad_launch_shows_the_error_and_writes_nothing(login, setup):
    client = login(setup["admin"])
    response = client.post(
        "/espace-pro/qualite/",
        {"title": "X", "period_start": "2025-03-01", "period_end": "2025-01-01",
         "due_date": "2020-01-01", "scope": "chosen"},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "referential" in errors and "sites" in errors
    assert Campaign.objects.count() == 1


def test_only_the_national_team_may_launch(login, setup):
    response = login(setup["manager"]).post("/espace-pro/qualite/", {"title": "X"})
    assert response.status_code == 403 and Campaign.objects.count() == 1


def test_follow_up_shows_each_sites_progress_and_disputes(login, setup):
    assessment = setup["campaign"].assessments.get(site=setup["dakar"])
    row = Answer.objects.get(assessment=assessment, criterion__code="REP-2.1")
    row.assessment = Assessment.objects.select_related("campaign", "site__department").get(
        pk=assessment.pk
    )
    campaigns.answer_save(actor=setup["officer"], answer=row, disputed=True)
    page = login(setup["admin"]).get(f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/")
    assert page.status_code == 200
    lines = {line.assessment.site.code: line for line in page.context["progress"]}
    assert lines["DKR"].disputed == 1 and lines["THS"].answered_pct == 0
    assert 'class="disputed"' in page.text


def test_a_sites_staff_follows_only_its_own_site(login, setup):
    page = login(setup["manager"]).get(f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/")
    assert [line.assessment.site.code for line in page.context["progress"]] == ["DKR"]
    stranger = staff(Role.QUALITY_OFFICER, site=SiteFactory(code="KLD"))
    assert (
        login(stranger).get(f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/").status_code
        == 403
    )


def test_closing_the_campaign_then_answering_is_refused_clearly(login, setup):
    admin = login(setup["admin"])
    admin.post(f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/cloture/")
    assert Campaign.objects.get().status == Campaign.Status.CLOSED
    client = login(setup["officer"])
    response = client.post(setup["grid"] + "criteres/ACC-1.1/", {"choice": "yes"}, follow=True)
    assert "clôturée" in response.text
    assert not Answer.objects.filter(criterion__code="ACC-1.1").exclude(choice="").exists()


def test_partners_see_group_averages_only_over_two_sites_or_more(login, setup):
    partner = staff(Role.PARTNER)
    url = f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/comparaison/"
    page = login(partner).get(url)
    assert page.status_code == 200
    # Two sites in two regions: each region alone is hidden, the network (2 sites) shown.
    assert [g["name"] for g in page.context["groups"]] == ["Réseau"]
    assert {line.assessment.site.code for line, _ in page.context["lines"]} == {"DKR", "THS"}
    # A third site in Dakar's region: Dakar's average appears.
    rufisque = SiteFactory(
        code="RFQ", department=DepartmentFactory(region=setup["dakar"].department.region)
    )
    Assessment.objects.create(campaign=setup["campaign"], site=rufisque)
    page = login(partner).get(url)
    assert [g["name"] for g in page.context["groups"]] == ["Dakar", "Réseau"]
    # The national team sees every group, even of one site.
    page = login(setup["admin"]).get(url)
    assert [g["name"] for g in page.context["groups"]] == ["Dakar", "Thiès", "Réseau"]


def test_the_comparison_sorts_by_a_theme(login, setup):
    url = f"/espace-pro/qualite/campagnes/{setup['campaign'].pk}/comparaison/"
    page = login(setup["admin"]).get(url + "?tri=ECO&ordre=asc")
    codes = [line.assessment.site.code for line, _ in page.context["lines"]]
    assert codes == ["THS", "DKR"]  # THS has no rating: the lower ECO score first
    assert 'aria-sort="ascending"' in page.text


def test_the_site_quality_home_shows_the_live_pre_score_and_gaps(login, setup):
    page = login(setup["officer"]).get("/espace-pro/sites/DKR/qualite/")
    assert page.status_code == 200
    assert page.context["result"].themes["ECO"] > 0
    assert "/espace-pro/sites/DKR/qualite/plan/nouvelle/?criterion=" in page.text
    assert "Auto-évaluation T3" in page.text
    other = staff(Role.QUALITY_OFFICER, site=setup["thies"])
    assert login(other).get("/espace-pro/sites/DKR/qualite/").status_code == 403


def test_the_officer_fills_the_grid_without_javascript(login, setup):
    client = login(setup["officer"])
    page = client.get(setup["grid"])
    assert page.status_code == 200
    assert 'name="disputed"' in page.text and 'name="choice"' in page.text
    assert f"?from={setup['campaign'].period_start.isoformat()}" in page.text
    response = client.post(
        setup["grid"] + "criteres/ACC-1.1/", {"choice": "partly", "comment": "Badges"}
    )
    assert response.status_code == 302 and response.url.endswith("#c-ACC-1.1")
    assert (
        Answer.objects.get(assessment__site=setup["dakar"], criterion__code="ACC-1.1").choice
        == "partly"
    )


def test_htmx_saves_one_criterion_in_place(login, setup):
    client = login(setup["officer"])
    response = client.post(
        setup["grid"] + "criteres/REP-2.1/", {"comment": "Panne", "disputed": "on"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.text.startswith('<article class="criterion not_met" id="c-REP-2.1">')
    assert "Enregistré" in response.text
    row = Answer.objects.get(assessment__site=setup["dakar"], criterion__code="REP-2.1")
    assert row.disputed and row.value == 40.0
    assert AuditEntry.objects.filter(action="quality.answer").count() == 1


def test_evidence_is_added_to_a_declared_answer_and_listed(login, setup, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = login(setup["officer"])
    url = setup["grid"] + "criteres/INFO-1.1/preuves/"
    client.post(url, {"file": SimpleUploadedFile("affiche.pdf", PDF)})
    evidence = Evidence.objects.get()
    assert evidence.answer.criterion.code == "INFO-1.1"
    page = client.get(setup["grid"])
    assert f"/espace-pro/sites/DKR/qualite/preuves/{evidence.token}/" in page.text
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"<html>")}, follow=True)
    assert "PDF" in refused.text and Evidence.objects.count() == 1


def test_another_sites_staff_cannot_read_or_answer_the_grid(login, setup):
    other = login(staff(Role.QUALITY_OFFICER, site=setup["thies"]))
    assert other.get(setup["grid"]).status_code == 403
    assert other.post(setup["grid"] + "criteres/ACC-1.1/", {"choice": "yes"}).status_code == 403
    assert other.post(setup["grid"] + "statut/", {"to": "submitted"}).status_code == 403
    assert not Answer.objects.exclude(choice="").exists()


def test_partners_read_a_sites_grid_without_forms(login, setup):
    page = login(staff(Role.PARTNER)).get(setup["grid"])
    assert page.status_code == 200 and 'name="choice"' not in page.text


def test_the_manager_submits_and_the_national_team_returns_then_accepts(login, setup):
    manager = login(setup["manager"])
    response = manager.post(setup["grid"] + "statut/", {"to": "submitted"}, follow=True)
    assert "INFO-1.1" in response.text  # the missing criteria are listed
    assessment = Assessment.objects.get(site=setup["dakar"])
    assert assessment.status == "draft"
    Answer.objects.filter(assessment=assessment, criterion__kind="declared").update(choice="yes")
    manager.post(setup["grid"] + "statut/", {"to": "submitted"})
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.overall is not None
    page = manager.get(setup["grid"])
    assert 'name="choice"' not in page.text
    gaps = page.context["gaps"]
    assert "REP-2.1" in [g["row"].criterion.code for g in gaps]
    assert (
        f"/espace-pro/sites/DKR/qualite/plan/nouvelle/?criterion=REP-2.1&amp;assessment={assessment.pk}"
        in page.text
    )
    admin = login(setup["admin"])
    admin.post(setup["grid"] + "statut/", {"to": "returned", "remarks": ""})
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    admin.post(setup["grid"] + "statut/", {"to": "returned", "remarks": "Joindre les preuves"})
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    refused = admin.post(setup["grid"] + "statut/", {"to": "accepted"}, follow=True)
    assert "ne peut pas" in refused.text
    assert "Joindre les preuves" in login(setup["officer"]).get(setup["grid"]).text


def test_the_staff_home_links_to_quality(login, setup):
    assert "/espace-pro/qualite/" in login(setup["officer"]).get("/espace-pro/").text


def test_saving_a_criterion_refreshes_the_scores_and_gaps_in_place(login, setup):
    client = login(setup["officer"])
    before = client.get(setup["grid"]).context["grid"].answered[0]
    response = client.post(
        setup["grid"] + "criteres/ACC-1.1/", {"choice": "yes"}, headers={"HX-Request": "true"}
    )
    page = response.text
    assert 'id="c-ACC-1.1"' in page or "ACC-1.1" in page  # the criterion, swapped in place
    assert '<div id="grid-summary" hx-swap-oob="true">' in page  # the scores, out of band
    assert f"<strong>{before + 1} / " in page.split('id="grid-summary"')[1]
