"""Satisfaction figures that say how sure they are.

Satisfaction rate = share of ratings 4–5. Net satisfaction = share of 4–5 minus share of 1–2.
Both come with the sample size and a Wilson 95 % score interval; below a minimum sample they
are not given at all ("not enough answers"), because a rate over a dozen answers misleads.

The net score is 2q − 1 where q = (satisfied + neutral / 2) / n: its interval is the Wilson
interval of q mapped back. A score of 1, ½ or 0 per answer varies less than a yes/no answer
with the same mean, so this interval is, if anything, a little wide — never falsely precise.
"""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion successes/n (n > 0)."""
    if n <= 0:
        raise ValueError("the interval of an empty sample is undefined")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At 0 and n the exact bound is 0 or 1; rounding must not move it inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Satisfaction:
    responses: int
    satisfied: int  # ratings 4–5
    dissatisfied: int  # ratings 1–2
    min_sample: int
    satisfaction_rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    net_satisfaction: float | None = None
    net_ci_low: float | None = None
    net_ci_high: float | None = None

    @property
    def enough_answers(self) -> bool:
        return self.responses >= self.min_sample and self.responses > 0


def satisfaction(*, responses: int, satisfied: int, dissatisfied: int, min_sample: int):
    """The figures of a sample, or only its counts when it is smaller than `min_sample`."""
    if min(responses, satisfied, dissatisfied) < 0 or satisfied + dissatisfied > responses:
        raise ValueError("inconsistent counts")
    counts = Satisfaction(responses, satisfied, dissatisfied, max(min_sample, 1))
    if not counts.enough_answers:
        return counts
    low, high = wilson(satisfied, responses)
    neutral = responses - satisfied - dissatisfied
    q_low, q_high = wilson(satisfied + neutral / 2, responses)
    return Satisfaction(
        responses,
        satisfied,
        dissatisfied,
        counts.min_sample,
        satisfaction_rate=satisfied / responses,
        ci_low=low,
        ci_high=high,
        net_satisfaction=(satisfied - dissatisfied) / responses,
        net_ci_low=2 * q_low - 1,
        net_ci_high=2 * q_high - 1,
    )


def satisfaction_from_ratings(counts: dict[int, int], *, min_sample: int) -> Satisfaction:
    """The same from a count per rating 1–5."""
    return satisfaction(
        responses=sum(counts.values()),
        satisfied=counts.get(4, 0) + counts.get(5, 0),
        dissatisfied=counts.get(1, 0) + counts.get(2, 0),
        min_sample=min_sample,
    )
