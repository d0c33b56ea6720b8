"""Self-assessment campaigns: the national team launches one over a period, each site fills
its grid (measured criteria pre-scored from the data of the period, declared ones answered,
observed ones from the latest audit), the site manager submits, the national team accepts or
returns it with remarks, then closes the campaign.

Writes are the services below (`campaign_launch`, `campaign_close`, `answer_save`,
`assessment_transition`); reads feeding pages and the API are the selectors at the end, each
in a number of queries that does not grow with the sites or the answers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import Site
from teranga.network.permissions import Action, is_national_admin, sites_for, user_can
from teranga.network.services import audit_record
from teranga.quality import scoring
from teranga.quality.audits import latest_findings, observations
from teranga.quality.models import (
    Answer,
    Assessment,
    AssessmentTransition,
    Campaign,
    Criterion,
    Finding,
    Referential,
)
from teranga.quality.selectors import current_referential, measures, specs

MEASURED, DECLARED, OBSERVED = (
    Criterion.Kind.MEASURED,
    Criterion.Kind.DECLARED,
    Criterion.Kind.OBSERVED,
)
Status = Assessment.Status

# Allowed moves of an assessment; who may make each is checked in `assessment_transition`.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.RETURNED}),
    Status.RETURNED: frozenset({Status.SUBMITTED}),
    Status.ACCEPTED: frozenset(),
}
EDITABLE = (Status.DRAFT, Status.RETURNED)
COMMENT_MAX = 2000
REASONS = {
    "met": gettext_lazy("met"),
    "not_met": gettext_lazy("not met"),
    "too_few": gettext_lazy("too few to judge"),
    "yes": gettext_lazy("yes"),
    "partly": gettext_lazy("partly"),
    "no": gettext_lazy("no"),
    "unanswered": gettext_lazy("not answered"),
    "conform": gettext_lazy("conform"),
    "minor": gettext_lazy("minor non-conformity"),
    "major": gettext_lazy("major non-conformity"),
    "not_observed": gettext_lazy("not observed yet"),
}
REMARKS_MAX = 4000


# --- reading the data of a period ---------------------------------------------------------


def _measured_indicators(referential: Referential) -> set[str]:
    return {
        c.indicator
        for t in referential.themes.all()
        for e in t.engagements.all()
        for c in e.criteria.all()
        if c.kind == MEASURED
    }


# --- launching and closing ----------------------------------------------------------------


def _previous_answers(site_ids: list[int], campaign: Campaign) -> dict[int, dict[str, Answer]]:
    """site pk → criterion code → the declared answer of the site's last earlier campaign
    (two queries)."""
    last: dict[int, int] = {}
    earlier = (
        Assessment.objects.filter(site_id__in=site_ids)
        .exclude(campaign=campaign)
        .order_by("-campaign__created_at", "-campaign_id")
        .values_list("pk", "site_id")
    )
    for pk, site_id in earlier:
        last.setdefault(site_id, pk)
    by_assessment: dict[int, int] = {pk: site_id for site_id, pk in last.items()}
    out: dict[int, dict[str, Answer]] = defaultdict(dict)
    answers = (
        Answer.objects.filter(assessment_id__in=list(by_assessment), criterion__kind=DECLARED)
        .exclude(choice="", comment="")
        .select_related("criterion")
    )
    for answer in answers:
        out[by_assessment[answer.assessment_id]][answer.criterion.code] = answer
    return out


@transaction.atomic
def campaign_launch(
    *,
    actor,
    title: str,
    period_start: date,
    period_end: date,
    due_date: date,
    referential: Referential | None = None,
    sites: list[Site] | None = None,
) -> Campaign:
    """Open a campaign: one assessment per site and one answer per criterion, measured ones
    pre-filled with the period's value and sample, declared ones with the site's last
    campaign's choice and comment. `sites` None: every open site. A bounded number of
    queries whatever the number of sites (one read of the rollups for all of them)."""
    if not is_national_admin(actor):
        raise Forbidden(_("Only the national team launches campaigns."))
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the campaign a title."), field="title")
    if len(title) > Campaign._meta.get_field("title").max_length:
        raise Invalid(_("The title is too long."), field="title")
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    if period_end >= timezone.localdate():
        raise Invalid(_("The period must be over: it ends before today."), field="period_end")
    if due_date < timezone.localdate():
        raise Invalid(_("The due date is already past."), field="due_date")
    referential = referential or current_referential()
    if referential is None:
        raise Invalid(_("No quality referential has been published yet."), field="referential")
    if sites is None:
        sites = list(Site.objects.exclude(status=Site.Status.CLOSED).order_by("code"))
    sites = list({s.pk: s for s in sites}.values())
    if not sites:
        raise Invalid(_("Choose at least one site."), field="sites")
    criteria = [
        c for t in referential.themes.all() for e in t.engagements.all() for c in e.criteria.all()
    ]
    campaign = Campaign.objects.create(
        title=title,
        referential=referential,
        period_start=period_start,
        period_end=period_end,
        due_date=due_date,
        created_by=actor,
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(campaign=campaign, site=site) for site in sites
    )
    site_ids = [s.pk for s in sites]
    measured = measures(sites, period_start, period_end, _measured_indicators(referential))
    previous = _previous_answers(site_ids, campaign)
    rows = []
    for assessment in assessments:
        site_measures, site_previous = measured[assessment.site_id], previous[assessment.site_id]
        for criterion in criteria:
            answer = Answer(assessment=assessment, criterion=criterion)
            if criterion.kind == MEASURED:
                answer.value, answer.sample = site_measures[criterion.indicator]
            elif criterion.code in site_previous:
                answer.choice = site_previous[criterion.code].choice
                answer.comment = site_previous[criterion.code].comment
            rows.append(answer)
    Answer.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        actor=actor,
        action="quality.campaign_launch",
        instance=campaign,
        changes={
            "status": [None, campaign.status],
            "period": [None, f"{period_start.isoformat()}/{period_end.isoformat()}"],
            "sites": [None, sorted(s.code for s in sites)],
            "referential": [None, referential.version],
        },
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """No answer is taken after closing; the grids keep their last figures."""
    if not is_national_admin(actor):
        raise Forbidden(_("Only the national team closes campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        raise Conflict(_("This campaign is already closed."))
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action="quality.campaign_close",
        instance=campaign,
        changes={"status": [Campaign.Status.OPEN, Campaign.Status.CLOSED]},
    )
    return campaign


# --- answering ----------------------------------------------------------------------------


def _editable(assessment: Assessment) -> None:
    if assessment.campaign.status == Campaign.Status.CLOSED:
        raise Conflict(_("This campaign is closed: no more answers are taken."))
    if assessment.status not in EDITABLE:
        raise Conflict(
            _("This grid is %(status)s: it can no longer be changed.")
            % {"status": assessment.get_status_display()}
        )


@transaction.atomic
def answer_save(
    *,
    actor,
    answer: Answer,
    choice: str | None = None,
    comment: str | None = None,
    disputed: bool | None = None,
) -> Answer:
    """Record the site's answer on one criterion; None leaves a field as it is. Declared:
    choice and comment. Measured: a comment and "I disagree", never the value. Observed:
    nothing here (audits and mystery checks)."""
    assessment = answer.assessment
    if not user_can(actor, Action.QUALITY, assessment.site):
        raise Forbidden(_("You may not answer for this site."))
    _editable(assessment)
    kind = answer.criterion.kind
    if kind == OBSERVED:
        raise Invalid(_("This criterion is observed by audits and mystery checks."))
    if choice is not None and kind != DECLARED:
        raise Invalid(_("A measured criterion's result comes from the data."), field="choice")
    if choice is not None and choice not in ("", *Answer.Choice.values):
        raise Invalid(_("Answer yes, partly or no."), field="choice")
    if disputed is not None and kind != MEASURED:
        raise Invalid(_("Only a measured result can be disputed."), field="disputed")
    if comment is not None and len(comment) > COMMENT_MAX:
        raise Invalid(
            _("The comment is too long (%(max)d characters at most).") % {"max": COMMENT_MAX},
            field="comment",
        )
    changes = {}
    for name, new in (("choice", choice), ("comment", comment), ("disputed", disputed)):
        if new is not None and getattr(answer, name) != new:
            changes[name] = [getattr(answer, name), new]
            setattr(answer, name, new)
    if not changes:
        return answer
    answer.updated_by, answer.updated_at = actor, timezone.now()
    answer.save(update_fields=[*changes, "updated_by", "updated_at"])
    audit_record(actor=actor, action="quality.answer", instance=answer, changes=changes)
    return answer


# --- submitting and deciding --------------------------------------------------------------


def _freeze(assessment: Assessment) -> scoring.Result:
    """Write the period's measured values into the answers and score the grid."""
    campaign = assessment.campaign
    referential = _referential(campaign)
    answers = list(assessment.answers.select_related("criterion"))
    values = measures(
        [assessment.site],
        campaign.period_start,
        campaign.period_end,
        _measured_indicators(referential),
    )[assessment.site_id]
    changed = []
    for answer in answers:
        if answer.criterion.kind == MEASURED:
            fresh = values[answer.criterion.indicator]
            if (answer.value, answer.sample) != fresh:
                answer.value, answer.sample = fresh
                changed.append(answer)
    Answer.objects.bulk_update(changed, ["value", "sample"])
    observed = observations([assessment.site_id], referential)[assessment.site_id]
    return _score(referential, answers, observed)


