"""Public results: the national page, each site's page, their JSON and the A4 poster, with
figures computed by hand, the minimum-sample rule, caching and no personal data."""

import io
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from teranga.indicators.models import Refresh
from teranga.network.models import Role
from tests.factories import staff
from tests.steering.public_data import EMAIL, NAME, PHONE, load, months, small_samples

NBSP = "\u00a0"


@pytest.fixture
def dakar(network, settings):
    small_samples(settings)
    site = network["DKR"]
    load(site)
    return site


def text_of(response) -> str:
    """The words of the page; no-break spaces kept (str.split would take them as spaces)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_a_site_page_shows_its_12_months_figures_with_targets_and_samples(client, dakar):
    response = client.get("/resultats/DKR/")
    assert response.status_code == 200
    page = text_of(response)
    assert dakar.name in page
    # The 12 months together: median 5 min, 4 of 5 called within 20 min, 5 of 6 satisfied.
    assert f"5{NBSP}min" in page
    assert f"80{NBSP}%" in page
    assert f"83,3{NBSP}%" in page and "6 réponses" in page
    assert "Objectif : 20" in page and "ou moins" in page
    # The last full month, in the month-by-month table: median 10 min, 75 % satisfied.
    assert f"10{NBSP}min" in page and f"75{NBSP}%" in page
    assert f"66,7{NBSP}%" in page  # 2 complaints of 3 answered on time
    assert "Dernière mise à jour" in page


def test_a_figure_below_its_minimum_sample_is_replaced_by_a_notice(client, dakar):
    page = text_of(client.get("/resultats/DKR/"))
    # One tracked request due in 12 months (minimum 2): no figure, its sample given.
    assert "Pas encore assez de données" in page and "1 demande à échéance" in page
    # One rating this month (minimum 4).
    assert "Pas encore assez de réponses" in page and "1 réponse" in page
    assert f"100{NBSP}%" not in page  # the month before: 2 ratings of 5, never published


def test_the_current_month_is_shown_to_date_and_labelled(client, dakar):
    from teranga.steering.public import month_label

    page = text_of(client.get("/resultats/DKR/"))
    assert f"{month_label(months().current)} (au " in page
    assert f"{month_label(months().current)} jusqu’ici" in page


def test_the_site_page_speaks_wolof(client, dakar):
    client.cookies["teranga_lang"] = "wo"
    response = client.get("/resultats/DKR/")
    assert response["Content-Language"] == "wo"
    page = text_of(response)
    assert "Kalite bi ñu jox" in page
    assert "Amagul tontu yu doy" in page
    assert f"83,3{NBSP}%" in page


def test_the_national_page_lists_every_site_linking_to_its_page(client, dakar):
    response = client.get("/resultats/")
    assert response.status_code == 200
    body = response.content.decode()
    links = set(re.findall(r'href="/resultats/([A-Z0-9]+)/"', body))
    assert len(links) == 46
    page = text_of(response)
    assert "Résultats du réseau" in page
    assert f"83,3{NBSP}%" in page  # DKR's figure, the only site with data, also the nation's


def test_public_pages_read_a_fixed_number_of_queries(client, dakar, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get("/resultats/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/resultats/DKR/").status_code == 200


def test_results_pages_are_cacheable_and_revalidate_with_their_etag(client, dakar):
    response = client.get("/resultats/DKR/")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get("/resultats/DKR/", headers={"if-none-match": etag}).status_code == 304
    client.cookies["teranga_lang"] = "wo"  # another language is another page
    assert client.get("/resultats/DKR/", headers={"if-none-match": etag}).status_code == 200


def test_a_logged_in_staff_member_gets_a_private_copy(client, dakar):
    client.force_login(staff(Role.AGENT, site=dakar))
    assert "private" in client.get("/resultats/DKR/")["Cache-Control"]


def test_an_unknown_site_has_no_results_page(client, network):
    assert client.get("/resultats/XXX/").status_code == 404
    assert client.get("/api/v1/public/results/XXX").status_code == 404
    assert client.get("/resultats/XXX/affiche-fr.pdf").status_code == 404


def test_the_results_are_linked_from_the_home_the_site_page_and_the_staff_page(client, dakar):
    assert 'href="/resultats/"' in client.get("/").content.decode()
    assert 'href="/resultats/DKR/"' in client.get("/espaces/DKR/").content.decode()
    client.force_login(staff(Role.AGENT, site=dakar))
    body = client.get("/espace-pro/sites/DKR/").content.decode()
    assert 'href="/resultats/DKR/affiche-fr.pdf"' in body
    assert 'href="/resultats/DKR/affiche-wo.pdf"' in body


def test_the_api_gives_the_monthly_values_with_samples_and_null_below_the_minimum(client, dakar):
    response = client.get("/api/v1/public/results/DKR")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    data = response.json()
    assert data["area"] == {"level": "site", "code": "DKR", "name": dakar.name}
    assert data["page"].endswith("/resultats/DKR/")
    assert data["last_update"] is not None
    by_code = {i["code"]: i for i in data["indicators"]}
    assert set(by_code) == {
        "wait_median_min",
        "served_within_target_pct",
        "complaints_answered_on_time_pct",
        "requests_on_time_pct",
        "satisfaction_pct",
    }
    satisfaction = by_code["satisfaction_pct"]
    assert satisfaction["target"] == 80 and satisfaction["min_sample"] == 4
    assert satisfaction["last_12_months"] == {"value": 83.3, "sample": 6, "meets_target": True}
    assert len(satisfaction["months"]) == 13
    month = {m["period"]: m for m in satisfaction["months"]}
    m = months()
    assert month[m.last.strftime("%Y-%m")] == {
        "period": m.last.strftime("%Y-%m"),
        "complete": True,
        "value": 75.0,
        "sample": 4,
        "meets_target": False,
    }
    assert month[m.before.strftime("%Y-%m")]["value"] is None
    assert month[m.before.strftime("%Y-%m")]["sample"] == 2
    current = satisfaction["months"][-1]
    assert current["complete"] is False and current["value"] is None and current["sample"] == 1
    wait = by_code["wait_median_min"]
    assert wait["last_12_months"] == {"value": 5, "sample": 5, "meets_target": True}
    assert by_code["requests_on_time_pct"]["last_12_months"]["value"] is None


def test_the_national_api_lists_the_nation_and_every_site(client, dakar):
    data = client.get("/api/v1/public/results").json()
    assert data["area"]["level"] == "national"
    assert len(data["sites"]) == 46
    row = next(s for s in data["sites"] if s["code"] == "DKR")
    assert row["url"].endswith("/resultats/DKR/")
    assert row["last_12_months"]["satisfaction_pct"]["value"] == 83.3
    other = next(s for s in data["sites"] if s["code"] == "KLK")
    assert other["last_12_months"]["wait_median_min"] == {
        "value": None,
        "sample": 0,
        "meets_target": None,
    }


def test_the_poster_is_an_a4_pdf_with_the_figures_in_french(client, dakar):
    response = client.get("/resultats/DKR/affiche-fr.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert dakar.name in text
    assert "Nos résultats" in text
    assert "83,3 %" in text and "6 réponses" in text
    assert "5 min" in text and "80 %" in text
    assert "Pas encore assez de données" in text
    assert "/resultats/DKR/" in text  # the address the QR code points to
    assert "Dernière mise à jour" in text


def test_the_poster_speaks_wolof(client, dakar):
    _, text = pdf_text(client.get("/resultats/DKR/affiche-wo.pdf").content)
    assert dakar.name in text
    assert "Sunu njureef" in text
    assert "83,3 %" in text
    assert client.get("/resultats/DKR/affiche-en.pdf").status_code == 404


def test_public_results_carry_no_personal_data(client, dakar):
    bodies = [
        client.get(url).content.decode()
        for url in (
            "/resultats/",
            "/resultats/DKR/",
            "/api/v1/public/results",
            "/api/v1/public/results/DKR",
        )
    ]
    bodies.append(pdf_text(client.get("/resultats/DKR/affiche-fr.pdf").content)[1])
    for body in bodies:
        for secret in (PHONE, PHONE[4:], EMAIL, NAME):
            assert secret not in body


def test_a_code_no_site_can_hold_is_not_found_rather_than_an_error(client, network):
    assert client.get("/resultats/D%00K/").status_code == 404
    assert client.get("/api/v1/public/results/D%00K").status_code == 404


def test_a_visitors_page_is_rendered_once_until_the_figures_change(
    client, dakar, django_assert_max_num_queries
):
    first = client.get("/resultats/")
    with django_assert_max_num_queries(2):  # the last update (ETag); no figure read again
        again = client.get("/resultats/")
    assert again.content == first.content
    client.cookies["teranga_lang"] = "wo"  # another language, another copy
    assert client.get("/resultats/").content != first.content
    del client.cookies["teranga_lang"]
    now, today = timezone.now(), timezone.localdate()
    Refresh.objects.create(
        kind=Refresh.Kind.REFRESH,
        started_at=now,
        finished_at=now,
        first_day=today,
        last_day=today,
        days=1,
    )
    with CaptureQueriesContext(connection) as queries:  # new figures: rendered again
        assert client.get("/resultats/").status_code == 200
    assert len(queries) > 2


def test_a_visitors_pending_message_is_never_shown_to_another(client, dakar):
    client.get("/resultats/DKR/")  # the visitors' copy
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage._store([Message(constants.SUCCESS, "R-DKR-2026-00042")], response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "R-DKR-2026-00042" in client.get("/resultats/DKR/").content.decode()
    del client.cookies[storage.cookie_name]
    assert "R-DKR-2026-00042" not in client.get("/resultats/DKR/").content.decode()
