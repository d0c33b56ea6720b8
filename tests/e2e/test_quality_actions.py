"""Action plans in a real browser: a quality officer sees a recurring complaint theme on the
plan, creates an action from it, moves it along, and the pages pass axe."""

import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from teranga.cases import services as cases
from teranga.network.models import Role
from teranga.quality.models import Action
from teranga.quality.services import referential_publish_default
from tests.factories import PASSWORD, SiteFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _violations(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]]


def test_an_officer_turns_a_complaint_theme_into_an_action_and_follows_it(page, tmp_path):
    referential_publish_default()
    site = SiteFactory(code="DKR", name="Espace Sénégal Services de Dakar")
    staff(Role.QUALITY_OFFICER, site=site, username="qualite")
    agent = staff(Role.AGENT, site=site, username="agent")
    for _ in range(2):
        filed = cases.case_file(
            site=site, kind="complaint", message="Trop d'attente", channel="web",
            client_id=uuid.uuid4(), user=agent,
        )  # fmt: skip
        cases.case_tags_set(case=filed.case, actor=agent, tags="attente")
    page.goto("/connexion/")
    page.fill("#id_username", "qualite")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    page.goto("/espace-pro/sites/DKR/qualite/plan/")
    assert _violations(page) == []
    page.get_by_role("link", name="Créer une action").click()
    page.wait_for_url("**/plan/nouvelle/?theme=attente")
    assert _violations(page) == []
    assert "attente" in page.input_value("#id_title")
    page.select_option("#id_owner", label="agent")
    due = timezone.localdate() + timedelta(days=14)
    page.fill("#id_due_date", due.isoformat())
    page.select_option("#id_indicator", "satisfaction_pct")
    page.fill("#id_expected_value", "80")
    page.get_by_role("button", name="Inscrire au plan").click()
    page.wait_for_url("**/plan/*/")
    page.select_option("#progress-status", "in_progress")
    page.fill("#progress-note", "Affiche de l'attente estimée commandée")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator("#action-status").text_content() == "en cours"
    assert _violations(page) == []
    page.screenshot(path=str(tmp_path / "action.png"), full_page=True)
    action = Action.objects.get()
    assert (action.origin, action.complaint_theme, action.owner) == ("complaints", "attente", agent)
    page.goto("/espace-pro/sites/DKR/qualite/plan/")
    assert "une action est en cours" in page.content()
