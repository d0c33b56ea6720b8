"""An auditor records a finding on the audit grid in a real browser; the national label page
and a site's mystery checks pass axe."""

from datetime import date, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from teranga.network.models import Role
from teranga.quality import audits, mystery
from teranga.quality.models import Finding
from teranga.quality.mystery import GridItem
from teranga.quality.services import referential_publish_default
from tests.factories import PASSWORD, SiteFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = "var/screenshots"


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _login(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    return page


def test_auditor_records_a_finding_and_pages_pass_axe(browser, live_server, transactional_db):
    referential_publish_default()
    site = SiteFactory(code="DKR", name="Espace Sénégal Services de Dakar")
    admin = staff(Role.NATIONAL_ADMIN, username="nat")
    auditor = staff(Role.AUDITOR, site=site, username="aud")
    audit = audits.audit_plan(
        actor=admin, site=site, kind="certification", planned_on=date(2026, 3, 2), auditor=auditor
    )
    campaign = mystery.mystery_campaign_create(
        actor=admin,
        title="Visites",
        channel="visit",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        items=[GridItem("ACC-1.2", 2, "Courtoisie", "Courtesy"), GridItem("REP-3.2", 1, "C", "C")],
    )
    mystery.mystery_check_record(
        actor=admin,
        campaign=campaign,
        site=site,
        performed_at=timezone.make_aware(datetime(2026, 2, 3, 10)),
        points={i.pk: 4 for i in campaign.items.all()},
    )

    page = _login(browser, live_server, "aud")
    page.goto(f"/espace-pro/sites/DKR/qualite/audits/{audit.pk}/")
    row = page.locator("#c-ACC-1\\.2")
    row.get_by_text("Enregistrer un constat").click()
    row.get_by_label("non-conformité mineure").check()
    row.get_by_label("Note").fill("Accueil sec au guichet 3.")
    row.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Constat enregistré.")
    assert Finding.objects.get().result == "minor"
    assert serious(page) == []
    page.screenshot(path=f"{SHOTS}/quality-audit-grid.png", full_page=False)

    page = _login(browser, live_server, "nat")
    page.goto("/espace-pro/qualite/label/")
    assert serious(page) == []
    page.goto("/espace-pro/sites/DKR/qualite/mystere/")
    assert page.get_by_role("link", name="Créer une action").count() == 1
    assert serious(page) == []
    page.screenshot(path=f"{SHOTS}/quality-mystery-site.png", full_page=True)
    page.goto("/espace-pro/qualite/mystere/nouvelle/?channel=visit")
    assert serious(page) == []
