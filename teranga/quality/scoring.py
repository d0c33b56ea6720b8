"""Scoring a site against a referential version: a pure function of the criteria, the
period's measured values and the answers. Same inputs, same score.

Each criterion scores between 0 and 1: a measured criterion 1 when its value meets the
threshold with at least its minimum sample, else 0 (too small a sample is a gap, flagged as
such); a declared one 1 for "yes", 0.5 for "partly", 0 for "no" or no answer; an observed
one 1 when conform, 0.5 for a minor non-conformity, 0 for a major one or no observation.
Engagements, themes and the site score are weighted means in percent. The site is ready for
the label when every mandatory criterion scores 1 and the site score reaches the threshold.
"""

from dataclasses import dataclass, field

DECLARED = {"yes": 1.0, "partly": 0.5, "no": 0.0}
OBSERVED = {"conform": 1.0, "minor": 0.5, "major": 0.0}


@dataclass(frozen=True)
class Spec:
    code: str
    engagement: str
    theme: str
    kind: str  # measured | declared | observed
    weight: int = 1
    mandatory: bool = False
    indicator: str = ""
    comparison: str = ""  # ">=" or "<="
    threshold: float | None = None
    min_sample: int = 0


@dataclass(frozen=True)
class CriterionResult:
    code: str
    score: float
    reason: str  # met, not_met, too_few, yes, partly, no, unanswered, conform, minor, major, …
    value: float | None = None
    sample: int | None = None


@dataclass(frozen=True)
class Result:
    criteria: dict[str, CriterionResult]
    engagements: dict[str, float]
    themes: dict[str, float]
    overall: float
    label_ready: bool
    gaps: list[str] = field(default_factory=list)


def _measured(spec: Spec, measure: tuple[float | None, int] | None) -> CriterionResult:
    value, sample = measure if measure is not None else (None, 0)
    if value is None or sample < spec.min_sample:
        return CriterionResult(spec.code, 0.0, "too_few", value, sample)
    met = value >= spec.threshold if spec.comparison == ">=" else value <= spec.threshold
    return CriterionResult(
        spec.code, 1.0 if met else 0.0, "met" if met else "not_met", value, sample
    )


def _criterion(spec: Spec, measures: dict, answers: dict, observations: dict) -> CriterionResult:
    if spec.kind == "measured":
        return _measured(spec, measures.get(spec.indicator))
    if spec.kind == "declared":
        answer = answers.get(spec.code)
        return CriterionResult(spec.code, DECLARED.get(answer, 0.0), answer or "unanswered")
    finding = observations.get(spec.code)
    return CriterionResult(spec.code, OBSERVED.get(finding, 0.0), finding or "not_observed")


def _mean(pairs: list[tuple[float, int]]) -> float:
    total = sum(w for _, w in pairs)
    return round(100 * sum(s * w for s, w in pairs) / total, 1) if total else 0.0


def score(
    specs: list[Spec],
    *,
    measures: dict[str, tuple[float | None, int]],
    answers: dict[str, str] | None = None,
    observations: dict[str, str] | None = None,
    label_threshold: float = 75.0,
) -> Result:
    """`measures`: indicator code → (value, sample) for the period; `answers`: criterion code
    → yes/partly/no; `observations`: criterion code → conform/minor/major."""
    answers, observations = answers or {}, observations or {}
    results = {s.code: _criterion(s, measures, answers, observations) for s in specs}
    by_engagement: dict[str, list] = {}
    by_theme: dict[str, list] = {}
    for s in specs:
        pair = (results[s.code].score, s.weight)
        by_engagement.setdefault(s.engagement, []).append(pair)
        by_theme.setdefault(s.theme, []).append(pair)
    overall = _mean([(results[s.code].score, s.weight) for s in specs])
    mandatory_met = all(results[s.code].score == 1.0 for s in specs if s.mandatory)
    return Result(
        criteria=results,
        engagements={code: _mean(pairs) for code, pairs in by_engagement.items()},
        themes={code: _mean(pairs) for code, pairs in by_theme.items()},
        overall=overall,
        label_ready=mandatory_met and overall >= label_threshold,
        gaps=[s.code for s in specs if results[s.code].score < 1.0],
    )
