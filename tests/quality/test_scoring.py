"""The scoring function: by hand on a small referential, and properties."""

from hypothesis import given
from hypothesis import strategies as st

from teranga.quality.scoring import Spec, score

SPECS = [
    Spec("W1", "E1", "T1", "measured", weight=3, mandatory=True, indicator="within",
         comparison=">=", threshold=80, min_sample=100),
    Spec("W2", "E1", "T1", "measured", weight=1, indicator="p90", comparison="<=",
         threshold=45, min_sample=100),
    Spec("D1", "E2", "T1", "declared", weight=2),
    Spec("O1", "E3", "T2", "observed", weight=1),
]  # fmt: skip


def test_by_hand():
    result = score(
        SPECS,
        measures={"within": (85.0, 400), "p90": (50, 400)},
        answers={"D1": "partly"},
        observations={"O1": "conform"},
    )
    assert {c: r.score for c, r in result.criteria.items()} == {
        "W1": 1.0, "W2": 0.0, "D1": 0.5, "O1": 1.0
    }  # fmt: skip
    assert result.engagements == {"E1": 75.0, "E2": 50.0, "E3": 100.0}  # (3 + 0) / 4
    assert result.themes == {"T1": 66.7, "T2": 100.0}  # (3 + 0 + 1) / 6
    assert result.overall == 71.4  # (3 + 0 + 1 + 1) / 7
    assert result.gaps == ["W2", "D1"]
    assert not result.label_ready  # 71.4 < 75
    assert score(SPECS, measures={"within": (85.0, 400), "p90": (40, 400)},
                 answers={"D1": "yes"}, observations={"O1": "minor"}).label_ready  # fmt: skip


def test_too_small_a_sample_is_a_gap_and_blocks_a_mandatory_criterion():
    result = score(
        SPECS,
        measures={"within": (95.0, 99), "p90": (10, 400)},
        answers={"D1": "yes"},
        observations={"O1": "conform"},
        label_threshold=0,
    )
    assert result.criteria["W1"].reason == "too_few"
    assert result.criteria["W1"].sample == 99
    assert not result.label_ready
    assert result.gaps == ["W1"]


def test_unanswered_and_unobserved_count_zero():
    result = score(SPECS, measures={})
    assert result.overall == 0.0
    assert {r.reason for r in result.criteria.values()} == {"too_few", "unanswered", "not_observed"}


values = st.floats(min_value=0, max_value=100, allow_nan=False)
samples = st.integers(min_value=0, max_value=1000)


@given(within=values, p90=values, n=samples, better=st.floats(min_value=0, max_value=50))
def test_improving_a_measured_value_never_lowers_a_score(within, p90, n, better):
    before = score(SPECS, measures={"within": (within, n), "p90": (p90, n)})
    after = score(SPECS, measures={"within": (within + better, n), "p90": (p90 - better, n)})
    assert after.overall >= before.overall
    assert all(after.engagements[e] >= before.engagements[e] for e in before.engagements)
    assert all(after.themes[t] >= before.themes[t] for t in before.themes)
    assert after.label_ready >= before.label_ready


@given(within=values, n=samples)
def test_same_inputs_same_score(within, n):
    measures = {"within": (within, n), "p90": (30.0, n)}
    assert score(SPECS, measures=measures) == score(SPECS, measures=dict(measures))