def _missing(assessment: Assessment) -> list[Criterion]:
    return [
        a.criterion
        for a in assessment.answers.select_related("criterion").filter(
            criterion__kind=DECLARED, choice=""
        )
    ]


@transaction.atomic
def assessment_transition(
    *, actor, assessment: Assessment, to: str, remarks: str = ""
) -> Assessment:
    """submit (site manager: every declared criterion answered; the score is frozen),
    accept or return with remarks (national team)."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("campaign", "site__department")
        .get(pk=assessment.pk)
    )
    before = assessment.status
    if to not in TRANSITIONS.get(before, ()):
        raise Conflict(
            _("A grid %(from)s cannot be %(to)s.")
            % {"from": Status(before).label, "to": Status(to).label if to in Status.values else to}
        )
    remarks = (remarks or "").strip()
    if len(remarks) > REMARKS_MAX:
        raise Invalid(_("The remarks are too long."), field="remarks")
    now = timezone.now()
    fields = ["status"]
    if to == Status.SUBMITTED:
        if not (
            user_can(actor, Action.MANAGE, assessment.site)
            and user_can(actor, Action.QUALITY, assessment.site)
        ):
            raise Forbidden(_("Only the site manager submits the grid."))
        if assessment.campaign.status == Campaign.Status.CLOSED:
            raise Conflict(_("This campaign is closed: no more answers are taken."))
        missing = _missing(assessment)
        if missing:
            raise Invalid(
                _("Answer every declared criterion before submitting. Missing: %(list)s.")
                % {"list": "; ".join(f"{c.code} {c.title}" for c in missing)},
                field="answers",
            )
        result = _freeze(assessment)
        assessment.overall, assessment.label_ready = result.overall, result.label_ready
        assessment.submitted_at, assessment.submitted_by = now, actor
        fields += ["overall", "label_ready", "submitted_at", "submitted_by"]
    else:
        if not is_national_admin(actor):
            raise Forbidden(_("Only the national team accepts or returns a grid."))
        if to == Status.RETURNED:
            if not remarks:
                raise Invalid(_("Say what the site should review."), field="remarks")
            if assessment.campaign.status == Campaign.Status.CLOSED:
                raise Conflict(_("This campaign is closed: a grid can no longer be returned."))
        assessment.remarks = remarks or assessment.remarks
        assessment.decided_at, assessment.decided_by = now, actor
        fields += ["remarks", "decided_at", "decided_by"]
    assessment.status = to
    assessment.save(update_fields=fields)
    AssessmentTransition.objects.create(
        assessment=assessment,
        from_status=before,
        to_status=to,
        actor=actor,
        remarks=remarks,
        at=now,
    )
    changes = {"status": [before, to]}
    if remarks:
        changes["remarks"] = [None, remarks]
    if to == Status.SUBMITTED:
        changes["overall"] = [None, assessment.overall]
    audit_record(
        actor=actor, action=f"quality.assessment_{to}", instance=assessment, changes=changes
    )
    return assessment


# --- reading ------------------------------------------------------------------------------


def _referential(campaign: Campaign) -> Referential:
    """The campaign's version with its tree (prefetched once per campaign object)."""
    cached = getattr(campaign, "_referential_tree", None)
    if cached is None:
        cached = Referential.objects.prefetch_related("themes__engagements__criteria").get(
            pk=campaign.referential_id
        )
        campaign._referential_tree = cached
    return cached


