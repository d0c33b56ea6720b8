"""GET /api/v1/indicators: the selectors' values, scoped to the caller, bounded, with clear
errors; and the catalogue."""

from datetime import date

import pytest

from teranga.indicators.selectors import national_area, series, site_area
from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Region, Role
from teranga.network.services import api_token_create
from tests.factories import ProcedureFactory, SiteFactory, staff
from tests.indicators.data import case, rating, ticket

URL = "/api/v1/indicators"


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def small_samples(settings):
    settings.INDICATORS_MIN_SAMPLE = 1
    settings.INDICATORS_MIN_CASES = 1
    settings.FEEDBACK_MIN_SAMPLE = 1


@pytest.fixture
def autumn(two_sites, small_samples):
    """Tickets, ratings and complaints at DKR in September and October, at THS in October."""
    dakar, thies = two_sites
    civil = ProcedureFactory(code="CIVIL")
    land = ProcedureFactory(code="LAND")
    for day, wait in ((date(2026, 9, 14), 300), (date(2026, 9, 15), 2400)):
        ticket(dakar, civil, day, wait=wait, service=300)
    for wait in (60, 600, 1500):
        ticket(dakar, civil, date(2026, 10, 5), wait=wait, service=240)
    ticket(dakar, land, date(2026, 10, 5), wait=3000, service=600)
    ticket(thies, civil, date(2026, 10, 6), wait=120, service=120)
    rating(dakar, date(2026, 10, 5), 5)
    rating(dakar, date(2026, 10, 5), 2, channel="sms")
    case(dakar, filed=date(2026, 10, 5), due=date(2026, 10, 7), resolved=date(2026, 10, 6))
    rollups_rebuild(date(2026, 9, 1), date(2026, 10, 31))
    return dakar, thies, civil, land


