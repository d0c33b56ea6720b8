"""Every indicator computed by hand on a small dataset, at site, region and national level,
through the rollups; empty periods, samples below the minimum, and rebuilt = incremental."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from teranga.cases.services import case_holding_reply
from teranga.indicators.models import Level, Rollup, StaleDay
from teranga.indicators.selectors import (
    Area,
    SliceError,
    facts,
    national_area,
    series,
    site_area,
    weekday_hours,
)
from teranga.indicators.services import rollups_rebuild, rollups_refresh
from teranga.listening.services import response_record
from teranga.network.models import Role
from teranga.network.selectors import working_calendar
from teranga.reception.services import tickets_expire_past_days
from tests.factories import ProcedureFactory, staff
from tests.indicators.data import case, rating, ticket

OCT5, OCT6 = date(2026, 10, 5), date(2026, 10, 6)  # a Monday and a Tuesday


@pytest.fixture
def october(two_sites):
    """DKR on Oct 5: waits 1, 2, 10, 15, 25 min served, 30 min no-show, one never called.
    THS on Oct 6: waits 0 and 50 min, both served. Ratings, complaints and requests beside."""
    dakar, thies = two_sites
    civil, land = ProcedureFactory(code="CIVIL"), ProcedureFactory(code="LAND")
    for wait, service in ((60, 300), (120, 420), (600, 600), (900, 240), (1500, 900)):
        ticket(dakar, civil, OCT5, wait=wait, service=service)
    ticket(dakar, land, OCT5, wait=1800)  # no-show
    ticket(dakar, land, OCT5)  # expired, never called
    ticket(thies, civil, OCT6, wait=0, service=60)
    ticket(thies, civil, OCT6, wait=3000, service=1200)
    for value in (5, 4, 4, 3, 1):
        rating(dakar, OCT5, value, procedure=civil)
    rating(dakar, OCT5, 2, channel="sms")
    rating(thies, OCT6, 5, channel="ussd")
    case(dakar, filed=OCT5, due=OCT6, resolved=OCT6)  # on time
    case(dakar, filed=OCT5, due=OCT6, resolved=date(2026, 10, 9))  # late
    case(dakar, filed=OCT5, due=OCT6)  # still open after its due date: late
    case(thies, filed=OCT6, due=date(2026, 10, 16), resolved=date(2026, 10, 7))
    case(dakar, kind="request", filed=date(2026, 9, 20), due=OCT6, resolved=OCT5)
    case(dakar, kind="suggestion", filed=OCT5, due=OCT6)  # neither a complaint nor a request
    rollups_rebuild(date(2026, 9, 1), date(2026, 10, 31))
    return dakar, thies, civil, land


def _values(area, first, last, granularity, **kwargs):
    return {
        (v.indicator.code, v.period_start): v
        for v in series(area, first, last, granularity, **kwargs)
    }


# No mystery check, self-assessment, staff or action here (tests/quality/test_figures.py).
NO_QUALITY_RECORDS = dict.fromkeys(
    ["mystery_score", "self_assessment_pct", "staff_trained_pct", "actions_on_time_pct"]
)


@pytest.fixture
def small_samples(settings):
    settings.INDICATORS_MIN_SAMPLE = 1
    settings.INDICATORS_MIN_CASES = 1
    settings.FEEDBACK_MIN_SAMPLE = 1


def test_site_day_by_hand(october, small_samples):
    dakar = site_area(october[0])
    v = _values(dakar, OCT5, OCT6, "day")
    got = {code: v[(code, OCT5)].value for code, _ in v if _ == OCT5}
    assert got == {
        "tickets": 7,
        "wait_median_min": 10,  # 1, 2, 10 | 15, 25, 30: the lower median
        "wait_p90_min": 30,  # rank ceil(0.9 × 6) = 6
        "served_within_target_pct": 57.1,  # 4 within 20 min of 6 called + 1 never called
        "service_median_min": 7,  # 4, 5, 7, 10, 15 min
        "no_show_pct": 16.7,  # 1 of 6 called
        "responses": 6,
        "satisfaction_pct": 50.0,  # 5, 4, 4 of 6
        "net_satisfaction": 16.7,  # (3 satisfied − 2 dissatisfied) / 6
        "complaints": 3,
        "complaints_answered_on_time_pct": None,  # due on the 6th, not the 5th
        "requests_on_time_pct": None,
        **NO_QUALITY_RECORDS,
    }
    oct6 = {code: v[(code, OCT6)] for code, day in v if day == OCT6}
    assert oct6["tickets"].value == 0 and oct6["tickets"].previous == 7
    assert oct6["wait_median_min"].value is None and oct6["wait_median_min"].sample == 0
    assert oct6["complaints_answered_on_time_pct"].value == 33.3  # 1 of 3 (late, open)
    assert oct6["complaints_answered_on_time_pct"].sample == 3
    assert oct6["requests_on_time_pct"].value == 100.0


def test_region_and_national_month_by_hand(october, small_samples):
    dakar, thies, *_ = october
    nation = _values(national_area(), date(2026, 10, 1), date(2026, 10, 31), "month")
    month = date(2026, 10, 1)
    got = {code: nation[(code, month)].value for code, _ in nation}
    assert got == {
        "tickets": 9,
        "wait_median_min": 10,  # 0, 1, 2, 10 | 15, 25, 30, 50
        "wait_p90_min": 50,  # rank ceil(7.2) = 8
        "served_within_target_pct": 55.6,  # 4 + 1 within, of 8 called + 1 never called
        "service_median_min": 7,  # 1, 4, 5, 7 | 10, 15, 20
        "no_show_pct": 12.5,
        "responses": 7,
        "satisfaction_pct": 57.1,
        "net_satisfaction": 28.6,
        "complaints": 4,
        "complaints_answered_on_time_pct": 50.0,  # DKR 1 of 3, THS 1 of 1
        "requests_on_time_pct": 100.0,
        **NO_QUALITY_RECORDS,
    }
    thies_region = Area(Level.REGION, thies.department.region_id, "Thiès")
    region = _values(thies_region, month, date(2026, 10, 31), "month")
    assert region[("wait_median_min", month)].value == 0  # 0 | 50
    assert region[("tickets", month)].value == 2
    assert region[("tickets", month)].previous == 0  # September: nothing at Thiès


def test_slices_by_month(october, small_samples):
    dakar, thies, civil, land = october
    area, month, end = site_area(dakar), date(2026, 10, 1), date(2026, 10, 31)
    by_proc = _values(area, month, end, "month", dim=f"p{land.pk}")
    assert by_proc[("tickets", month)].value == 2
    assert by_proc[("no_show_pct", month)].value == 100.0
    by_channel = _values(area, month, end, "month", dim="csms")
    assert by_channel[("responses", month)].value == 1
    assert by_channel[("satisfaction_pct", month)].value == 0.0
    national_civil = _values(national_area(), month, end, "month", dim=f"p{civil.pk}")
    assert national_civil[("tickets", month)].value == 7
    assert national_civil[("wait_median_min", month)].value == 10  # 0, 1, 2, 10 | 15, 25, 50
    with pytest.raises(SliceError):
        series(area, OCT5, OCT6, "day", dim=f"p{land.pk}")


def test_below_the_minimum_sample_no_value(october):
    """With the default minimums (30 tickets, 30 ratings, 10 cases) nothing but counts."""
    v = _values(national_area(), date(2026, 10, 1), date(2026, 10, 31), "month")
    month = date(2026, 10, 1)
    for code in (
        "wait_median_min",
        "served_within_target_pct",
        "satisfaction_pct",
        "complaints_answered_on_time_pct",
    ):
        assert v[(code, month)].value is None, code
        assert v[(code, month)].meets_target is None
    assert v[("tickets", month)].value == 9
    assert v[("wait_median_min", month)].sample == 8


def test_weeks_quarters_years(october, small_samples):
    nation = national_area()
    weeks = _values(nation, OCT5, OCT6, "week", codes=["tickets"])
    assert weeks == {("tickets", OCT5): weeks[("tickets", OCT5)]}
    assert weeks[("tickets", OCT5)].value == 9
    quarter = _values(nation, date(2026, 10, 1), date(2026, 12, 31), "quarter", codes=["tickets"])
    assert quarter[("tickets", date(2026, 10, 1))].value == 9
    year = _values(
        nation, date(2026, 1, 1), date(2026, 12, 31), "year", codes=["requests_on_time_pct"]
    )
    assert year[("requests_on_time_pct", date(2026, 1, 1))].value == 100.0


def test_empty_network_has_no_rows_and_no_values(two_sites):
    rollups_rebuild(date(2026, 10, 1), date(2026, 10, 31))
    assert not Rollup.objects.exists()
    values = series(national_area(), date(2026, 10, 1), date(2026, 10, 31), "month")
    assert {v.indicator.code: (v.value, v.sample) for v in values}["tickets"] == (0, 0)
    assert all(v.value in (0, None) for v in values)


def _snapshot():
    return sorted(
        Rollup.objects.values_list(
            "level",
            "area",
            "grain",
            "period",
            "dim",
            "tickets",
            "called",
            "expired",
            "within_target",
            "served",
            "no_show",
            "responses",
            "satisfied",
            "dissatisfied",
            "complaints",
            "complaints_due",
            "complaints_on_time",
            "requests_due",
            "requests_on_time",
            "wait_hist",
            "service_hist",
        )
    )


def test_rebuilt_equals_incremental(two_sites):
    """Refreshes as data arrives (today, late ratings, a moved due date, tickets expired days
    later) leave exactly the rows a rebuild from the raw data writes."""
    dakar, thies = two_sites
    manager = staff(Role.SITE_MANAGER, site=dakar)
    proc = ProcedureFactory(code="CIVIL")
    today = timezone.localdate()
    past = today - timedelta(days=12)
    ticket(dakar, proc, past, wait=300, service=200)
    overdue = case(dakar, filed=past, due=today - timedelta(days=5))
    rollups_rebuild()
    # Today, as it happens.
    ticket(dakar, proc, today, wait=100, service=50)
    ticket(thies, proc, today, wait=2000)
    rollups_refresh(slices=False)  # the worker's round: days and month totals only
    national = Rollup.objects.filter(level=Level.NATIONAL, dim="")
    assert national.get(grain="day", period=today).tickets == 2
    month = national.get(grain="month", period=today.replace(day=1))
    assert month.tickets == 2 + (past.month == today.month)
    rollups_refresh()
    # A rating given 10 days ago arrives now (a device's offline queue).
    response_record(
        site=dakar,
        channel="web",
        rating=2,
        client_id=uuid.uuid4(),
        answered_at=timezone.now() - timedelta(days=10),
    )
    # A ticket left waiting 3 days ago is closed only now (the worker was down).
    ticket(thies, proc, today - timedelta(days=3), status="waiting")
    assert tickets_expire_past_days() == 1
    # The overdue complaint gets a holding reply: it is now due later.
    case_holding_reply(
        case=overdue,
        actor=manager,
        new_due_on=working_calendar().add_working_days(today, 3),
        text="Nous attendons le registre.",
    )
    assert StaleDay.objects.count() == 3
    rollups_refresh()
    assert not StaleDay.objects.exists()
    incremental = _snapshot()
    assert len(incremental) > 10  # not vacuous
    Rollup.objects.all().delete()
    rollups_rebuild()
    assert _snapshot() == incremental


def test_weekday_hours(october, small_samples):
    """The weekday × hour slices, by month at every level and from site days otherwise."""
    dakar, thies, civil, _ = october
    ticket(thies, civil, date(2026, 10, 8), wait=60, service=60, hour=14)  # a Thursday
    rollups_rebuild(date(2026, 10, 1), date(2026, 10, 31))
    nation = weekday_hours(national_area(), date(2026, 10, 1), date(2026, 10, 31))
    assert {k: (f["tickets"], f["within_target"]) for k, f in nation.items()} == {
        (0, 9): (7, 4),  # Monday 9 h at Dakar
        (1, 9): (2, 1),  # Tuesday 9 h at Thiès
        (3, 14): (1, 1),
    }
    at_thies = weekday_hours(site_area(thies), date(2026, 10, 6), date(2026, 10, 8))
    assert {k: f["tickets"] for k, f in at_thies.items()} == {(1, 9): 2, (3, 14): 1}
    region = Area(Level.REGION, dakar.department.region_id, "Dakar")
    assert set(weekday_hours(region, date(2026, 10, 1), date(2026, 10, 31))) == {(0, 9)}
    monday_9 = facts([site_area(dakar)], date(2026, 10, 1), date(2026, 10, 31), None, dim="h009")
    assert monday_9[(dakar.pk, date(2026, 10, 1))]["tickets"] == 7
