"""The site quality report (PDF, in French like the other reports): scores per theme and
engagement, label readiness and the gaps — from the site's latest submitted or accepted
self-assessment when there is one, else the live pre-score over the last quarter — then the
evidence list (names, not the files), the action plan with its overdue actions, and the share
of staff trained on the referential. Built into one data structure, rendered through an HTML
template and WeasyPrint with the monthly reports' print stylesheet."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from teranga.indicators.catalogue import by_code
from teranga.listening.tablet import read_static
from teranga.network.models import Site
from teranga.quality import actions, campaigns, scoring, selectors, training
from teranga.quality.models import (
    Criterion,
    Evidence,
    Referential,
)

LANGUAGE = "fr"


@dataclass(frozen=True)
class Score:
    code: str
    title: str
    score: float


@dataclass(frozen=True)
class ThemeScore(Score):
    engagements: list[Score] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    code: str
    title: str
    kind: str
    mandatory: bool
    reason: str
    figure: str = ""  # measured: "57,1 % (n = 240) — seuil ≥ 80 %"


@dataclass(frozen=True)
class EvidenceRow:
    name: str
    criterion: str
    attached_to: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass
class SiteQualityReport:
    site: Site
    generated_at: datetime
    version: str
    source: str  # "assessment" or "live"
    source_label: str
    first: date
    last: date
    overall: float
    label_ready: bool
    threshold: float
    themes: list[ThemeScore]
    gaps: list[Gap]
    evidence: list[EvidenceRow]
    actions: list
    counts: actions.PlanCounts
    trained: int
    staff_count: int
    untrained: list[str]

    @property
    def filename(self) -> str:
        return f"teranga-qualite-{self.site.code}-{self.generated_at:%Y-%m-%d}.pdf"

    @property
    def trained_pct(self) -> int | None:
        return round(100 * self.trained / self.staff_count) if self.staff_count else None


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    places = 1 if unit in ("%", "points") else 0
    number = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    return number + {"min": " min", "%": " %", "points": " pts"}.get(unit, "")


def _gap(criterion: Criterion, result: scoring.CriterionResult) -> Gap:
    figure = ""
    if criterion.kind == Criterion.Kind.MEASURED:
        unit = by_code()[criterion.indicator].unit if criterion.indicator in by_code() else ""
        figure = _("%(value)s (n = %(sample)s), threshold %(comparison)s %(threshold)s") % {
            "value": _figure(result.value, unit),
            "sample": result.sample or 0,
            "comparison": "≥" if criterion.comparison == ">=" else "≤",
            "threshold": _figure(criterion.threshold, unit),
        }
    return Gap(
        criterion.code,
        criterion.title,
        criterion.get_kind_display(),
        criterion.mandatory,
        str(campaigns.REASONS.get(result.reason, result.reason)),
        figure,
    )


def _evidence(site: Site) -> list[EvidenceRow]:
    rows = Evidence.objects.filter(site=site).select_related(
        "answer__criterion", "finding__criterion", "action__criterion", "uploaded_by"
    )
    out = []
    for e in rows.order_by("uploaded_at", "pk"):
        if e.answer_id:
            criterion, owner = e.answer.criterion.code, _("self-assessment")
        elif e.finding_id:
            criterion, owner = e.finding.criterion.code, _("audit finding")
        else:
            criterion = e.action.criterion.code if e.action.criterion_id else "—"
            owner = _("action: %(title)s") % {"title": e.action.title}
        by = e.uploaded_by.get_full_name() or e.uploaded_by.username if e.uploaded_by else "—"
        out.append(EvidenceRow(e.name, criterion, owner, by, timezone.localtime(e.uploaded_at)))
    return out


def site_report(site: Site, today: date | None = None) -> SiteQualityReport:
    today = today or timezone.localdate()
    with translation.override(LANGUAGE):
        referential = selectors.current_referential()
        assessment = campaigns.latest_assessment(site)
        if assessment is not None:
            referential = Referential.objects.prefetch_related("themes__engagements__criteria").get(
                pk=assessment.campaign.referential_id
            )
            result = campaigns.grid(assessment).result
            first, last = assessment.campaign.period_start, assessment.campaign.period_end
            source = "assessment"
            source_label = _("Self-assessment “%(campaign)s” (%(status)s)") % {
                "campaign": assessment.campaign.title,
                "status": assessment.get_status_display(),
            }
        elif referential is not None:
            first, last = selectors.last_quarter()
            result = selectors.live_score(site, referential, first, last)
            source = "live"
            source_label = _(
                "Pre-score from the data of the last quarter (no self-assessment submitted yet)"
            )
        else:
            raise LookupError("No quality referential has been published yet.")
        criteria: dict[str, Criterion] = {}
        themes = []
        for t in referential.themes.all():
            engagements = []
            for e in t.engagements.all():
                engagements.append(Score(e.code, e.title, result.engagements.get(e.code, 0.0)))
                criteria.update({c.code: c for c in e.criteria.all()})
            themes.append(ThemeScore(t.code, t.title, result.themes.get(t.code, 0.0), engagements))
        rows = actions.plan(site, today)
        trained_rows = training.site_training(site, today)
        return SiteQualityReport(
            site=site,
            generated_at=timezone.localtime(),
            version=referential.version,
            source=source,
            source_label=source_label,
            first=first,
            last=last,
            overall=result.overall,
            label_ready=result.label_ready,
            threshold=settings.QUALITY_LABEL_THRESHOLD,
            themes=themes,
            gaps=[_gap(criteria[code], result.criteria[code]) for code in result.gaps],
            evidence=_evidence(site),
            actions=rows,
            counts=actions.plan_counts([site.pk], today)[site.pk],
            trained=sum(1 for r in trained_rows if r.trained_on),
            staff_count=len(trained_rows),
            untrained=[
                r.user.get_full_name() or r.user.username for r in trained_rows if not r.trained_on
            ],
        )


def report_html(report: SiteQualityReport) -> str:
    with translation.override(LANGUAGE):
        return render_to_string("quality/report/site.html", {"report": report})


def report_pdf(report: SiteQualityReport) -> bytes:
    """The report as an A4 PDF, with the monthly reports' print stylesheet."""
    html = report_html(report)
    from weasyprint import CSS, HTML  # heavy: loaded only when a PDF is asked for

    css = [
        CSS(string=read_static(n).decode()) for n in ("steering/report.css", "quality/report.css")
    ]
    return HTML(string=html).write_pdf(stylesheets=css)
