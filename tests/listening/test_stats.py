"""The statistics module: rates, net score, Wilson intervals and the minimum-sample rule."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teranga.lib.stats import satisfaction, satisfaction_from_ratings, wilson

counts = st.tuples(*(st.integers(0, 400) for _ in range(5)))


def test_wilson_matches_a_published_value():
    # 81 of 263 (Wilson 1927 style example): 0.2553–0.3662 per standard tables.
    low, high = wilson(81, 263)
    assert math.isclose(low, 0.2553, abs_tol=5e-4)
    assert math.isclose(high, 0.3662, abs_tol=5e-4)


def test_wilson_of_all_successes_reaches_one_but_not_below_zero():
    low, high = wilson(10, 10)
    assert high == 1.0 and 0.69 < low < 0.73


def test_wilson_refuses_an_empty_sample():
    with pytest.raises(ValueError):
        wilson(0, 0)


def test_a_small_sample_gets_no_rate():
    figures = satisfaction(responses=29, satisfied=29, dissatisfied=0, min_sample=30)
    assert not figures.enough_answers
    assert figures.satisfaction_rate is None and figures.ci_low is None
    assert figures.net_satisfaction is None
    assert figures.responses == 29


def test_rate_and_net_score_at_the_threshold():
    figures = satisfaction(responses=40, satisfied=30, dissatisfied=6, min_sample=30)
    assert figures.enough_answers
    assert figures.satisfaction_rate == 0.75
    assert figures.net_satisfaction == 0.6


def test_inconsistent_counts_are_refused():
    with pytest.raises(ValueError):
        satisfaction(responses=5, satisfied=4, dissatisfied=3, min_sample=1)


@given(counts, st.integers(1, 60))
def test_figures_hold_for_any_sample(ratings, min_sample):
    figures = satisfaction_from_ratings(
        dict(zip(range(1, 6), ratings, strict=True)), min_sample=min_sample
    )
    n = sum(ratings)
    assert figures.responses == n
    assert figures.satisfied == ratings[3] + ratings[4]
    assert figures.dissatisfied == ratings[0] + ratings[1]
    if n < min_sample or n == 0:
        assert not figures.enough_answers and figures.satisfaction_rate is None
        return
    assert 0 <= figures.ci_low <= figures.satisfaction_rate <= figures.ci_high <= 1
    assert -1 <= figures.net_ci_low <= figures.net_satisfaction <= figures.net_ci_high <= 1
    assert -1 <= figures.net_satisfaction <= 1
    assert figures.net_satisfaction <= figures.satisfaction_rate


@given(st.integers(1, 50), st.integers(0, 50))
def test_more_answers_with_the_same_share_narrow_the_interval(n, k):
    k = min(k, n)
    small = wilson(k, n)
    large = wilson(k * 10, n * 10)
    assert large[1] - large[0] < small[1] - small[0]
