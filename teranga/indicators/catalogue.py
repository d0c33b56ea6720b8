"""The catalogue of indicators: a stable code, names in French, Wolof and English, a unit, a
direction, a default target and a minimum sample, and how the value comes from the facts.

A value is computed only when its sample reaches the minimum (below it the value is None and
nothing is published); counts have no minimum. Durations are whole minutes (nearest-rank
percentiles of the minute histograms); shares are percentages rounded to one decimal.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from teranga.indicators.facts import Facts
from teranga.lib.histograms import percentile


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # lazy: translated through the catalogs (fr, wo, en)
    unit: str  # "count", "min", "%", "points", "/10"
    higher_is_better: bool | None  # None: a volume, neither better nor worse
    target: float | None
    min_sample: int
    measure: Callable[[Facts], tuple[float | None, int]]  # (value, sample)
    family: str  # "reception", "listening", "cases", "quality"

    def value(self, facts: Facts) -> tuple[float | None, int]:
        value, sample = self.measure(facts)
        if sample < self.min_sample or (self.min_sample and not sample):
            return None, sample
        return value, sample

    def meets(self, value: float | None) -> bool | None:
        if value is None or self.target is None or self.higher_is_better is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


def _pct(part: int, whole: int) -> tuple[float | None, int]:
    return (round(100 * part / whole, 1) if whole else None), whole


def _count(name: str):
    return lambda f: (f[name], f[name])


def _wait_pct(p: int):
    return lambda f: (percentile(f.wait, p), sum(f.wait))


def _net(f: Facts):
    n = f["responses"]
    return (round(100 * (f["satisfied"] - f["dissatisfied"]) / n, 1) if n else None), n


def _mean_of_tenths(total: str, count: str):
    return lambda f: ((round(f[total] / f[count] / 10, 1) if f[count] else None), f[count])


def _catalogue() -> tuple[Indicator, ...]:
    ratings = settings.FEEDBACK_MIN_SAMPLE
    tickets, cases = settings.INDICATORS_MIN_SAMPLE, settings.INDICATORS_MIN_CASES
    I = Indicator  # noqa: E741, N806
    return (
        I("tickets", _("Tickets issued"), "count", None, None, 0,
          _count("tickets"), "reception"),
        I("wait_median_min", _("Median wait"), "min", False, 20, tickets,
          _wait_pct(50), "reception"),
        I("wait_p90_min", _("Wait of 9 users out of 10"), "min", False, 45, tickets,
          _wait_pct(90), "reception"),
        I("served_within_target_pct", _("Called within the target wait"), "%", True, 80, tickets,
          lambda f: _pct(f["within_target"], f["called"] + f["expired"]), "reception"),
        I("service_median_min", _("Median service time"), "min", None, None, tickets,
          lambda f: (percentile(f.service, 50), sum(f.service)), "reception"),
        I("no_show_pct", _("Called but absent"), "%", False, 10, tickets,
          lambda f: _pct(f["no_show"], f["called"]), "reception"),
        I("responses", _("Ratings received"), "count", None, None, 0,
          _count("responses"), "listening"),
        I("satisfaction_pct", _("Satisfied users"), "%", True, 80, ratings,
          lambda f: _pct(f["satisfied"], f["responses"]), "listening"),
        I("net_satisfaction", _("Net satisfaction"), "points", True, 50, ratings,
          _net, "listening"),
        I("complaints", _("Complaints filed"), "count", None, None, 0,
          _count("complaints"), "cases"),
        I("complaints_answered_on_time_pct", _("Complaints answered on time"), "%", True, 90,
          cases, lambda f: _pct(f["complaints_on_time"], f["complaints_due"]), "cases"),
        I("requests_on_time_pct", _("Requests completed on time"), "%", True, 90, cases,
          lambda f: _pct(f["requests_on_time"], f["requests_due"]), "cases"),
        # From the quality app's own records (see facts.CONTRIBUTED): every check, assessment,
        # trained person and action counts, so no minimum beyond one.
        I("mystery_score", _("Mystery check score"), "/10", True,
          settings.QUALITY_MYSTERY_PASS_LEVEL, 1,
          _mean_of_tenths("mystery_tenths", "mystery_checks"), "quality"),
        I("self_assessment_pct", _("Self-assessment score"), "%", True,
          settings.QUALITY_LABEL_THRESHOLD, 1,
          _mean_of_tenths("assessment_tenths", "assessments"), "quality"),
        I("staff_trained_pct", _("Staff trained on the referential"), "%", True, 100, 1,
          lambda f: _pct(f["staff_trained"], f["staff"]), "quality"),
        I("actions_on_time_pct", _("Improvement actions done on time"), "%", True, 80, 1,
          lambda f: _pct(f["actions_on_time"], f["actions_due"]), "quality"),
    )  # fmt: skip


def catalogue() -> tuple[Indicator, ...]:
    """Built on each call: the minimum sample of ratings is a setting."""
    return _catalogue()


def by_code() -> dict[str, Indicator]:
    return {i.code: i for i in catalogue()}