def _score(referential: Referential, answers: list[Answer], observed: dict) -> scoring.Result:
    measures, choices = {}, {}
    for answer in answers:
        criterion = answer.criterion
        if criterion.kind == MEASURED:
            measures[criterion.indicator] = (answer.value, answer.sample or 0)
        elif criterion.kind == DECLARED and answer.choice:
            choices[criterion.code] = answer.choice
    return scoring.score(
        specs(referential),
        measures=measures,
        answers=choices,
        observations=observed,
        label_threshold=settings.QUALITY_LABEL_THRESHOLD,
    )


def _live(assessment: Assessment) -> bool:
    """Measured values follow the data while the site may still change its grid."""
    return assessment.status in EDITABLE and assessment.campaign.status == Campaign.Status.OPEN


@dataclass
class Row:
    """One criterion of a grid, as shown."""

    criterion: Criterion
    answer: Answer
    result: scoring.CriterionResult
    finding: Finding | None = None

    @property
    def reason(self) -> str:
        return REASONS.get(self.result.reason, self.result.reason)

    @property
    def prefilled(self) -> bool:
        """A declared answer carried over from the last campaign, not yet reviewed."""
        return bool(self.answer.choice) and self.answer.updated_at is None


@dataclass
class Grid:
    assessment: Assessment
    referential: Referential
    result: scoring.Result
    themes: list  # [(theme, score, [(engagement, score, [Row])])]
    rows: dict[str, Row] = field(default_factory=dict)

    @property
    def answered(self) -> tuple[int, int]:
        declared = [r for r in self.rows.values() if r.criterion.kind == DECLARED]
        return sum(1 for r in declared if r.answer.choice), len(declared)

    @property
    def gaps(self) -> list[Row]:
        return [self.rows[code] for code in self.result.gaps]