def test_site_values_equal_the_selectors(autumn, login, national_admin):
    dakar = autumn[0]
    response = login(national_admin).get(
        URL, {"level": "site", "code": "DKR", "from": "2026-09-01", "to": "2026-10-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["code"], body["from"], body["to"]) == (
        "site",
        "DKR",
        "2026-09-01",
        "2026-10-31",
    )
    expected = series(site_area(dakar), date(2026, 9, 1), date(2026, 10, 31), "month")
    got = {(r["indicator"], r["period_start"]): r for r in body["rows"]}
    assert len(got) == len(expected) == 2 * 16  # 2 months × 16 indicators
    for v in expected:
        row = got[(v.indicator.code, v.period_start.isoformat())]
        assert (row["value"], row["sample"], row["previous"]) == (v.value, v.sample, v.previous)
        assert (row["target"], row["meets_target"], row["unit"]) == (
            v.target,
            v.meets_target,
            v.indicator.unit,
        )
    october = got[("tickets", "2026-10-01")]
    assert (october["value"], october["previous"]) == (4, 2)
    assert got[("wait_median_min", "2026-10-01")]["value"] == 10  # 1, 10 | 25, 50 min


def test_national_by_day_with_chosen_indicators(autumn, login, national_admin):
    response = login(national_admin).get(
        URL,
        {
            "level": "national",
            "from": "2026-10-05",
            "to": "2026-10-06",
            "granularity": "day",
            "indicator": ["tickets,satisfaction_pct", "wait_p90_min"],
        },
    )
    assert response.status_code == 200
    rows = {(r["indicator"], r["period_start"]): r["value"] for r in response.json()["rows"]}
    assert rows == {
        ("tickets", "2026-10-05"): 4,
        ("tickets", "2026-10-06"): 1,
        ("wait_p90_min", "2026-10-05"): 50,
        ("wait_p90_min", "2026-10-06"): 2,
        ("satisfaction_pct", "2026-10-05"): 50.0,
        ("satisfaction_pct", "2026-10-06"): None,
    }
    expected = series(
        national_area(), date(2026, 10, 5), date(2026, 10, 6), "day", codes=["tickets"]
    )
    assert [v.value for v in expected] == [4, 1]


def test_a_procedure_or_a_channel_reads_its_slice(autumn, login, national_admin):
    client = login(national_admin)
    base = {"level": "site", "code": "DKR", "from": "2026-10-01", "to": "2026-10-31"}
    land = client.get(URL, {**base, "procedure": "LAND", "indicator": "tickets"}).json()
    assert [r["value"] for r in land["rows"]] == [1]
    sms = client.get(URL, {**base, "channel": "sms", "indicator": "responses"}).json()
    assert [r["value"] for r in sms["rows"]] == [1]


def test_a_bearer_token_works_and_a_session_too(autumn, client, national_admin):
    params = {"level": "national", "indicator": "tickets"}
    assert client.get(URL, params).status_code == 401
    assert client.get(URL, params, **bearer(national_admin)).status_code == 200
    client.force_login(national_admin)
    assert client.get(URL, params).status_code == 200
    bad = client.get(URL, params, HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad.status_code == 401 and bad.json()["detail"]


def test_site_staff_see_their_site_only(autumn, client):
    dakar = autumn[0]
    SiteFactory(code="PKN", department__region=dakar.department.region)
    agent = staff(Role.AGENT, site=dakar)
    auth = bearer(agent)
    assert client.get(URL, {"level": "site", "code": "DKR"}, **auth).status_code == 200
    for params in (
        {"level": "site", "code": "THS"},
        {"level": "national"},
        {"level": "region", "code": "dakar"},
    ):
        response = client.get(URL, params, **auth)
        assert response.status_code == 403, params
        assert response.json()["detail"]


def test_a_regional_supervisor_sees_the_region_and_its_sites(autumn, client):
    supervisor = staff(Role.REGIONAL_SUPERVISOR, region=Region.objects.get(slug="dakar"))
    auth = bearer(supervisor)
    region = client.get(
        URL,
        {"level": "region", "code": "dakar", "indicator": "tickets", "from": "2026-10-01"},
        **auth,
    )
    assert region.status_code == 200
    october = [r["value"] for r in region.json()["rows"] if r["period_start"] == "2026-10-01"]
    assert october == [4]
    assert client.get(URL, {"level": "site", "code": "DKR"}, **auth).status_code == 200
    assert client.get(URL, {"level": "site", "code": "THS"}, **auth).status_code == 403
    assert client.get(URL, {"level": "region", "code": "thies"}, **auth).status_code == 403
    assert client.get(URL, {"level": "national"}, **auth).status_code == 403


def test_a_partner_sees_the_nation(autumn, client):
    partner = staff(Role.PARTNER)
    response = client.get(
        URL,
        {"level": "national", "from": "2026-10-01", "to": "2026-10-31", "indicator": "tickets"},
        **bearer(partner),
    )
    assert response.status_code == 200
    assert [r["value"] for r in response.json()["rows"]] == [5]


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"level": "site", "code": "XXX"}, 404, "Unknown"),
        ({"level": "region", "code": "nowhere"}, 404, "Région inconnue"),
        ({"level": "planet"}, 422, "level"),
        ({"level": "national", "granularity": "minute"}, 422, "granularity"),
        (
            {"level": "national", "from": "2026-10-31", "to": "2026-10-01"},
            422,
            "ne doit pas être après",
        ),
        ({"level": "national", "from": "2026-13-01"}, 422, "from"),
        ({"level": "national", "indicator": "tickets,happiness"}, 422, "happiness"),
        ({"level": "national", "procedure": "NOPE"}, 422, "NOPE"),
        ({"level": "national", "channel": "pigeon"}, 422, "channel"),
        ({"level": "national", "procedure": "CIVIL", "channel": "sms"}, 422, "pas les deux"),
        (
            {"level": "national", "from": "2020-01-01", "to": "2026-12-31", "granularity": "day"},
            422,
            "400",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(autumn, login, national_admin, params, status, words):
    response = login(national_admin).get(URL, params)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_400_months_are_allowed_but_not_401(autumn, login, national_admin):
    client = login(national_admin)
    params = {"level": "national", "indicator": "tickets", "granularity": "month"}
    ok = client.get(URL, {**params, "from": "1994-01-01", "to": "2027-04-30"})
    assert ok.status_code == 200 and len(ok.json()["rows"]) == 400
    too_many = client.get(URL, {**params, "from": "1994-01-01", "to": "2027-05-01"})
    assert too_many.status_code == 422


def test_query_count_does_not_grow_with_the_months(
    autumn, login, national_admin, django_assert_max_num_queries
):
    client = login(national_admin)
    for first in ("2026-10-01", "2024-01-01"):
        with django_assert_max_num_queries(8 + 5):  # + the quality figures
            response = client.get(URL, {"level": "national", "from": first, "to": "2026-10-31"})
        assert response.status_code == 200


def test_devices_may_not_read_indicators(autumn, client):
    from teranga.network.services import device_create

    _device, raw = device_create(site=autumn[0], kind="kiosk", name="Kiosk")
    response = client.get(URL, {"level": "national"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


def test_catalogue_in_the_request_language(db, client):
    french = client.get(f"{URL}/catalogue").json()
    wait = next(i for i in french if i["code"] == "wait_median_min")
    assert wait == {
        "code": "wait_median_min",
        "name": "Attente médiane",
        "unit": "min",
        "direction": "lower",
        "target": 20,
        "min_sample": wait["min_sample"],
        "family": "reception",
    }
    client.cookies["teranga_lang"] = "en"
    english = client.get(f"{URL}/catalogue").json()
    assert next(i for i in english if i["code"] == "wait_median_min")["name"] == "Median wait"
    assert {i["code"] for i in english} >= {"tickets", "satisfaction_pct", "complaints"}
