"""The national dashboard in a real browser: a national administrator opens it, changes the
indicator of the tile map (htmx swaps the dashboard), sees the map and the ranking; axe finds
no serious or critical violation."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Procedure, Role, Site
from teranga.network.services import network_load
from tests.factories import PASSWORD, staff
from tests.indicators.data import rating, ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def history(transactional_db, settings):
    """Last month at a few sites: DKR busy and quick, THS slower, KDG below the minimum."""
    settings.INDICATORS_MIN_SAMPLE = 3
    network_load()
    sites = {s.code: s for s in Site.objects.all()}
    procedure = Procedure.objects.first()
    day = timezone.localdate().replace(day=1) - timedelta(days=20)
    for code, waits in (("DKR", (60, 300, 600, 900)), ("THS", (1200, 1800, 2400)), ("KDG", (60,))):
        for wait in waits:
            ticket(sites[code], procedure, day, wait=wait, service=300)
    rating(sites["DKR"], day, 5)
    rollups_rebuild(day.replace(day=1), timezone.localdate())
    staff(Role.NATIONAL_ADMIN, username="nadia")


def test_national_admin_changes_the_map_indicator(browser, live_server, history):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/connexion/")
    page.fill("#id_username", "nadia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    page.get_by_role("link", name="Tableau de bord national").click()
    page.wait_for_url("**/espace-pro/pilotage/")
    tile_map = page.locator("#tile-map")
    assert "Attente médiane par site" in tile_map.locator("title").text_content()
    assert "DKR" in tile_map.text_content() and "5 min" in tile_map.text_content()
    ranking = page.locator("#ranking")
    assert ranking.locator("tbody tr").first.inner_text().split("\t")[1].startswith("Espace")
    assert "KDG" in page.locator("#not-ranked").inner_text()
    assert serious(page) == []

    page.select_option("#f-indicator", "tickets")  # htmx swaps the dashboard, no reload
    page.wait_for_url("**indicator=tickets**")
    page.locator("#tile-map title", has_text="Tickets délivrés par site").wait_for(state="attached")
    assert "DKR" in page.locator("#tile-map").text_content()
    first_row = page.locator("#ranking tbody tr").first.inner_text()
    assert "DKR" in first_row and "4" in first_row  # a volume: the biggest first
    assert serious(page) == []
    context.close()
