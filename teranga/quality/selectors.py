"""Reading the referential and scoring a site from the indicators of a period."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from teranga.indicators.catalogue import by_code
from teranga.indicators.facts import Facts
from teranga.indicators.selectors import facts, months_back, site_area
from teranga.network.models import Site
from teranga.quality import scoring
from teranga.quality.audits import observations
from teranga.quality.models import Criterion, Referential


def current_referential() -> Referential | None:
    """The current version with its themes, engagements and criteria (4 queries)."""
    return (
        Referential.objects.filter(is_current=True)
        .prefetch_related("themes__engagements__criteria")
        .first()
    )


def referential_versions():
    """Every version, newest first, with the number of campaigns that used it."""
    return Referential.objects.annotate(campaign_count=Count("campaigns")).order_by("-created_at")


def specs(referential: Referential) -> list[scoring.Spec]:
    return [
        scoring.Spec(
            code=c.code,
            engagement=e.code,
            theme=t.code,
            kind=c.kind,
            weight=c.weight,
            mandatory=c.mandatory,
            indicator=c.indicator,
            comparison=c.comparison,
            threshold=c.threshold,
            min_sample=c.min_sample or 0,
        )
        for t in referential.themes.all()
        for e in t.engagements.all()
        for c in e.criteria.all()
    ]


def last_quarter() -> tuple[date, date]:
    """The three whole months before the current one."""
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return months_back(end, 2), end


def measures(
    sites: list[Site], first: date, last: date, indicators: set[str]
) -> dict[int, dict[str, tuple[float | None, int]]]:
    """site pk → indicator code → (value, sample) over [first, last], in one query for all
    the sites (plus the quality figures' few when a quality indicator is asked): the raw
    measure, each criterion applying its own minimum sample."""
    if not sites or not indicators:
        return {site.pk: {} for site in sites}
    catalogue = by_code()
    contributed = any(catalogue[code].family == "quality" for code in indicators)
    found = facts([site_area(s) for s in sites], first, last, None, contributed=contributed)
    empty = Facts()
    return {
        site.pk: {
            code: catalogue[code].measure(found.get((site.pk, first), empty)) for code in indicators
        }
        for site in sites
    }


def live_score(site: Site, referential: Referential, first: date, last: date) -> scoring.Result:
    """The pre-score from the data of [first, last]: measured criteria from the indicators,
    observed ones from the latest audit and mystery checks; declared ones count as unanswered
    until a campaign says more."""
    criteria = specs(referential)
    wanted = {s.indicator for s in criteria if s.kind == Criterion.Kind.MEASURED}
    return scoring.score(
        criteria,
        measures=measures([site], first, last, wanted)[site.pk],
        observations=observations([site.pk], referential)[site.pk],
        label_threshold=settings.QUALITY_LABEL_THRESHOLD,
    )
