"""Mystery campaigns and checks: the grid, the score, the results and the selectors."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from teranga.indicators.catalogue import by_code
from teranga.indicators.selectors import facts, national_area, site_area
from teranga.lib.errors import Invalid, ServiceError
from teranga.network.models import AuditEntry, Role
from teranga.quality import mystery
from teranga.quality.models import MysteryCampaign, MysteryCheck, MysteryScore
from teranga.quality.mystery import GridItem, check_score, observation_of
from teranga.quality.services import referential_publish_default
from tests.factories import staff


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the pages' French is tested with the pages)."""
    with translation.override("en"):
        yield


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_check_score_is_the_weighted_mean_out_of_10():
    # (8×2 + 5×1 + 10×1) / 4 = 31 / 4
    assert check_score([(8, 2), (5, 1), (10, 1)]) == 7.75
    assert check_score([(6.5, 3)]) == 6.5
    assert check_score([(7, 1), (6, 2)]) == 6.33
    with pytest.raises(ValueError):
        check_score([])


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (7, "conform"),
        (9.5, "conform"),
        (6.99, "minor"),
        (5, "minor"),
        (4.99, "major"),
        (0, "major"),
    ],
)
def test_mystery_mean_reads_as_a_finding_around_the_pass_level(mean, expected):
    assert observation_of(mean, 7) == expected


@pytest.fixture
def setup(two_sites, national_admin):
    referential, _created = referential_publish_default()
    dakar, thies = two_sites
    return {"dakar": dakar, "thies": thies, "admin": national_admin, "ref": referential}


def _campaign(s, **extra):
    return mystery.mystery_campaign_create(
        actor=s["admin"],
        title="Visites mystère 2026",
        channel=extra.pop("channel", "visit"),
        period_start=date(2026, 2, 1),
        period_end=date(2026, 3, 31),
        **extra,
    )


def test_default_grid_covers_the_barometre_and_every_observed_criterion(setup):
    for channel in MysteryCampaign.Channel.values:
        grid = mystery.default_grid(setup["ref"], channel)
        codes = {item.criterion for item in grid}
        assert {"INFO-2.2", "ACC-1.2", "ACC-3.3", "REP-3.2"} <= codes
        assert all(item.weight >= 1 and item.title_fr and item.title_en for item in grid)
    campaign = _campaign(setup)
    assert campaign.pass_level == 7 and campaign.items.count() == 7
    assert AuditEntry.objects.filter(action="quality.mystery_campaign_create").exists()


