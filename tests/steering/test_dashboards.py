"""The staff dashboards: national, region, site, and the tickets behind a site's figures —
who may open them, the figures they show, the filters, and a query count that does not grow
with the number of sites or months."""

from datetime import date

import pytest

from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Region, Role
from tests.factories import ProcedureFactory, SiteFactory, staff
from tests.indicators.data import case, rating, ticket

NATIONAL = "/espace-pro/pilotage/"
OCTOBER = {"period": "2026-10"}


@pytest.fixture
def autumn(two_sites, settings):
    """DKR: 2 tickets in September, 4 in October (median wait 10 min); THS: one ticket in
    October, below a minimum sample of 2. Ratings and a complaint at DKR."""
    settings.INDICATORS_MIN_SAMPLE = 2
    settings.INDICATORS_MIN_CASES = 1
    settings.FEEDBACK_MIN_SAMPLE = 1
    dakar, thies = two_sites
    dakar.is_pilot = True
    dakar.save(update_fields=["is_pilot"])
    civil, land = ProcedureFactory(code="CIVIL"), ProcedureFactory(code="LAND")
    for day, wait in ((date(2026, 9, 14), 300), (date(2026, 9, 15), 2400)):
        ticket(dakar, civil, day, wait=wait, service=300)
    for wait in (60, 600, 1500):
        ticket(dakar, civil, date(2026, 10, 5), wait=wait, service=240, hour=10)
    ticket(dakar, land, date(2026, 10, 5), wait=3000, service=600, hour=11)
    ticket(thies, civil, date(2026, 10, 6), wait=120, service=120)
    rating(dakar, date(2026, 10, 5), 5)
    rating(dakar, date(2026, 10, 5), 2, channel="sms")
    case(dakar, filed=date(2026, 10, 5), due=date(2026, 10, 7), resolved=date(2026, 10, 6))
    rollups_rebuild(date(2026, 9, 1), date(2026, 10, 31))
    return dakar, thies, civil, land


def test_national_dashboard_shows_figures_ranking_map_and_pilots(autumn, login, national_admin):
    response = login(national_admin).get(NATIONAL, OCTOBER)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tableau de bord national" in page
    ranking = page[page.index('id="ranking"') : page.index('id="not-ranked"')]
    assert "DKR" in ranking and "THS" not in ranking  # one ticket at THS: below the minimum
    assert '<td class="num">10 min</td>' in ranking  # 1, 10 | 25, 50 min: the lower median
    apart = page[page.index('id="not-ranked"') :]
    assert "THS" in apart[: apart.index("</ul>")]
    tile_map = page[page.index('id="tile-map"') :]
    assert 'role="img"' in page and "<title" in tile_map
    assert ">DKR</text>" in tile_map and ">THS</text>" in tile_map
    pilots = page[page.index('id="pilots"') :]
    wait_row = pilots[pilots.index("Attente médiane") :]
    assert wait_row.startswith('Attente médiane</th><td class="num">10 min</td><td class="num">—')
    assert 'class="target"' in page  # trends carry their target line


def test_the_map_and_ranking_follow_the_chosen_indicator(autumn, login, national_admin):
    page = login(national_admin).get(NATIONAL, {**OCTOBER, "indicator": "tickets"}).content.decode()
    ranking = page[page.index('id="ranking"') : page.index('id="not-ranked"')]
    assert ranking.index("DKR") < ranking.index("THS")  # a volume: both ranked, biggest first
    assert ">4<" in ranking and ">1<" in ranking


def test_partners_read_the_nation_without_row_links(autumn, login):
    client = login(staff(Role.PARTNER))
    national = client.get(NATIONAL, OCTOBER)
    assert national.status_code == 200
    site = client.get("/espace-pro/sites/DKR/pilotage/", OCTOBER).content.decode()
    assert "/pilotage/tickets/" not in site and "/dossiers/" not in site
    assert client.get("/espace-pro/sites/DKR/pilotage/tickets/").status_code == 403


def test_site_staff_open_their_site_only(autumn, login):
    dakar = autumn[0]
    SiteFactory(code="PKN", department__region=dakar.department.region)
    client = login(staff(Role.AGENT, site=dakar))
    assert client.get(NATIONAL).status_code == 403
    assert client.get("/espace-pro/pilotage/region/dakar/").status_code == 403
    assert client.get("/espace-pro/sites/THS/pilotage/").status_code == 403
    assert client.get("/espace-pro/sites/THS/pilotage/tickets/").status_code == 403
    assert client.get("/espace-pro/sites/NOPE/pilotage/").status_code == 404
    assert client.get("/espace-pro/sites/DKR/pilotage/").status_code == 200


def test_site_figures_link_to_the_rows_behind_them(autumn, login):
    client = login(staff(Role.SITE_MANAGER, site=autumn[0]))
    page = client.get("/espace-pro/sites/DKR/pilotage/", OCTOBER).content.decode()
    assert "/espace-pro/sites/DKR/pilotage/tickets/?from=2026-10-01&amp;to=2026-10-31" in page
    assert (
        "/espace-pro/dossiers/DKR/?status=&amp;kind=complaint&amp;from=2026-10-01&amp;to=2026-10-31"
        in page
    )
    assert "/espace-pro/sites/DKR/avis/?date_from=2026-10-01&amp;date_to=2026-10-31" in page
    assert 'id="today"' in page  # the live figures of today


