"""Action plans: every unmet criterion, audit finding, failed mystery check or recurring
complaint theme of a site can become an action (owner, due date, status, progress notes,
the indicator expected to improve). Overdue actions are flagged everywhere they show.

Writes are the services (`action_create`, `action_edit`, `action_progress`), each checking
who may write, recording an ActionUpdate for status changes and notes, and the audit trail.
Reads feeding pages, the API and the indicators are the selectors at the end, each in a
number of queries that does not grow with the actions.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teranga.cases.models import Case, Kind
from teranga.indicators.catalogue import by_code
from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import Role, RoleAssignment, Site, User
from teranga.network.permissions import Action as Can
from teranga.network.permissions import user_can
from teranga.network.services import audit_record
from teranga.quality.models import (
    Action,
    ActionUpdate,
    Assessment,
    Criterion,
    Finding,
    MysteryCheck,
    MysteryScore,
)
from teranga.quality.selectors import current_referential

Status = Action.Status
Origin = Action.Origin

# Allowed moves. A small action may be done straight from "planned"; done and cancelled are
# final (a reopened problem is a new action, so the record of the first one stays true).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.DONE, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.CANCELLED}),
    Status.DONE: frozenset(),
    Status.CANCELLED: frozenset(),
}
OPEN = (Status.PLANNED, Status.IN_PROGRESS)
# Roles whose holders on a site are its staff: they may own an action and count for training.
STAFF_ROLES = (Role.AGENT, Role.SITE_MANAGER, Role.QUALITY_OFFICER)
TITLE_MAX = 200
TEXT_MAX = 5000
THEME_MAX = 60
THEMES_MONTHS = 3
THEMES_SHOWN = 5


def site_staff(site: Site):
    """Active users holding a staff role (agent, site manager, quality officer) on the site."""
    ids = RoleAssignment.objects.filter(site=site, role__in=STAFF_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _check_writer(actor, site: Site) -> None:
    if not user_can(actor, Can.QUALITY, site):
        raise Forbidden(_("You may not change the action plan of this site."))


def _clean_fields(
    *, site: Site, title: str, description: str, owner, due_date: date, indicator: str,
    expected_value: float | None, today: date, check_due: bool = True,
) -> dict:  # fmt: skip
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the action a title."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(_("The title is too long (200 characters at most)."), field="title")
    description = (description or "").strip()
    if len(description) > TEXT_MAX:
        raise Invalid(_("The description is too long."), field="description")
    if owner is None or not site_staff(site).filter(pk=owner.pk).exists():
        raise Invalid(_("The owner must be a staff member of the site."), field="owner")
    if due_date is None:
        raise Invalid(_("Give a due date."), field="due_date")
    if check_due and due_date < today:
        raise Invalid(_("The due date cannot be in the past."), field="due_date")
    indicator = (indicator or "").strip()
    if indicator and indicator not in by_code():
        raise Invalid(_("Unknown indicator %(code)s.") % {"code": indicator}, field="indicator")
    if expected_value is not None and not indicator:
        raise Invalid(
            _("An expected value needs the indicator it applies to."), field="expected_value"
        )
    percentage = expected_value is not None and by_code()[indicator].unit == "%"
    if percentage and not 0 <= expected_value <= 100:
        raise Invalid(
            _("This indicator is a percentage: expect a value from 0 to 100."),
            field="expected_value",
        )
    return {
        "title": title,
        "description": description,
        "owner": owner,
        "due_date": due_date,
        "indicator": indicator,
        "expected_value": expected_value,
    }


@dataclass(frozen=True)
class Source:
    """Where an action comes from, resolved and checked against its site."""

    origin: str = Origin.OTHER
    criterion: Criterion | None = None
    assessment: Assessment | None = None
    finding: Finding | None = None
    mystery_check: MysteryCheck | None = None
    complaint_theme: str = ""


def _check_origin(site: Site, origin: Source) -> None:
    if origin.origin not in Origin.values:
        raise Invalid(_("Unknown origin."), field="origin")
    if origin.assessment is not None and origin.assessment.site_id != site.pk:
        raise Invalid(_("This self-assessment is not the site's."), field="assessment")
    if origin.finding is not None and origin.finding.audit.site_id != site.pk:
        raise Invalid(_("This audit finding is not the site's."), field="finding")
    if origin.mystery_check is not None and origin.mystery_check.site_id != site.pk:
        raise Invalid(_("This mystery check is not the site's."), field="mystery")
    needs = {
        Origin.CRITERION: origin.criterion,
        Origin.FINDING: origin.finding,
        Origin.MYSTERY: origin.mystery_check,
        Origin.COMPLAINTS: origin.complaint_theme.strip(),
    }
    if origin.origin in needs and not needs[origin.origin]:
        raise Invalid(_("The origin of the action is missing."), field="origin")
    if len(origin.complaint_theme) > THEME_MAX:
        raise Invalid(_("The complaint theme is too long."), field="theme")


@transaction.atomic
def action_create(
    *,
    site: Site,
    actor,
    title: str,
    owner,
    due_date: date,
    description: str = "",
    indicator: str = "",
    expected_value: float | None = None,
    origin: Source | None = None,
    today: date | None = None,
) -> Action:
    """A new planned action on the site's plan. Refused (nothing written) for a writer without
    the quality right on the site, an owner who is not staff of the site, a past due date, an
    unknown indicator or an origin of another site."""
    _check_writer(actor, site)
    origin = origin or Source()
    fields = _clean_fields(
        site=site,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        indicator=indicator,
        expected_value=expected_value,
        today=today or timezone.localdate(),
    )
    _check_origin(site, origin)
    action = Action.objects.create(
        site=site,
        origin=origin.origin,
        criterion=origin.criterion,
        assessment=origin.assessment,
        finding=origin.finding,
        mystery_check=origin.mystery_check,
        complaint_theme=origin.complaint_theme.strip(),
        created_by=actor,
        **fields,
    )
    audit_record(
        actor=actor,
        action="quality.action_create",
        instance=action,
        changes={
            "title": [None, action.title],
            "origin": [None, action.origin],
            "owner": [None, owner.get_username()],
            "due_date": [None, action.due_date.isoformat()],
        },
    )
    return action


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return value.get_username()
    return value


@transaction.atomic
def action_edit(
    *,
    action: Action,
    actor,
    title: str,
    owner,
    due_date: date,
    description: str = "",
    indicator: str = "",
    expected_value: float | None = None,
    today: date | None = None,
) -> Action:
    """Change what the action says, who owns it or when it is due. A finished action is not
    edited; a due date may stay where it was (even past) but not move into the past."""
    _check_writer(actor, action.site)
    if action.status not in OPEN:
        raise Conflict(_("A finished action cannot be changed."))
    fields = _clean_fields(
        site=action.site,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        indicator=indicator,
        expected_value=expected_value,
        today=today or timezone.localdate(),
        check_due=due_date != action.due_date,
    )
    changes = {
        name: [_plain(getattr(action, name)), _plain(value)]
        for name, value in fields.items()
        if getattr(action, name) != value
    }
    if not changes:
        return action
    for name, value in fields.items():
        setattr(action, name, value)
    action.save(update_fields=list(fields))
    audit_record(actor=actor, action="quality.action_edit", instance=action, changes=changes)
    return action


@transaction.atomic
def action_progress(
    *, action: Action, actor, to: str | None = None, note: str = "", today: date | None = None
) -> Action:
    """Move the action along TRANSITIONS (`to`) and/or add a progress note. "done" records the
    day it was done. Each call leaves one ActionUpdate and one line in the audit trail."""
    _check_writer(actor, action.site)
    action = Action.objects.select_for_update().get(pk=action.pk)
    note = (note or "").strip()
    if len(note) > TEXT_MAX:
        raise Invalid(_("The note is too long."), field="note")
    before = action.status
    to = to or before
    if to not in Status.values:
        raise Invalid(_("Unknown status %(status)s.") % {"status": to}, field="status")
    if to == before:
        if before not in OPEN:
            raise Conflict(_("A finished action takes no more notes."))
        if not note:
            raise Invalid(_("Write a progress note or choose a new status."), field="note")
    elif to not in TRANSITIONS[before]:
        raise Conflict(
            _("An action cannot go from “%(before)s” to “%(after)s”.")
            % {"before": Status(before).label, "after": Status(to).label}
        )
    fields = []
    if to != before:
        action.status = to
        fields.append("status")
        if to == Status.DONE:
            action.done_on = today or timezone.localdate()
            fields.append("done_on")
    if note:
        action.progress = note
        fields.append("progress")
    action.save(update_fields=fields)
    ActionUpdate.objects.create(
        action=action, from_status=before, to_status=to, note=note, actor=actor
    )
    changes = {"status": [before, to]} if to != before else {}
    if note:
        changes["note"] = [None, note[:200]]
    audit_record(actor=actor, action="quality.action_progress", instance=action, changes=changes)
    return action


# --- selectors ----------------------------------------------------------------------------


def is_overdue(action: Action, today: date) -> bool:
    """Overdue: its due date has passed and it is neither done nor cancelled."""
    return action.status in OPEN and action.due_date < today


def _overdue_q(today: date) -> Q:
    return Q(status__in=OPEN, due_date__lt=today)


def plan(site: Site, today: date | None = None) -> list[Action]:
    """The site's actions, open ones first by due date, then the finished ones latest first;
    each carries `.overdue` (one query)."""
    today = today or timezone.localdate()
    rows = list(
        Action.objects.filter(site=site).select_related("owner", "criterion").order_by("due_date")
    )
    for row in rows:
        row.overdue = is_overdue(row, today)
    opened = [r for r in rows if r.status in OPEN]
    finished = sorted(
        (r for r in rows if r.status not in OPEN),
        key=lambda r: (r.done_on or r.due_date, r.pk),
        reverse=True,
    )
    return opened + finished


def action_get(site: Site, pk: int) -> Action | None:
    return (
        Action.objects.filter(site=site, pk=pk)
        .select_related("owner", "criterion", "finding__audit", "mystery_check", "site")
        .prefetch_related("updates__actor", "evidence__uploaded_by")
        .first()
    )


@dataclass(frozen=True)
class PlanCounts:
    site_id: int
    open: int
    overdue: int
    done_on_time: int
    done_late: int


def plan_counts(site_ids, today: date | None = None) -> dict[int, PlanCounts]:
    """site id → open, overdue, done on time, done late (one query for all the sites);
    every asked site appears, with zeros when it has no action."""
    today = today or timezone.localdate()
    site_ids = list(site_ids)
    rows = (
        Action.objects.filter(site_id__in=site_ids)
        .values("site_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=_overdue_q(today)),
            done_on_time=Count("pk", filter=Q(status=Status.DONE, done_on__lte=F("due_date"))),
            done_late=Count("pk", filter=Q(status=Status.DONE, done_on__gt=F("due_date"))),
        )
        .order_by()
    )
    found = {r.pop("site_id"): r for r in rows}
    empty = {"open": 0, "overdue": 0, "done_on_time": 0, "done_late": 0}
    return {pk: PlanCounts(pk, **found.get(pk, empty)) for pk in site_ids}


@dataclass(frozen=True)
class Theme:
    name: str
    complaints: int
    has_open_action: bool


def complaint_themes(site: Site, today: date | None = None) -> list[Theme]:
    """The site's most frequent complaint themes of the last THEMES_MONTHS months: a theme is
    a tag staff put on complaints (cases inbox), counted once per complaint; only themes seen
    at least twice are recurring (two queries)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=round(THEMES_MONTHS * 30.4))
    tags = (
        Case.objects.filter(site=site, kind=Kind.COMPLAINT, filed_at__date__gte=since)
        .exclude(tags="")
        .values_list("tags", flat=True)
    )
    counts = Counter(t for line in tags.iterator() for t in set(line.split(",")) if t)
    top = [(name, n) for name, n in counts.most_common(THEMES_SHOWN) if n >= 2]
    if not top:
        return []
    covered = set(
        Action.objects.filter(
            site=site, origin=Origin.COMPLAINTS, status__in=OPEN,
            complaint_theme__in=[name for name, _n in top],
        ).values_list("complaint_theme", flat=True)
    )  # fmt: skip
    return [Theme(name, n, name in covered) for name, n in top]


