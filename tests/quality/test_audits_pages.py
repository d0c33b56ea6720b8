"""Audit, label and mystery pages (in French, the default language): scoped, forms with
errors beside fields, nothing written on refusal."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from teranga.network.models import Role
from teranga.quality import audits, mystery
from teranga.quality.models import Audit, Evidence, Finding, LabelDecision, MysteryCheck
from teranga.quality.mystery import GridItem
from teranga.quality.services import referential_publish_default
from tests.factories import staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OBSERVED = ["INFO-2.2", "ACC-1.2", "ACC-3.3", "REP-3.2"]


@pytest.fixture
def s(two_sites, national_admin):
    referential_publish_default()
    dakar, thies = two_sites
    auditor = staff(Role.AUDITOR, site=dakar, username="auditeur")
    audit = audits.audit_plan(
        actor=national_admin,
        site=dakar,
        kind="certification",
        planned_on=date(2026, 3, 2),
        auditor=auditor,
        body="Cabinet Sahel",
    )
    return {
        "dakar": dakar,
        "thies": thies,
        "admin": national_admin,
        "auditor": auditor,
        "audit": audit,
        "url": f"/espace-pro/sites/DKR/qualite/audits/{audit.pk}/",
    }


def test_auditor_sees_only_assigned_sites(s, login):
    outsider = staff(Role.AUDITOR, site=s["thies"])
    page = login(s["auditor"]).get("/espace-pro/qualite/audits/")
    assert page.status_code == 200 and "Cabinet Sahel" in page.text
    page = login(outsider).get("/espace-pro/qualite/audits/")
    assert page.status_code == 200 and "Cabinet Sahel" not in page.text
    assert login(outsider).get(s["url"]).status_code == 403
    assert login(outsider).get("/espace-pro/sites/DKR/qualite/audits/").status_code == 403
    assert login(s["auditor"]).get("/espace-pro/qualite/label/").status_code == 403
    assert login(s["auditor"]).get("/espace-pro/qualite/audits/nouveau/").status_code == 403


def test_plan_form_shows_errors_beside_fields(s, login):
    client = login(s["admin"])
    assert client.get("/espace-pro/qualite/audits/nouveau/?site=DKR").status_code == 200
    other = staff(Role.AUDITOR, site=s["thies"], username="autre")
    page = client.post(
        "/espace-pro/qualite/audits/nouveau/",
        {
            "site": s["thies"].pk,
            "kind": "internal",
            "auditor": s["auditor"].pk,
            "planned_on": "2026-04-01",
            "referential": audits.Referential.objects.get().pk,
        },
    )
    assert page.status_code == 200 and "pas le rôle d" in page.text
    assert Audit.objects.count() == 1
    page = client.post(
        "/espace-pro/qualite/audits/nouveau/",
        {
            "site": s["thies"].pk,
            "kind": "internal",
            "auditor": other.pk,
            "planned_on": "2026-04-01",
            "referential": audits.Referential.objects.get().pk,
        },
    )
    assert page.status_code == 302 and Audit.objects.filter(site=s["thies"]).exists()


def test_auditor_records_a_finding_with_evidence_on_the_grid(s, login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = login(s["auditor"])
    page = client.get(s["url"])
    assert (
        page.status_code == 200 and "ACC-1.2" in page.text and "Enregistrer un constat" in page.text
    )
    response = client.post(
        s["url"],
        {
            "criterion": "ACC-1.2",
            "result": "minor",
            "note": "Accueil sec",
            "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.result == "minor" and finding.evidence.count() == 2
    page = client.get(s["url"])
    assert f"plan/nouvelle/?finding={finding.pk}" in page.text
    # A bad file: the error beside the form, nothing written.
    page = client.post(
        s["url"],
        {"criterion": "ACC-3.3", "result": "major", "files": SimpleUploadedFile("x.pdf", b"<x>")},
    )
    assert page.status_code == 422 and "PDF, JPEG" in page.text
    assert Finding.objects.count() == 1 and Evidence.objects.count() == 2
    # Completing too early says which criteria are missing.
    page = client.post(s["url"], {"complete": "1", "conclusion": "Fin"})
    assert page.status_code == 422 and "INFO-2.2, ACC-3.3, REP-3.2" in page.text


def test_outsider_and_partner_cannot_write_and_completed_audit_is_read_only(s, login):
    partner = staff(Role.PARTNER)
    response = login(partner).post(s["url"], {"criterion": "ACC-1.2", "result": "major"})
    assert response.status_code == 403 and not Finding.objects.exists()
    for code in OBSERVED:
        audits.finding_record(
            actor=s["auditor"], audit=s["audit"], criterion_code=code, result="conform"
        )
    client = login(s["auditor"])
    response = client.post(s["url"], {"complete": "1", "conclusion": "Très bien"})
    assert response.status_code == 302
    page = client.get(s["url"])
    assert "Enregistrer un constat" not in page.text and "Très bien" in page.text
    response = client.post(s["url"], {"criterion": "ACC-1.2", "result": "major"})
    assert response.status_code == 409
    assert Finding.objects.get(criterion__code="ACC-1.2").result == "conform"


def test_label_decision_and_pages(s, login):
    for code in OBSERVED:
        audits.finding_record(
            actor=s["auditor"], audit=s["audit"], criterion_code=code, result="conform"
        )
    audits.audit_complete(actor=s["auditor"], audit=s["audit"], conclusion="OK")
    client = login(s["admin"])
    form = client.get(f"/espace-pro/qualite/label/decision/?site=DKR&audit={s['audit'].pk}")
    assert form.status_code == 200
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = client.post(
        "/espace-pro/qualite/label/decision/",
        {"site": s["dakar"].pk, "decision": "granted", "decided_on": future},
    )
    assert page.status_code == 200 and "dans le futur" in page.text
    assert not LabelDecision.objects.exists()
    decided_on = timezone.localdate() - timedelta(days=30)
    response = client.post(
        "/espace-pro/qualite/label/decision/",
        {
            "site": s["dakar"].pk,
            "decision": "granted",
            "decided_on": decided_on.isoformat(),
            "audit": s["audit"].pk,
        },
    )
    assert response.status_code == 302
    label = client.get("/espace-pro/qualite/label/")
    assert label.status_code == 200 and "Labellisé jusqu" in label.text and "THS" in label.text
    site_page = login(staff(Role.QUALITY_OFFICER, site=s["dakar"])).get(
        "/espace-pro/sites/DKR/qualite/audits/"
    )
    assert site_page.status_code == 200 and "audit de suivi attendu avant" in site_page.text


@pytest.fixture
def campaign(s):
    return mystery.mystery_campaign_create(
        actor=s["admin"],
        title="Visites 2026",
        channel="visit",
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        items=[GridItem("ACC-1.2", 2, "Courtoisie", "Courtesy"), GridItem("REP-3.2", 1, "C", "C")],
    )


def test_campaign_form_offers_the_default_grid_and_creates(s, login):
    client = login(s["admin"])
    page = client.get("/espace-pro/qualite/mystere/nouvelle/?channel=phone")
    assert page.status_code == 200 and "Courtoisie au téléphone" in page.text
    grid = mystery.default_grid(audits.Referential.objects.get(), "phone")
    data = {
        "title": "Appels",
        "channel": "phone",
        "period_start": "2026-02-01",
        "period_end": "2026-02-28",
        "pass_level": "7",
        "items-TOTAL_FORMS": str(len(grid) + 1),
        "items-INITIAL_FORMS": "0",
    }
    for n, item in enumerate(grid):
        data |= {
            f"items-{n}-criterion": item.criterion,
            f"items-{n}-title_fr": item.title_fr,
            f"items-{n}-title_en": item.title_en,
            f"items-{n}-weight": item.weight,
        }
    data[f"items-{len(grid)}-weight"] = "1"  # an empty line is left out
    response = client.post("/espace-pro/qualite/mystere/nouvelle/", data)
    assert response.status_code == 302, response.content
    created = mystery.MysteryCampaign.objects.get(title="Appels")
    assert created.items.count() == len(grid)
    bad = client.post("/espace-pro/qualite/mystere/nouvelle/", {**data, "pass_level": "12"})
    assert bad.status_code == 200 and mystery.MysteryCampaign.objects.count() == 1


def test_check_form_and_site_results(s, login, campaign):
    courtesy, clarity = campaign.items.all()
    client = login(s["auditor"])
    url = f"/espace-pro/qualite/mystere/{campaign.pk}/controle/"
    assert client.get(url).status_code == 200
    base = {"site": "DKR", "performed_at": "2026-02-10T10:00", "checker": "M. Diop"}
    page = client.post(url, {**base, f"item_{courtesy.pk}": "11", f"item_{clarity.pk}": "5"})
    assert page.status_code == 422 and not MysteryCheck.objects.exists()
    page = client.post(
        url,
        {
            **base,
            "performed_at": "2026-03-10T10:00",
            f"item_{courtesy.pk}": 8,
            f"item_{clarity.pk}": 5,
        },
    )
    assert page.status_code == 409 and "hors de la période" in page.text
    page = client.post(
        url, {**base, "site": "THS", f"item_{courtesy.pk}": 8, f"item_{clarity.pk}": 5}
    )
    assert page.status_code == 422 and not MysteryCheck.objects.exists()
    response = client.post(url, {**base, f"item_{courtesy.pk}": 4, f"item_{clarity.pk}": 5})
    assert response.status_code == 302
    check = MysteryCheck.objects.get()
    assert round(check.score, 2) == 4.33
    page = client.get("/espace-pro/sites/DKR/qualite/mystere/")
    assert page.status_code == 200 and f"?mystery={check.pk}" in page.text
    outsider = staff(Role.QUALITY_OFFICER, site=s["thies"])
    assert login(outsider).get("/espace-pro/sites/DKR/qualite/mystere/").status_code == 403
    assert login(outsider).get(url).status_code == 403
    results = login(s["admin"]).get(f"/espace-pro/qualite/mystere/{campaign.pk}/")
    assert results.status_code == 200 and "4,3" in results.text  # French decimal comma
    assert login(s["auditor"]).get(f"/espace-pro/qualite/mystere/{campaign.pk}/").status_code == 403
