"""Monthly reports in a real browser: a site manager picks a month, downloads the site's
report, and the page says while it is prepared and once it has arrived."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Role
from tests.factories import PASSWORD, ProcedureFactory, SiteFactory, staff
from tests.indicators.data import ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_site_manager_downloads_the_monthly_pdf_and_sees_its_progress(
    browser, live_server, tmp_path
):
    site = SiteFactory(code="DKR", name="Espace Sénégal Services de Dakar")
    ticket(site, ProcedureFactory(), date(2026, 10, 5), wait=60, service=60)
    rollups_rebuild(date(2026, 10, 1), date(2026, 10, 31))
    staff(Role.SITE_MANAGER, site=site, username="chef")
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/connexion/")
    page.fill("#id_username", "chef")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    page.get_by_role("link", name="Rapports mensuels").click()
    page.fill("#id_month", "2026-10")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/espace-pro/rapports/?month=2026-10")
    assert [v["id"] for v in Axe().run(page).response["violations"]] == []
    # Every text the status line shows, in order.
    page.evaluate(
        """() => { const status = document.getElementById("report-status"); window.seen = [];
        new MutationObserver(() => seen.push(status.textContent))
          .observe(status, {childList: true, characterData: true, subtree: true}); }"""
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport DKR (PDF)").click()
    assert download.value.suggested_filename == "teranga-DKR-2026-10.pdf"
    target = tmp_path / "report.pdf"
    download.value.save_as(target)
    assert "Espace Sénégal Services de Dakar" in PdfReader(target).pages[0].extract_text()
    # Polled from Python: the page's CSP forbids the eval that wait_for_function needs.
    status = page.locator("#report-status")
    for _ in range(100):
        if "téléchargé" in status.text_content():
            break
        page.wait_for_timeout(100)
    assert "téléchargé" in status.text_content()
    context.close()
