"""Open data: monthly values per site, region and nation and per indicator, as CSV and JSON,
documented, licensed, never a value below its minimum sample, never a personal datum."""

import csv
import io
import json

import pytest

from teranga.steering import opendata
from tests.steering.public_data import EMAIL, NAME, PHONE, load, months, small_samples

COLUMNS = [
    "level",
    "area_code",
    "area_name",
    "region",
    "period",
    "indicator",
    "indicator_name",
    "unit",
    "value",
    "sample",
    "min_sample",
    "target",
    "meets_target",
]


@pytest.fixture
def dakar(network, settings):
    small_samples(settings)
    site = network["DKR"]
    load(site)
    return site


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def by_key(rows) -> dict:
    return {(r["level"], r["area_code"], r["period"], r["indicator"]): r for r in rows}


def test_the_csv_gives_each_months_values_with_samples_per_site_region_and_nation(client, dakar):
    response = client.get("/open-data/indicators.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    rows = csv_rows(response)
    assert list(rows[0]) == COLUMNS
    found = by_key(rows)
    last = months().last.strftime("%Y-%m")
    wait = found[("site", "DKR", last, "wait_median_min")]
    assert wait["area_name"] == dakar.name and wait["region"] == "Dakar"
    assert (wait["value"], wait["sample"], wait["unit"]) == ("10", "3", "min")
    assert (wait["target"], wait["meets_target"], wait["min_sample"]) == ("20", "true", "3")
    satisfaction = found[("site", "DKR", last, "satisfaction_pct")]
    assert (satisfaction["value"], satisfaction["sample"]) == ("75", "4")
    assert satisfaction["meets_target"] == "false"
    assert satisfaction["indicator_name"] == "Usagers satisfaits"
    assert found[("national", "SN", last, "satisfaction_pct")]["value"] == "75"
    assert found[("region", "dakar", last, "tickets")]["value"] == "3"
    # Every indicator of the catalogue, for each area and month.
    assert {r["indicator"] for r in rows} == {i.code for i in opendata.catalogue()}


def test_no_value_is_published_below_its_minimum_sample(client, dakar):
    found = by_key(csv_rows(client.get("/open-data/indicators.csv")))
    m = months()
    before = found[("site", "DKR", m.before.strftime("%Y-%m"), "satisfaction_pct")]
    assert (before["value"], before["sample"], before["meets_target"]) == ("", "2", "")
    request = found[("site", "DKR", m.last.strftime("%Y-%m"), "requests_on_time_pct")]
    assert (request["value"], request["sample"]) == ("", "1")


def test_the_files_hold_full_months_only(client, dakar):
    rows = csv_rows(client.get("/open-data/indicators.csv"))
    assert months().current.strftime("%Y-%m") not in {r["period"] for r in rows}


def test_the_json_holds_the_same_rows_with_its_licence_and_definitions(client, dakar):
    response = client.get("/open-data/indicators.json")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    assert data["licence"] == "Licence Ouverte / Open Licence 2.0 (Etalab)"
    assert data["licence_url"].startswith("https://www.etalab.gouv.fr/")
    assert data["documentation"].endswith("/open-data/")
    assert data["columns"] == COLUMNS
    assert {d["code"] for d in data["indicators"]} >= {"wait_median_min", "satisfaction_pct"}
    before = months().before.strftime("%Y-%m")
    row = next(
        r
        for r in data["values"]
        if r["area_code"] == "DKR"
        and r["period"] == before
        and r["indicator"] == "satisfaction_pct"
    )
    assert row["value"] is None and row["sample"] == 2 and row["meets_target"] is None
    csv_count = len(csv_rows(client.get("/open-data/indicators.csv")))
    assert len(data["values"]) == csv_count


def test_the_files_name_their_licence_and_documentation_and_are_cacheable(client, dakar):
    response = client.get("/open-data/indicators.csv")
    assert 'rel="license"' in response["Link"] and "etalab.gouv.fr" in response["Link"]
    assert '/open-data/>; rel="describedby"' in response["Link"]
    assert "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/open-data/indicators.csv", headers={"if-none-match": etag})
    assert again.status_code == 304


def test_the_files_carry_no_personal_data(client, dakar):
    text = b"".join(client.get("/open-data/indicators.csv").streaming_content).decode()
    data = json.loads(b"".join(client.get("/open-data/indicators.json").streaming_content))
    for columns in (text.splitlines()[0].split(","), data["columns"], list(data["values"][0])):
        assert columns == COLUMNS  # areas and indicators only: no person's name, phone, e-mail
    for body in (text, json.dumps(data, ensure_ascii=False)):
        for secret in (PHONE, PHONE[4:], EMAIL, NAME):
            assert secret not in body


def test_the_csv_is_read_in_a_fixed_number_of_queries(client, dakar, django_assert_max_num_queries):
    with django_assert_max_num_queries(8 + 16):  # + the quality figures, 5 or 6 per level
        rows = csv_rows(client.get("/open-data/indicators.csv"))
    assert len(rows) == 3 * 2 * 16  # nation, region, site × 2 months × 16 indicators


def test_downloads_are_rate_limited_per_address(client, dakar, monkeypatch):
    monkeypatch.setattr(opendata, "DOWNLOADS_PER_HOUR", 2)
    for _ in range(2):
        assert client.get("/open-data/indicators.json").status_code == 200
    assert client.get("/open-data/indicators.json").status_code == 429


@pytest.mark.parametrize("lang", ["fr", "wo"])
def test_the_documentation_page_describes_every_column_and_indicator(client, network, lang):
    client.cookies["teranga_lang"] = lang
    body = client.get("/open-data/").content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in body
    for indicator in opendata.catalogue():
        assert f"<code>{indicator.code}</code>" in body
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in body
    assert 'href="/open-data/indicators.csv"' in body
    if lang == "wo":
        assert "Sàrtu lim bu gën a tuuti" in body
