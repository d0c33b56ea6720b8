"""The rating tablet's page and its service worker, as served (the browser test drives them)."""

import gzip

from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from teranga.listening.tablet import TABLET_ASSETS
from tests.factories import SiteFactory

URL = "/avis/DKR/tablette/"


def test_the_tablet_page_is_served_without_any_token_or_form(client, desk):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="tablet"' in page and 'data-site="DKR"' in page
    assert "csrfmiddlewaretoken" not in page
    # Not paired yet: the pairing screen is there for the script to show.
    assert 'id="pairing"' in page and 'id="pair-form"' in page
    assert page.count('class="face ') == 5
    assert 'data-api="/api/v1/feedback/responses"' in page


def test_an_unknown_site_has_no_tablet(client, db):
    assert client.get("/avis/NOPE/tablette/").status_code == 404


def test_a_closed_site_shows_it_and_offers_no_faces(client, db):
    SiteFactory(code="FRM", closed=True)
    page = client.get("/avis/FRM/tablette/").content.decode()
    assert 'id="closed"' in page and "temporairement fermé" in page
    assert 'class="face ' not in page


@override_settings(FEEDBACK_TABLET_MIN_INTERVAL_SECONDS=7)
def test_the_minimum_interval_between_presses_comes_from_the_settings(client, desk):
    assert 'data-min-interval="7"' in client.get(URL).content.decode()


def test_the_page_carries_french_and_wolof_so_the_switch_works_offline(client, desk):
    page = client.get(URL).content.decode()
    assert '<html lang="fr">' in page
    assert "Comment s’est passée votre visite aujourd’hui ?" in page
    assert 'data-lang="wo" lang="wo"' in page
    assert "Contaan lool" in page  # "very happy", in the Wolof catalogue of the page


def test_a_wolof_visitor_gets_the_page_in_wolof_first(client, desk):
    client.get(URL + "?lang=wo")
    page = client.get(URL).content.decode()
    assert '<html lang="wo">' in page and 'data-lang="wo"' in page


def test_the_service_worker_is_javascript_never_cached_and_lists_the_assets(client, db):
    response = client.get(reverse("listening-sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    assert source.startswith("const ASSETS = [")
    for name in TABLET_ASSETS:
        assert f'"/static/{name}"' in source
    assert 'addEventListener("fetch"' in source


def test_the_tablet_page_and_its_assets_weigh_less_than_50_kb_as_served(client, desk):
    page = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    total = len(page.content)
    worker = client.get(reverse("listening-sw"), HTTP_ACCEPT_ENCODING="gzip")
    total += len(worker.content)
    for name in TABLET_ASSETS:
        # whitenoise serves the pre-compressed copy made by collectstatic
        with open(finders.find(name), "rb") as f:
            total += len(gzip.compress(f.read()))
    assert total <= 50_000, total
