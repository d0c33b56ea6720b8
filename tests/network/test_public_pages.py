import re

import pytest
from django.urls import reverse

from teranga.network.models import Site

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_home_presents_the_46_sites_grouped_by_region_in_french(client, network):
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert '<html lang="fr">' in page
    assert page.count('href="/espaces/') == 46
    assert page.count('<h2 id="r-') == 14
    assert "Région de Kédougou" in page
    assert page.count('class="badge pilot"') == 6 + 1  # the six pilots and the legend
    assert 'href="/avis/code/"' in page and 'href="/suivi/"' in page  # a citizen's two errands
    assert (
        page.index("Région de Kaolack")
        < page.index("Région de Kédougou")
        < page.index("Région de Kolda")
    )


def test_home_page_queries_do_not_grow_with_the_network(
    client, network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get("/")


def test_a_temporarily_closed_site_is_marked(client, network):
    Site.objects.filter(code="PDR").update(status=Site.Status.CLOSED)
    assert "fermé temporairement" in text(client.get("/")).lower()


def test_site_page_shows_address_hours_and_procedures_with_deadlines(client, network):
    response = client.get(reverse("site-detail", args=["SLO"]))
    assert response.status_code == 200
    page = text(response)
    assert "Espace Sénégal Services de Saint-Louis" in page
    assert "Lundi" in page and "08:00–17:00" in page
    assert "Samedi</th><td>fermé" in page
    assert (
        "Transcription d'un acte d'état civil établi à l'étranger" in page
        or "Transcription d&#x27;un acte d&#x27;état civil établi à l&#x27;étranger" in page
    )
    assert "3 à 10 jours ouvrés" in page


def test_an_unknown_site_page_is_a_404_page(client, network):
    response = client.get("/espaces/NOPE/")
    assert response.status_code == 404


def test_switching_to_wolof_is_remembered_across_pages(client, network):
    response = client.get("/espaces/DKR/?lang=wo")
    assert response.status_code == 302
    assert response["Location"] == "/espaces/DKR/"
    page = text(client.get("/espaces/DKR/"))
    assert '<html lang="wo">' in page
    assert "Altine" in page  # Monday, from CLDR's Wolof data
    assert '<html lang="wo">' in text(client.get("/"))


def test_english_is_one_click_away(client, network):
    client.get("/?lang=en")
    page = text(client.get("/"))
    assert '<html lang="en">' in page
    assert "Dakar region" in page


def test_the_browser_language_does_not_override_french(client, network):
    page = text(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert '<html lang="fr">' in page


def test_the_switch_keeps_other_query_parameters_and_ignores_unknown_languages(client, db):
    response = client.get("/espace-pro/calendrier/?annee=2027&lang=xx")
    assert response["Location"] == "/espace-pro/calendrier/?annee=2027"
    assert "teranga_lang" not in response.cookies


def test_public_pages_carry_no_csrf_token_so_they_can_be_cached(client, network):
    for url in ("/", "/espaces/DKR/"):
        response = client.get(url)
        assert b"csrfmiddlewaretoken" not in response.content
        assert "csrftoken" not in response.cookies


def test_an_unknown_language_falls_back_to_french(client, network):
    client.cookies["teranga_lang"] = "xx"
    assert '<html lang="fr">' in text(client.get("/"))


def test_public_pages_carry_security_headers(client, network):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
