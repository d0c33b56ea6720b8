"""The reports page and downloads: staff only, scoped to the user's sites, national report for
national roles, attachments named after the site and the month."""

import io

import pytest
from openpyxl import load_workbook

from teranga.network.models import Role
from tests.factories import UserFactory, staff

DKR_PDF = "/espace-pro/rapports/DKR/2026-10.pdf"
DKR_XLSX = "/espace-pro/rapports/DKR/2026-10.xlsx"
THS_XLSX = "/espace-pro/rapports/THS/2026-10.xlsx"
NATIONAL_XLSX = "/espace-pro/rapports/national/2026-10.xlsx"
PAGE = "/espace-pro/rapports/"


@pytest.fixture
def dakar_agent(october):
    return staff(Role.AGENT, site=october["dakar"])


def test_site_staff_download_their_site_report_as_an_attached_pdf(login, dakar_agent):
    response = login(dakar_agent).get(DKR_PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="teranga-DKR-2026-10.pdf"'
    assert response.content.startswith(b"%PDF")


def test_site_staff_download_the_workbook_with_the_figures(login, dakar_agent):
    response = login(dakar_agent).get(DKR_XLSX)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="teranga-DKR-2026-10.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Indicateurs"]
    assert [sheet["B2"].value, sheet["C2"].value] == ["tickets", 7]


def test_site_staff_are_refused_another_site_and_the_national_report(login, dakar_agent):
    client = login(dakar_agent)
    assert client.get(THS_XLSX).status_code == 403
    assert client.get(NATIONAL_XLSX).status_code == 403


def test_a_national_admin_downloads_every_report(login, national_admin, october):
    client = login(national_admin)
    for url in (DKR_XLSX, THS_XLSX, NATIONAL_XLSX):
        assert client.get(url).status_code == 200, url
    response = client.get(NATIONAL_XLSX)
    assert 'filename="teranga-national-2026-10.xlsx"' in response["Content-Disposition"]


def test_a_partner_downloads_the_national_report(login, october):
    partner = staff(Role.PARTNER)
    assert login(partner).get(NATIONAL_XLSX).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, october):
    for url in (PAGE, DKR_PDF, NATIONAL_XLSX):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    "url",
    [
        "/espace-pro/rapports/DKR/2026-13.pdf",  # no such month
        "/espace-pro/rapports/DKR/octobre.pdf",
        "/espace-pro/rapports/DKR/2099-01.pdf",  # not started yet
        "/espace-pro/rapports/DKR/2026-10.docx",
        "/espace-pro/rapports/XYZ/2026-10.pdf",  # no such site
    ],
)
def test_bad_report_addresses_are_not_found(login, national_admin, october, url):
    assert login(national_admin).get(url).status_code == 404


def test_the_page_lists_the_reports_of_the_users_sites_only(login, dakar_agent):
    response = login(dakar_agent).get(PAGE + "?month=2026-10")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/espace-pro/rapports/DKR/2026-10.pdf"' in body
    assert 'href="/espace-pro/rapports/DKR/2026-10.xlsx"' in body
    assert "/THS/" not in body and "/national/" not in body


def test_the_page_offers_the_national_report_and_every_site_to_national_roles(login, october):
    body = login(staff(Role.PARTNER)).get(PAGE + "?month=2026-09").content.decode()
    for code in ("national", "DKR", "THS"):
        assert f'href="/espace-pro/rapports/{code}/2026-09.pdf"' in body


def test_the_page_picks_last_month_and_says_when_the_month_is_wrong(login, dakar_agent):
    client = login(dakar_agent)
    assert "/DKR/2026-10.pdf" in client.get(PAGE).content.decode()  # today: November 2026
    body = client.get(PAGE + "?month=2099-01").content.decode()
    assert "pas encore commencé" in body
    assert "/DKR/2026-10.pdf" in body


def test_users_without_a_role_are_refused_the_page(login, october):
    assert login(UserFactory()).get(PAGE).status_code == 403