def grid(assessment: Assessment) -> Grid:
    """The grid of one assessment scored: measured values from the data while it may change,
    frozen once submitted; observed criteria from the latest audit and mystery checks."""
    campaign = assessment.campaign
    referential = _referential(campaign)
    answers = list(assessment.answers.select_related("criterion").prefetch_related("evidence"))
    if _live(assessment):
        values = measures(
            [assessment.site],
            campaign.period_start,
            campaign.period_end,
            _measured_indicators(referential),
        )[assessment.site_id]
        for answer in answers:
            if answer.criterion.kind == MEASURED:
                answer.value, answer.sample = values[answer.criterion.indicator]
    latest = latest_findings([assessment.site_id], referential)
    findings = latest[assessment.site_id]
    observed = observations([assessment.site_id], referential, latest)[assessment.site_id]
    result = _score(referential, answers, observed)
    by_criterion = {a.criterion_id: a for a in answers}
    rows: dict[str, Row] = {}
    themes = []
    for theme in referential.themes.all():
        engagements = []
        for engagement in theme.engagements.all():
            criteria = []
            for criterion in engagement.criteria.all():
                answer = by_criterion[criterion.pk]
                answer.criterion = criterion
                row = Row(
                    criterion, answer, result.criteria[criterion.code], findings.get(criterion.code)
                )
                rows[criterion.code] = row
                criteria.append(row)
            engagements.append((engagement, result.engagements[engagement.code], criteria))
        themes.append((theme, result.themes[theme.code], engagements))
    return Grid(assessment, referential, result, themes, rows)


