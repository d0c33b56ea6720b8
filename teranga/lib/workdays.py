"""Senegal's working days: weekends and public holidays off, with administrator overrides.

The `holidays` package computes Senegal's holidays, Muslim ones by estimate; `extra` adds
decreed days off and `cancelled` removes estimated days that did not happen. Deadlines count
working days *after* the filing day: the filing day itself never counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

WEEKEND = {5, 6}  # Saturday, Sunday


@lru_cache(maxsize=64)
def _computed(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("SN", years=year, language="fr_SN"))


@dataclass(frozen=True)
class WorkingCalendar:
    extra: dict[date, str] = field(default_factory=dict)
    cancelled: frozenset[date] = frozenset()

    def holidays_of(self, year: int) -> dict[date, str]:
        days = {d: n for d, n in _computed(year).items() if d not in self.cancelled}
        days.update({d: n for d, n in self.extra.items() if d.year == year})
        return dict(sorted(days.items()))

    def is_working_day(self, day: date) -> bool:
        if day.weekday() in WEEKEND or day in self.extra:
            return False
        return day in self.cancelled or day not in _computed(day.year)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself never counts); n = 0 gives start."""
        if n < 0:
            raise ValueError("n must be zero or positive")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` lies after `start`.

        Negative when `end` is before `start`, so `count(a, add(a, n)) == n` for every n >= 0.
        """
        if end < start:
            return -self.count_working_days(end, start)
        return sum(
            1
            for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=i))
        )


def calendar_from_overrides(overrides: Iterable[tuple[date, bool, str]]) -> WorkingCalendar:
    """Build a calendar from (date, is_holiday, name) overrides."""
    extra, cancelled = {}, set()
    for day, is_holiday, name in overrides:
        if is_holiday:
            extra[day] = name
        else:
            cancelled.add(day)
    return WorkingCalendar(extra=extra, cancelled=frozenset(cancelled))
