"""Periods as the steering pages and the API ask for them: a month, a quarter, a year or any
range of days, the period before it, and how many periods a request spans (to bound it)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from teranga.indicators.selectors import period_after, period_start

DAY = timedelta(days=1)
MAX_PERIODS = 400  # a request spanning more periods than this is refused (422)
_PICK = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


def period_count(first: date, last: date, granularity: str) -> int:
    """How many periods of `granularity` meet [first, last], without listing them."""
    if granularity == "day":
        return (last - first).days + 1
    if granularity == "week":
        return (period_start(last, "week") - period_start(first, "week")).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    if granularity == "month":
        return months + 1
    if granularity == "quarter":
        return (last.year - first.year) * 4 + (last.month - 1) // 3 - (first.month - 1) // 3 + 1
    if granularity == "year":
        return last.year - first.year + 1
    raise ValueError(f"unknown granularity {granularity!r}")


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    kind: str  # "month", "quarter", "year" or "range"

    @property
    def key(self) -> str:
        """The value of the `period` query parameter naming it ("" for a free range)."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return ""

    def previous(self) -> "Period":
        """The period of the same kind just before (a free range: as many days before)."""
        if self.kind == "range":
            days = self.last - self.first
            return Period(self.first - days - DAY, self.first - DAY, "range")
        start = period_start(self.first - DAY, self.kind)
        return Period(start, self.first - DAY, self.kind)


def whole(start: date, kind: str) -> Period:
    return Period(start, period_after(start, kind) - DAY, kind)


def period_parse(key: str) -> Period | None:
    """ "2026-10" (a month), "2026-Q4" (a quarter), "2026" (a year); None if unreadable."""
    match = _PICK.match(key or "")
    if not match:
        return None
    year, month, quarter = match.groups()
    year = int(year)
    if not 2000 <= year <= 2100:
        return None
    if month:
        if not 1 <= int(month) <= 12:
            return None
        return whole(date(year, int(month), 1), "month")
    if quarter:
        return whole(date(year, 3 * int(quarter) - 2, 1), "quarter")
    return whole(date(year, 1, 1), "year")


def period_choices(today: date, *, months: int = 24, quarters: int = 8, years: int = 5):
    """The periods offered by the pickers, latest first: months, quarters, years that have
    started by `today`."""
    out = {"month": [], "quarter": [], "year": []}
    for kind, count in (("month", months), ("quarter", quarters), ("year", years)):
        start = period_start(today, kind)
        for _ in range(count):
            out[kind].append(whole(start, kind))
            start = period_start(start - DAY, kind)
    return out
