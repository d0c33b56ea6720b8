"""QR posters: A4 PDF and SVG per site and per counter, in French and Wolof, for staff."""

import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from pypdf import PdfReader

from teranga.listening.api import form_token_read
from teranga.network.models import Role
from tests.factories import SiteFactory, staff

SITE_PDF = "/espace-pro/sites/DKR/affiches/avis-{lang}.pdf"
COUNTER_SVG = "/espace-pro/sites/DKR/affiches/G1/avis-{lang}.svg"


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def form_link(svg: str) -> tuple[str, str]:
    href = unescape(re.search(r'<a href="([^"]+)"', svg).group(1))
    url = urlparse(href)
    return url.path, parse_qs(url.query)["t"][0]


def test_site_staff_print_the_site_poster_as_one_a4_page_in_french(login, desk):
    response = login(desk["agent"]).get(SITE_PDF.format(lang="fr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="avis-DKR-fr.pdf"' in response["Content-Disposition"]
    reader, text = pdf_text(response.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert desk["site"].name in text
    assert "Donnez votre avis" in text
    assert "*384*46#" in text and "21046" in text


def test_the_wolof_poster_speaks_wolof(login, desk):
    _, text = pdf_text(login(desk["agent"]).get(SITE_PDF.format(lang="wo")).content)
    assert "Joxe nu sa xalaat" in text
    assert "*384*46#" in text


def test_the_counter_poster_in_svg_points_to_the_form_with_a_valid_token(login, desk):
    response = login(desk["agent"]).get(COUNTER_SVG.format(lang="fr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    root = ET.fromstring(svg)  # well-formed, an A4 drawing
    assert (root.get("width"), root.get("height")) == ("210mm", "297mm")
    path, token = form_link(svg)
    assert path == "/avis/DKR/"
    assert form_token_read(token) == ("DKR", desk["g1"].pk)
    assert desk["g1"].name in svg and "*384*46#" in svg


def test_the_site_poster_token_names_no_counter(login, desk):
    svg = login(desk["agent"]).get("/espace-pro/sites/DKR/affiches/avis-wo.svg").content.decode()
    assert form_token_read(form_link(svg)[1]) == ("DKR", None)


def test_the_national_team_prints_posters_of_any_site(login, desk, national_admin):
    response = login(national_admin).get(COUNTER_SVG.format(lang="wo"))
    assert response.status_code == 200


def test_staff_of_another_site_cannot_print_its_posters(login, desk):
    other = SiteFactory(code="THS")
    outsider = staff(Role.SITE_MANAGER, site=other)
    client = login(outsider)
    assert client.get(SITE_PDF.format(lang="fr")).status_code == 403
    assert client.get(COUNTER_SVG.format(lang="fr")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, desk):
    response = client.get(SITE_PDF.format(lang="fr"))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    "url",
    [
        "/espace-pro/sites/DKR/affiches/avis-en.pdf",
        "/espace-pro/sites/DKR/affiches/avis-fr.png",
        "/espace-pro/sites/DKR/affiches/NOPE/avis-fr.svg",
        "/espace-pro/sites/NOPE/affiches/avis-fr.svg",
    ],
)
def test_unknown_language_format_counter_or_site_is_not_found(login, desk, national_admin, url):
    assert login(national_admin).get(url).status_code == 404


def test_the_staff_site_page_links_every_poster(login, desk):
    page = login(desk["agent"]).get("/espace-pro/sites/DKR/").content.decode()
    for lang in ("fr", "wo"):
        assert SITE_PDF.format(lang=lang) in page
        assert f"/espace-pro/sites/DKR/affiches/avis-{lang}.svg" in page
        for code in ("G1", "G2", "G3"):
            assert f"/espace-pro/sites/DKR/affiches/{code}/avis-{lang}.pdf" in page
    assert "/avis/DKR/tablette/" in page
