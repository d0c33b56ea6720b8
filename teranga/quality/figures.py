"""The quality figures the indicators read (mystery_score, self_assessment_pct,
staff_trained_pct, actions_on_time_pct): counts per area and period, contributed to the facts
(teranga.indicators.facts.contributor) since quality records are few and change by hand.

- Mystery checks count on the day they were performed, with their score out of 10.
- Self-assessments count on the day they were submitted (submitted or accepted, not sent
  back), with their score; a region or the nation shows them only when at least 2 sites are
  grouped, so that no single site is exposed through an aggregate.
- Staff and trained staff as training.staff_trained counts them, on the period's last day
  (today for the current one), a person counting from the day their role was granted.
- Actions due in the period and not cancelled, once their due date has passed or they are
  done (an open one is not judged before its due date): on time when done on or before the
  due date; an open one past its due date is late.
"""

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta

from django.utils import timezone

from teranga.indicators.models import Level
from teranga.network.models import RoleAssignment, Site
from teranga.quality.actions import STAFF_ROLES
from teranga.quality.models import Action, Assessment, Attendance, MysteryCheck
from teranga.quality.training import valid_since


class _Buckets:
    """Adds counts of sites on days into the areas and periods asked for."""

    def __init__(self, level: str, wanted: set[int], periods: list, area_of: dict[int, int]):
        self.level, self.wanted, self.area_of = level, wanted, area_of
        self.periods = sorted(periods)
        self.starts = [start for start, _ in self.periods]
        self.out: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.sites: dict[tuple[int, date], set[int]] = defaultdict(set)

    def area(self, site_id: int) -> int | None:
        area = {Level.SITE: site_id, Level.REGION: self.area_of.get(site_id), Level.NATIONAL: 0}[
            self.level
        ]
        return area if area in self.wanted else None

    def period(self, day: date) -> date | None:
        k = bisect_right(self.starts, day) - 1
        return self.starts[k] if k >= 0 and day < self.periods[k][1] else None

    def add(self, site_id: int, day: date, **counts: int) -> None:
        area, start = self.area(site_id), self.period(day)
        if area is None or start is None:
            return
        for name, value in counts.items():
            self.out[(area, start)][name] += value
        self.sites[(area, start)].add(site_id)

    @property
    def first(self) -> date:
        return self.periods[0][0]

    @property
    def end(self) -> date:
        return self.periods[-1][1]


def _day(moment) -> date:
    return timezone.localtime(moment).date()


def _mystery(b: _Buckets) -> None:
    rows = MysteryCheck.objects.filter(
        performed_at__date__gte=b.first, performed_at__date__lt=b.end
    ).values_list("site_id", "performed_at", "score")
    for site_id, at, score in rows:
        b.add(site_id, _day(at), mystery_checks=1, mystery_tenths=round(score * 10))


def _assessments(b: _Buckets) -> None:
    counted = _Buckets(b.level, b.wanted, b.periods, b.area_of)
    rows = Assessment.objects.filter(
        status__in=[Assessment.Status.SUBMITTED, Assessment.Status.ACCEPTED],
        submitted_at__date__gte=b.first,
        submitted_at__date__lt=b.end,
        overall__isnull=False,
    ).values_list("site_id", "submitted_at", "overall")
    for site_id, at, overall in rows:
        counted.add(site_id, _day(at), assessments=1, assessment_tenths=round(overall * 10))
    for key, counts in counted.out.items():
        if b.level == Level.SITE or len(counted.sites[key]) >= 2:
            for name, value in counts.items():
                b.out[key][name] += value


def _staff(b: _Buckets, today: date) -> None:
    """As training.staff_trained on each period's last day (today for the current one), a
    person counting as staff from the day their role was granted."""
    days = {
        start: min(end - timedelta(days=1), today) for start, end in b.periods if start <= today
    }
    if not days:
        return
    members = RoleAssignment.objects.filter(
        role__in=STAFF_ROLES, site__isnull=False, user__is_active=True
    ).values_list("site_id", "user_id", "created_at")
    trained: dict[int, list[date]] = defaultdict(list)
    for user_id, held_on in Attendance.objects.filter(
        present=True,
        session__on_referential=True,
        session__held_on__gte=valid_since(min(days.values())),
        session__held_on__lte=max(days.values()),
    ).values_list("user_id", "session__held_on"):
        trained[user_id].append(held_on)
    # One person counts once per site, from their first role there.
    since: dict[tuple[int, int], date] = {}
    for site_id, user_id, created in members:
        key, day = (site_id, user_id), _day(created)
        since[key] = min(since.get(key, day), day)
    for start, on in days.items():
        window = valid_since(on)
        for (site_id, user_id), first_day in since.items():
            if first_day <= on:
                ok = any(window <= held <= on for held in trained.get(user_id, ()))
                b.add(site_id, start, staff=1, staff_trained=int(ok))


def _actions(b: _Buckets, today: date) -> None:
    rows = (
        Action.objects.filter(due_date__gte=b.first, due_date__lt=b.end)
        .exclude(status=Action.Status.CANCELLED)
        .values_list("site_id", "due_date", "status", "done_on")
    )
    for site_id, due, status, done_on in rows:
        done = status == Action.Status.DONE and done_on is not None
        if done or due < today:
            b.add(site_id, due, actions_due=1, actions_on_time=int(done and done_on <= due))


def contribute(
    level: str, area_pks: list[int], periods: list[tuple[date, date]], *, today=None
) -> dict:
    """The quality counts of the areas and periods: five queries whatever their number (six
    for regions)."""
    if not periods or not area_pks:
        return {}
    regions = (
        dict(Site.objects.values_list("pk", "department__region_id"))
        if level == Level.REGION
        else {}
    )
    b = _Buckets(level, set(area_pks), periods, regions)
    today = today or timezone.localdate()
    _mystery(b)
    _assessments(b)
    _staff(b, today)
    _actions(b, today)
    return b.out