def test_campaign_input_is_checked(setup):
    s = setup
    with pytest.raises(Invalid, match="ZZ-9"):
        _campaign(s, items=[GridItem("ZZ-9", 1, "x", "x")])
    with pytest.raises(Invalid, match="out of 10"):
        _campaign(s, pass_level=11)
    with pytest.raises(Invalid, match="ends before"):
        mystery.mystery_campaign_create(
            actor=s["admin"],
            title="x",
            channel="phone",
            period_start=date(2026, 2, 1),
            period_end=date(2026, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        _campaign({**s, "admin": staff(Role.QUALITY_OFFICER, site=s["dakar"])})
    assert not MysteryCampaign.objects.exists()


def _points(campaign, values):
    return dict(zip(campaign.items.values_list("pk", flat=True), values, strict=True))


def test_a_check_is_scored_and_refused_outside_the_rules(setup):
    s = setup
    campaign = _campaign(
        s,
        items=[GridItem("ACC-1.2", 2, "Courtoisie", "Courtesy"), GridItem("REP-3.2", 1, "C", "C")],
    )
    check = mystery.mystery_check_record(
        actor=s["admin"],
        campaign=campaign,
        site=s["dakar"],
        performed_at=at(date(2026, 2, 10)),
        points=_points(campaign, [8, 5]),
        checker="Cabinet Sahel",
    )
    assert check.score == 7.0 and MysteryScore.objects.count() == 2
    assert AuditEntry.objects.filter(action="quality.mystery_check_record").count() == 1
    refusals = [
        ({"performed_at": at(date(2026, 4, 1))}, 409, "outside the campaign period"),
        ({"points": _points(campaign, [11, 5])}, 422, "0 to 10"),
        ({"points": _points(campaign, [-1, 5])}, 422, "0 to 10"),
        ({"points": {campaign.items.first().pk: 5}}, 422, "missing"),
        ({"points": {**_points(campaign, [5, 5]), 999999: 3}}, 422, "Unknown item"),
    ]
    for change, status, message in refusals:
        kwargs = {
            "actor": s["admin"],
            "campaign": campaign,
            "site": s["dakar"],
            "performed_at": at(date(2026, 2, 11)),
            "points": _points(campaign, [5, 5]),
            **change,
        }
        with pytest.raises(ServiceError, match=message) as refused:
            mystery.mystery_check_record(**kwargs)
        assert refused.value.status == status
    outsider = staff(Role.AUDITOR, site=s["thies"])
    with pytest.raises(PermissionDenied):
        mystery.mystery_check_record(
            actor=outsider,
            campaign=campaign,
            site=s["dakar"],
            performed_at=at(date(2026, 2, 11)),
            points=_points(campaign, [5, 5]),
        )
    assert MysteryCheck.objects.count() == 1 and MysteryScore.objects.count() == 2


def test_results_per_site_and_per_criterion(setup, django_assert_max_num_queries):
    s = setup
    campaign = _campaign(
        s,
        items=[GridItem("ACC-1.2", 2, "Courtoisie", "Courtesy"), GridItem("REP-3.2", 1, "C", "C")],
    )
    for site, values in [
        (s["dakar"], [8, 5]),  # 7.0 passes
        (s["dakar"], [4, 7]),  # 5.0 fails
        (s["thies"], [10, 10]),
    ]:
        mystery.mystery_check_record(
            actor=s["admin"],
            campaign=campaign,
            site=site,
            performed_at=at(date(2026, 3, 1)),
            points=_points(campaign, values),
        )
    with django_assert_max_num_queries(3):
        results = mystery.campaign_results(campaign)
    dakar, thies = results["sites"]
    assert (dakar.checks, dakar.mean, dakar.passed_share) == (2, 6.0, 50.0)
    assert (thies.checks, thies.mean, thies.passed_share) == (1, 10.0, 100.0)
    courtesy, clarity = campaign.items.all()
    assert dakar.items == {courtesy.pk: 6.0, clarity.pk: 6.0}
    assert results["criteria"] == {"ACC-1.2": 7.33, "REP-3.2": 7.33}
    assert results["checks"] == 3 and results["mean"] == 7.33
    # Dakar: courtesy mean 6 → minor; clarity mean 6 → minor. Thiès: conform.
    assert mystery.mystery_observations([s["dakar"].pk], s["ref"])[s["dakar"].pk] == {
        "ACC-1.2": "minor",
        "REP-3.2": "minor",
    }
    assert (
        mystery.mystery_observations([s["thies"].pk], s["ref"])[s["thies"].pk]["ACC-1.2"]
        == "conform"
    )


def test_the_mystery_score_indicator_counts_checks_by_day_performed(setup):
    s = setup
    campaign = _campaign(s, items=[GridItem("ACC-1.2", 1, "C", "C")])
    for site, day, value in [
        (s["dakar"], date(2026, 2, 1), 6),
        (s["dakar"], date(2026, 3, 31), 9),
        (s["thies"], date(2026, 3, 15), 4),
    ]:
        mystery.mystery_check_record(
            actor=s["admin"],
            campaign=campaign,
            site=site,
            performed_at=at(day, 23),
            points=_points(campaign, [value]),
        )
    indicator = by_code()["mystery_score"]

    def score(area, first, last):
        return indicator.value(facts([area], first, last, None)[(area.pk, first)])

    dakar, thies = site_area(s["dakar"]), site_area(s["thies"])
    assert score(dakar, date(2026, 2, 1), date(2026, 2, 28)) == (6.0, 1)  # 23:00 on 1 Feb
    assert score(thies, date(2026, 2, 1), date(2026, 2, 28)) == (None, 0)
    assert score(dakar, date(2026, 2, 1), date(2026, 3, 31)) == (7.5, 2)
    assert score(national_area(), date(2026, 2, 1), date(2026, 3, 31)) == (6.3, 3)  # 19 / 3