@dataclass
class SiteProgress:
    """One site's line in a campaign's follow-up."""

    assessment: Assessment
    answered: int
    declared: int
    disputed: int
    result: scoring.Result

    @property
    def answered_pct(self) -> int:
        return round(100 * self.answered / self.declared) if self.declared else 100


def campaign_progress(campaign: Campaign, site_ids=None) -> list[SiteProgress]:
    """Per site of the campaign (limited to `site_ids` when given): status, declared criteria
    answered, disputes and the score — frozen when submitted, from the data otherwise. One
    read of the rollups for all the sites still in progress."""
    referential = _referential(campaign)
    assessments = campaign.assessments.select_related("site__department__region", "campaign")
    if site_ids is not None:
        assessments = assessments.filter(site_id__in=site_ids)
    assessments = list(assessments.order_by("site__code"))
    for assessment in assessments:
        assessment.campaign = campaign
    answers: dict[int, list[Answer]] = defaultdict(list)
    criteria = {
        c.pk: c
        for t in referential.themes.all()
        for e in t.engagements.all()
        for c in e.criteria.all()
    }
    rows = Answer.objects.filter(assessment__in=[a.pk for a in assessments]).only(
        "assessment_id", "criterion_id", "choice", "value", "sample", "disputed"
    )
    for answer in rows:
        answer.criterion = criteria[answer.criterion_id]
        answers[answer.assessment_id].append(answer)
    live = [a for a in assessments if _live(a)]
    values = measures(
        [a.site for a in live],
        campaign.period_start,
        campaign.period_end,
        _measured_indicators(referential),
    )
    for assessment in live:
        for answer in answers[assessment.pk]:
            if answer.criterion.kind == MEASURED:
                answer.value, answer.sample = values[assessment.site_id][answer.criterion.indicator]
    observed = observations([a.site_id for a in assessments], referential)
    out = []
    for assessment in assessments:
        mine = answers[assessment.pk]
        declared = [a for a in mine if a.criterion.kind == DECLARED]
        out.append(
            SiteProgress(
                assessment=assessment,
                answered=sum(1 for a in declared if a.choice),
                declared=len(declared),
                disputed=sum(1 for a in mine if a.disputed),
                result=_score(referential, mine, observed[assessment.site_id]),
            )
        )
    return out


def campaigns_for(user):
    """Campaigns with at least one of the user's sites (all of them for national roles),
    newest first, with counts of assessments by status."""
    visible = sites_for(user, Action.VIEW)
    mine = Q(assessments__site__in=visible)
    return (
        Campaign.objects.filter(pk__in=Campaign.objects.filter(mine).values("pk"))
        .select_related("referential")
        .annotate(
            sites=Count("assessments", filter=Q(assessments__site__in=visible), distinct=True),
            submitted=Count(
                "assessments",
                filter=Q(assessments__site__in=visible)
                & Q(assessments__status__in=[Status.SUBMITTED, Status.ACCEPTED]),
                distinct=True,
            ),
        )
    )


def latest_assessment(site: Site) -> Assessment | None:
    """The site's latest submitted or accepted assessment (what "the latest" scores mean)."""
    return (
        Assessment.objects.filter(site=site, status__in=[Status.SUBMITTED, Status.ACCEPTED])
        .select_related("campaign__referential", "site")
        .order_by("-campaign__period_end", "-campaign__created_at")
        .first()
    )


def assessment_get(site: Site, campaign_id: int) -> Assessment | None:
    return (
        Assessment.objects.filter(site=site, campaign_id=campaign_id)
        .select_related("campaign__referential", "site__department__region")
        .first()
    )