# --- pre-filling a new action from its origin ---------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    origin: Source
    title: str = ""
    indicator: str = ""
    expected_value: float | None = None
    summary: str = ""  # what the origin is, in words, shown above the form

    @property
    def origin_label(self) -> str:
        return Origin(self.origin.origin).label


def _criterion_suggestion(criterion: Criterion) -> tuple[str, float | None]:
    if criterion.kind == Criterion.Kind.MEASURED:
        return criterion.indicator, criterion.threshold
    return "", None


class OriginNotFound(LookupError):
    """A pre-fill parameter names nothing at this site."""


def suggestion(site: Site, params) -> Suggestion:
    """The origin, a title and the indicator expected to improve, from the query parameters
    of the shared link: `criterion=<code>[&assessment=<id>]`, `finding=<id>`,
    `mystery=<check id>` or `theme=<complaint theme>`; none of them: a free action."""

    def number(name):
        value = params.get(name, "")
        if not str(value).isdigit():
            raise OriginNotFound(name)
        return int(value)

    if params.get("finding"):
        finding = (
            Finding.objects.filter(pk=number("finding"), audit__site=site)
            .select_related("criterion", "audit")
            .first()
        )
        if finding is None:
            raise OriginNotFound("finding")
        criterion = finding.criterion
        indicator, expected = _criterion_suggestion(criterion)
        return Suggestion(
            Source(Origin.FINDING, criterion=criterion, finding=finding),
            title=_("Correct: %(criterion)s") % {"criterion": criterion.title},
            indicator=indicator,
            expected_value=expected,
            summary=_("Audit of %(date)s, %(code)s: %(result)s")
            % {
                "date": finding.audit.performed_on or finding.audit.planned_on,
                "code": criterion.code,
                "result": finding.get_result_display(),
            },
        )
    if params.get("mystery"):
        check = (
            MysteryCheck.objects.filter(pk=number("mystery"), site=site)
            .select_related("campaign")
            .first()
        )
        if check is None:
            raise OriginNotFound("mystery")
        weakest = (
            MysteryScore.objects.filter(check_row=check, item__criterion__isnull=False)
            .select_related("item__criterion")
            .order_by("points", "item__position")
            .first()
        )
        criterion = weakest.item.criterion if weakest else None
        indicator, expected = _criterion_suggestion(criterion) if criterion else ("", None)
        summary = _("Mystery %(channel)s of %(date)s: %(score)s/10") % {
            "channel": check.campaign.get_channel_display(),
            "date": timezone.localdate(check.performed_at),
            "score": f"{check.score:.1f}",
        }
        return Suggestion(
            Source(Origin.MYSTERY, criterion=criterion, mystery_check=check),
            title=_("Improve: %(item)s") % {"item": weakest.item.title}
            if weakest
            else _("Improve after the mystery check"),
            indicator=indicator,
            expected_value=expected,
            summary=summary,
        )
    if params.get("criterion"):
        assessment = None
        if params.get("assessment"):
            assessment = (
                Assessment.objects.filter(pk=number("assessment"), site=site)
                .select_related("campaign")
                .first()
            )
            if assessment is None:
                raise OriginNotFound("assessment")
            referential_id = assessment.campaign.referential_id
        else:
            current = current_referential()
            referential_id = current.pk if current else None
        criterion = Criterion.objects.filter(
            code=params["criterion"], engagement__theme__referential_id=referential_id
        ).first()
        if criterion is None:
            raise OriginNotFound("criterion")
        indicator, expected = _criterion_suggestion(criterion)
        return Suggestion(
            Source(Origin.CRITERION, criterion=criterion, assessment=assessment),
            title=_("Meet: %(criterion)s") % {"criterion": criterion.title},
            indicator=indicator,
            expected_value=expected,
            summary=f"{criterion.code} · {criterion.title}",
        )
    if params.get("theme"):
        theme = str(params["theme"]).strip().lower()[:THEME_MAX]
        return Suggestion(
            Source(Origin.COMPLAINTS, complaint_theme=theme),
            title=_("Fewer complaints about “%(theme)s”") % {"theme": theme},
            summary=_("Recurring complaint theme: %(theme)s") % {"theme": theme},
        )
    return Suggestion(Source())