def test_weekday_hour_heatmaps_count_arrivals_and_the_share_within_target(autumn, login):
    client = login(staff(Role.SITE_MANAGER, site=autumn[0]))
    page = client.get("/espace-pro/sites/DKR/pilotage/", OCTOBER).content.decode()
    arrivals = page[page.index('id="site-arrivals"') : page.index('id="site-within"')]
    within = page[page.index('id="site-within"') :]
    within = within[: within.index("</svg>")]
    # Monday Oct 5: three tickets at 10h (waits 1, 10, 25 min), one at 11h (50 min)
    assert ">lun</text>" in arrivals and ">10h</text>" in arrivals and ">11h</text>" in arrivals
    assert [">3</text>" in arrivals, ">1</text>" in arrivals] == [True, True]
    assert ">66,7%</text>" in within and ">0%</text>" in within  # 2 of 3 within 20 min; 0 of 1


def test_a_regional_supervisor_sees_the_region_side_by_side(autumn, login):
    dakar = autumn[0]
    SiteFactory(code="PKN", department__region=dakar.department.region)
    client = login(staff(Role.REGIONAL_SUPERVISOR, region=Region.objects.get(slug="dakar")))
    response = client.get("/espace-pro/pilotage/region/dakar/", OCTOBER)
    assert response.status_code == 200
    table = response.content.decode().split('id="side-by-side"')[1]
    assert "DKR" in table and "PKN" in table and "THS" not in table
    assert client.get("/espace-pro/pilotage/region/thies/").status_code == 403
    assert client.get("/espace-pro/pilotage/region/nowhere/").status_code == 404
    assert client.get(NATIONAL).status_code == 403


def test_filters_by_procedure_and_channel_and_bad_filters_are_explained(
    autumn, login, national_admin
):
    client = login(national_admin)
    land = client.get(
        "/espace-pro/sites/DKR/pilotage/", {**OCTOBER, "procedure": "LAND"}
    ).content.decode()
    assert "procedure=LAND" in land
    bad = client.get(NATIONAL, {"from": "2026-10-31", "to": "2026-10-01", "channel": "pigeon"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "ne doit pas être après" in text and 'role="alert"' in text
    unknown = client.get(NATIONAL, {"period": "2026-13", "procedure": "NOPE"}).content.decode()
    assert "NOPE" in unknown


def test_a_free_range_compares_with_as_many_days_before(autumn, login, national_admin):
    page = (
        login(national_admin)
        .get("/espace-pro/sites/DKR/pilotage/", {"from": "2026-10-01", "to": "2026-10-31"})
        .content.decode()
    )
    assert 'value="2026-10-01"' in page


def test_national_query_count_does_not_grow_with_sites_or_months(
    network, login, national_admin, django_assert_max_num_queries
):
    client = login(national_admin)
    client.get(NATIONAL)  # warm the session
    for params in ({"period": "2026-10"}, {"period": "2024"}, {"from": "2022-01-01"}):
        with django_assert_max_num_queries(27):  # 14 + the quality figures (5 a reading)
            assert client.get(NATIONAL, params).status_code == 200


def test_site_query_count_is_bounded(autumn, login, national_admin, django_assert_max_num_queries):
    client = login(national_admin)
    client.get("/espace-pro/sites/DKR/pilotage/")
    for params in ({"period": "2026-10"}, {"period": "2025"}):
        with django_assert_max_num_queries(26):  # 20 + the quality figures (5 a reading)
            assert client.get("/espace-pro/sites/DKR/pilotage/", params).status_code == 200


def test_tickets_list_pages_without_phone_numbers(autumn, login):
    dakar, _thies, civil, _land = autumn
    first = ticket(dakar, civil, date(2026, 10, 7), wait=60, service=60)
    first.phone = "+221771234567"
    first.save(update_fields=["phone"])
    client = login(staff(Role.AGENT, site=dakar))
    response = client.get(
        "/espace-pro/sites/DKR/pilotage/tickets/", {"from": "2026-10-01", "to": "2026-10-31"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "5 tickets" in page and first.number in page
    assert "771234567" not in page
    assert f"<td>{civil.name_fr}</td>" in page and "<td>07/10/2026</td>" in page  # as staff read
    only_land = client.get(
        "/espace-pro/sites/DKR/pilotage/tickets/",
        {"from": "2026-10-01", "to": "2026-10-31", "procedure": "LAND"},
    ).content.decode()
    assert "1 ticket" in only_land


def test_tickets_list_is_paginated(autumn, login, national_admin):
    dakar, _thies, civil, _land = autumn
    for _ in range(55):
        ticket(dakar, civil, date(2026, 11, 2), wait=60, service=60)
    client = login(national_admin)
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    first = client.get("/espace-pro/sites/DKR/pilotage/tickets/", params).content.decode()
    assert first.count("<tr>") == 51 and 'rel="next"' in first
    second = client.get(
        "/espace-pro/sites/DKR/pilotage/tickets/", {**params, "page": 2}
    ).content.decode()
    assert second.count("<tr>") == 6 and 'rel="prev"' in second


def test_staff_home_and_site_page_link_to_the_dashboards(autumn, login, national_admin):
    home = login(national_admin).get("/espace-pro/").content.decode()
    assert "/espace-pro/pilotage/" in home
    supervisor = staff(Role.REGIONAL_SUPERVISOR, region=Region.objects.get(slug="dakar"))
    home = login(supervisor).get("/espace-pro/").content.decode()
    assert "/espace-pro/pilotage/region/dakar/" in home
    site = login(supervisor).get("/espace-pro/sites/DKR/").content.decode()
    assert "/espace-pro/sites/DKR/pilotage/" in site
