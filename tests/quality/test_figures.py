"""The four quality indicators, computed by hand at site, region and national level, with the
rule that a group shows self-assessments only when 2 sites or more are grouped."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from teranga.indicators.models import Level
from teranga.indicators.selectors import Area, national_area, series, site_area
from teranga.network.models import Role, RoleAssignment
from teranga.quality.models import (
    Action,
    Assessment,
    Attendance,
    Campaign,
    MysteryCampaign,
    MysteryCheck,
    TrainingSession,
)
from teranga.quality.services import referential_publish_default
from tests.factories import staff

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
CODES = ["mystery_score", "self_assessment_pct", "staff_trained_pct", "actions_on_time_pct"]


def _at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def _values(area, first=OCT, last=date(2026, 10, 31)):
    return {(v.indicator.code, v.period_start): (v.value, v.sample)
            for v in series(area, first, last, "month", codes=CODES)}  # fmt: skip


@pytest.fixture
def october(two_sites):
    dakar, thies = two_sites
    referential, _ = referential_publish_default()
    # Mystery checks: DKR 6.4 and 8.2, THS 9.0 (one in November, outside).
    mystery = MysteryCampaign.objects.create(
        title="Visites", channel="visit", period_start=OCT, period_end=date(2026, 11, 30),
        referential=referential,
    )  # fmt: skip
    for site, day, score in [(dakar, 3, 6.4), (dakar, 20, 8.2), (thies, 9, 9.0)]:
        MysteryCheck.objects.create(
            campaign=mystery, site=site, performed_at=_at(OCT.replace(day=day)), score=score
        )
    MysteryCheck.objects.create(campaign=mystery, site=thies, performed_at=_at(NOV), score=1.0)
    # Self-assessments: DKR submitted 80.0, THS accepted 61.6, a DKR draft and a returned one.
    campaign = Campaign.objects.create(
        title="2026", referential=referential, period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30), due_date=date(2026, 10, 31),
    )  # fmt: skip
    older = Campaign.objects.create(
        title="2025", referential=referential, period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30), due_date=date(2025, 10, 31),
    )  # fmt: skip
    for c, site, status, overall, day in [
        (campaign, dakar, "submitted", 80.0, 10),
        (campaign, thies, "accepted", 61.6, 20),
        (older, dakar, "returned", 10.0, 12),
        (older, thies, "draft", None, None),
    ]:
        Assessment.objects.create(
            campaign=c, site=site, status=status, overall=overall,
            submitted_at=_at(OCT.replace(day=day)) if day else None,
        )  # fmt: skip
    # Staff at the end of October: DKR 4 people, 1 trained; THS 1 person, trained; a THS
    # agent who arrived in November does not count yet.
    long_ago = timezone.now() - timedelta(days=900)
    people = {}
    for name, role, site in [
        ("a", Role.AGENT, dakar), ("b", Role.SITE_MANAGER, dakar),
        ("c", Role.QUALITY_OFFICER, dakar), ("d", Role.AGENT, dakar), ("e", Role.AGENT, thies),
        ("late", Role.AGENT, thies),
    ]:  # fmt: skip
        people[name] = staff(role, site=site, username=name)
    staff(Role.AUDITOR, site=dakar)  # an auditor is no staff of the site
    RoleAssignment.objects.exclude(user__username="late").update(created_at=long_ago)
    RoleAssignment.objects.filter(user__username="late").update(created_at=_at(NOV))
    RoleAssignment.objects.create(user=people["a"], role=Role.SITE_MANAGER, site=dakar)  # twice

    def session(held_on, on_referential=True):
        return TrainingSession.objects.create(
            topic="Référentiel", on_referential=on_referential, trainer="Cabinet",
            held_on=held_on, place="Dakar",
        )  # fmt: skip

    recent, old, other = (
        session(date(2025, 10, 1)),
        session(date(2022, 1, 10)),
        session(date(2026, 9, 1), on_referential=False),
    )
    Attendance.objects.create(session=recent, user=people["a"])
    Attendance.objects.create(session=old, user=people["b"])  # more than 36 months before
    Attendance.objects.create(session=other, user=people["c"])  # not on the referential
    Attendance.objects.create(session=recent, user=people["d"], present=False)
    Attendance.objects.create(session=session(date(2026, 10, 15)), user=people["e"])
    Attendance.objects.create(session=recent, user=people["late"])
    # Actions due in October: on time, late, overdue and open, cancelled (left out).
    for site, due, status, done in [
        (dakar, 10, "done", 9), (dakar, 10, "done", 10), (dakar, 12, "done", 20),
        (dakar, 15, "in_progress", None), (dakar, 16, "cancelled", None),
        (thies, 31, "done", 31),
    ]:  # fmt: skip
        Action.objects.create(
            site=site, title="Action", origin="other", owner=people["b"],
            due_date=OCT.replace(day=due), status=status,
            done_on=OCT.replace(day=done) if done else None,
        )  # fmt: skip
    return dakar, thies


def test_site_by_hand(october):
    dakar, thies = october
    dkr = _values(site_area(dakar))
    assert dkr[("mystery_score", OCT)] == (7.3, 2)  # (6.4 + 8.2) / 2
    assert dkr[("self_assessment_pct", OCT)] == (80.0, 1)  # the returned one does not count
    assert dkr[("staff_trained_pct", OCT)] == (25.0, 4)  # a, not b (too old), c, d
    assert dkr[("actions_on_time_pct", OCT)] == (50.0, 4)  # 2 on time of 4 (cancelled out)
    ths = _values(site_area(thies))
    assert ths[("mystery_score", OCT)] == (9.0, 1)
    assert ths[("staff_trained_pct", OCT)] == (100.0, 1)  # "late" arrived in November


def test_region_and_nation_by_hand(october):
    dakar, _ = october
    nation = _values(national_area())
    assert nation[("mystery_score", OCT)] == (7.9, 3)  # (6.4 + 8.2 + 9.0) / 3 = 7.87
    assert nation[("self_assessment_pct", OCT)] == (70.8, 2)  # (80.0 + 61.6) / 2
    assert nation[("staff_trained_pct", OCT)] == (40.0, 5)
    assert nation[("actions_on_time_pct", OCT)] == (60.0, 5)
    region = _values(Area(Level.REGION, dakar.department.region_id, "Dakar"))
    assert region[("mystery_score", OCT)] == (7.3, 2)
    # One site only in the region: its self-assessment is not shown through the region.
    assert region[("self_assessment_pct", OCT)] == (None, 0)
    assert region[("staff_trained_pct", OCT)] == (25.0, 4)


def test_empty_periods_and_the_future(october):
    dakar, thies = october
    sept = _values(site_area(dakar), date(2026, 9, 1), date(2026, 9, 30))
    assert sept[("mystery_score", date(2026, 9, 1))] == (None, 0)
    assert sept[("actions_on_time_pct", date(2026, 9, 1))] == (None, 0)
    # Staff exist in September too (since long ago); e was trained in October only.
    assert sept[("staff_trained_pct", date(2026, 9, 1))] == (25.0, 4)
    ths = _values(site_area(thies), date(2026, 9, 1), date(2026, 9, 30))
    assert ths[("staff_trained_pct", date(2026, 9, 1))] == (0.0, 1)
    today = timezone.localdate()
    Action.objects.create(site=dakar, title="Due today", origin="other",
                          owner=RoleAssignment.objects.filter(site=dakar).first().user,
                          due_date=today)  # fmt: skip
    this_month = today.replace(day=1)
    values = _values(site_area(dakar), this_month, today)
    assert values[("actions_on_time_pct", this_month)] == (None, 0)  # not late yet
    future = today.replace(day=1) + timedelta(days=40)
    values = _values(site_area(dakar), future, future)
    assert values[("staff_trained_pct", future.replace(day=1))] == (None, 0)
