"""A self-assessment campaign in a real browser: the national administrator launches it at the
pilot sites, Dakar's quality officer fills the grid (one measured criterion fails: complaints
answered on time; the officer disputes it), the site manager submits, and the gap is listed
with its "Create an action" link. axe finds no serious or critical violation on the grid."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from teranga.network.models import Role, Site
from teranga.network.services import network_load
from teranga.quality.models import Action, Answer, Assessment, Campaign
from teranga.quality.services import referential_publish_default
from tests.factories import PASSWORD, staff
from tests.quality.campaign_data import quarter_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def quality(transactional_db):
    network_load()
    referential_publish_default()
    dakar = Site.objects.get(code="DKR")
    quarter_data(dakar)
    staff(Role.NATIONAL_ADMIN, username="nadia")
    staff(Role.QUALITY_OFFICER, site=dakar, username="awa")
    staff(Role.SITE_MANAGER, site=dakar, username="moussa")


def login(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    return context, page


def criterion(page, code):
    return page.locator(f'article[id="c-{code}"]')


def test_a_campaign_is_launched_filled_and_submitted(browser, live_server, quality):
    # The national team launches the campaign at the pilot sites.
    context, page = login(browser, live_server, "nadia")
    page.get_by_role("link", name="Qualité", exact=True).click()
    page.wait_for_url("**/espace-pro/qualite/")
    page.fill("#id_title", "Auto-évaluation du trimestre")
    page.get_by_label("Les sites pilotes").check()
    page.get_by_role("button", name="Lancer la campagne").click()
    page.wait_for_url(re.compile(r".*/espace-pro/qualite/campagnes/\d+/$"))
    assert "La campagne est lancée." in page.locator(".messages").inner_text()
    assert page.locator("#progress tbody tr").count() == 6
    context.close()
    campaign = Campaign.objects.get()

    # Dakar's quality officer fills the grid, saving criterion by criterion (htmx).
    context, page = login(browser, live_server, "awa")
    page.goto("/espace-pro/sites/DKR/qualite/")
    page.get_by_role("link", name="Auto-évaluation du trimestre").click()
    page.wait_for_url(f"**/qualite/campagnes/{campaign.pk}/")
    complaints = criterion(page, "REP-2.1")
    assert "non atteint" in complaints.locator(".result").inner_text()
    assert "40 %" in complaints.inner_text() and "au moins 90 %" in complaints.inner_text()
    assert serious(page) == []
    complaints.locator("textarea").fill("Une panne du serveur en août a retardé les réponses.")
    complaints.get_by_label("Je conteste ce résultat").check()
    complaints.get_by_role("button", name="Enregistrer").click()
    criterion(page, "REP-2.1").locator(".saved").wait_for()
    declared = Answer.objects.filter(
        assessment__campaign=campaign, assessment__site__code="DKR", criterion__kind="declared"
    ).values_list("criterion__code", flat=True)
    for code in declared:
        row = criterion(page, code)
        row.locator('input[value="yes"]').check()
        row.get_by_role("button", name="Enregistrer").click()
        criterion(page, code).locator(".saved").wait_for()
    # The scores above followed each save without a reload.
    total = len(declared)
    page.locator("#grid-summary", has_text=f"{total} / {total}").wait_for()
    context.close()
    assert Answer.objects.get(assessment__site__code="DKR", criterion__code="REP-2.1").disputed

    # The site manager validates and submits; the failing criterion is a gap to act on.
    context, page = login(browser, live_server, "moussa")
    page.goto(f"/espace-pro/sites/DKR/qualite/campagnes/{campaign.pk}/")
    page.get_by_role("button", name="Valider et soumettre").click()
    page.locator(".messages", has_text="La grille est soumise").wait_for()
    assert "transmise" in page.locator(".status-line").inner_text()
    gap = page.locator("table.gaps tr", has_text="REP-2.1")
    link = gap.get_by_role("link", name="Créer une action")
    assessment = Assessment.objects.get(campaign=campaign, site__code="DKR")
    assert link.get_attribute("href") == (
        f"/espace-pro/sites/DKR/qualite/plan/nouvelle/?criterion=REP-2.1&assessment={assessment.pk}"
    )
    assert assessment.status == "submitted" and assessment.overall is not None
    assert serious(page) == []

    # The manager turns the gap into an action of the site's plan.
    link.click()
    page.wait_for_url("**/plan/nouvelle/?criterion=REP-2.1*")
    assert page.input_value("#id_indicator") == "complaints_answered_on_time_pct"
    assert float(page.input_value("#id_expected_value")) == 90
    page.select_option("#id_owner", label="moussa")
    page.fill("#id_title", "Répondre aux réclamations sous 10 jours ouvrés")
    page.fill("#id_due_date", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Inscrire au plan").click()
    page.wait_for_url("**/plan/*/")
    assert serious(page) == []
    context.close()
    action = Action.objects.get(site__code="DKR", criterion__code="REP-2.1")
    assert (action.origin, action.assessment, action.indicator) == (
        "criterion",
        assessment,
        "complaints_answered_on_time_pct",
    )
