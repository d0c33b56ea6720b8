"""The additive facts of a period and an area: counts plus the two minute histograms.

`Facts` objects add up (a week is the sum of its days, a region the sum of its sites), and the
catalogue computes every indicator from them.
"""

from teranga.indicators.models import COUNTS
from teranga.lib import histograms


class Facts:
    __slots__ = ("counts", "wait", "service")

    def __init__(self):
        self.counts = dict.fromkeys(COUNTS, 0)
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
            **self.counts,
            "wait_hist": histograms.encode(self.wait),
            "service_hist": histograms.encode(self.service),
        }

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items() if v)
        return f"Facts({counts})"


VALUE_FIELDS = (*COUNTS, "wait_hist", "service_hist")
