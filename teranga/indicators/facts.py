"""The additive facts of a period and an area: counts plus the two minute histograms.

`Facts` objects add up (a week is the sum of its days, a region the sum of its sites), and the
catalogue computes every indicator from them.

Apps above this one contribute counts of their own, read when the facts are (never kept in
the rollups: their tables are small): a contributor registered with `contributor` is called
as `fn(level, area_pks, periods)` — `periods` a list of (start, end) half-open date ranges —
and returns {(area pk, period start): {count name: value}} for names of CONTRIBUTED.
"""

from collections.abc import Callable
from datetime import date

from teranga.indicators.models import COUNTS
from teranga.lib import histograms

CONTRIBUTED = (
    "mystery_checks",  # mystery checks performed
    "mystery_tenths",  # their scores out of 10, summed, in tenths of a point
    "assessments",  # self-assessments submitted (a group counts only with 2 sites or more)
    "assessment_tenths",  # their scores in %, summed, in tenths of a point
    "staff",  # staff of the sites at the period's end
    "staff_trained",  # of whom trained on the referential
    "actions_due",  # improvement actions due in the period (not cancelled), up to today
    "actions_on_time",  # of which done by their due date
)

Contributor = Callable[[str, list[int], list[tuple[date, date]]], dict]
_contributors: list[Contributor] = []


def contributor(fn: Contributor) -> Contributor:
    """Register `fn` (at app ready) as a source of CONTRIBUTED counts."""
    if fn not in _contributors:
        _contributors.append(fn)
    return fn


def contributions(level: str, area_pks: list[int], periods: list[tuple[date, date]]):
    """Every contributor's counts, one after the other."""
    for fn in _contributors:
        yield from fn(level, area_pks, periods).items()


class Facts:
    __slots__ = ("counts", "wait", "service")

    def __init__(self):
        self.counts = dict.fromkeys(COUNTS + CONTRIBUTED, 0)
        self.wait: list[int] = []
        self.service: list[int] = []

    @classmethod
    def of_values(cls, values: dict) -> "Facts":
        """From a Rollup row read as a dict (COUNTS, wait_hist, service_hist)."""
        facts = cls()
        for name in COUNTS:
            facts.counts[name] = values[name]
        facts.wait = histograms.decode(values["wait_hist"])
        facts.service = histograms.decode(values["service_hist"])
        return facts

    def add(self, other: "Facts") -> "Facts":
        for name, value in other.counts.items():
            self.counts[name] += value
        histograms.add(self.wait, other.wait)
        histograms.add(self.service, other.service)
        return self

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    def row_values(self) -> dict:
        """The Rollup fields holding these facts."""
        return {
            **{name: self.counts[name] for name in COUNTS},
            "wait_hist": histograms.encode(self.wait),
            "service_hist": histograms.encode(self.service),
        }

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items() if v)
        return f"Facts({counts})"


VALUE_FIELDS = (*COUNTS, "wait_hist", "service_hist")
