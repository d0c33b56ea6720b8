"""Action-plan API: a site's plan, creating an action (with the same origins as the shared
link), changing it, moving it along its workflow with a note, and the network's counts."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as HttpStatus

from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import bearer, staff_user
from teranga.network.permissions import Action as Can
from teranga.network.permissions import site_for_user, sites_for
from teranga.quality import actions
from teranga.quality.models import Action

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class UpdateOut(Schema):
    at: datetime
    from_status: str
    to_status: str
    note: str
    actor: str | None


class ActionOut(Schema):
    id: int
    site: str
    title: str
    description: str
    origin: str
    criterion: str | None
    finding: int | None
    mystery_check: int | None
    assessment: int | None
    complaint_theme: str
    owner: str
    due_date: date
    status: str
    overdue: bool
    done_on: date | None
    indicator: str | None
    expected_value: float | None
    progress: str
    updates: list[UpdateOut] = Field(default_factory=list)


class CountsOut(Schema):
    open: int
    overdue: int
    done_on_time: int
    done_late: int


class PlanOut(Schema):
    site: str
    counts: CountsOut
    actions: list[ActionOut]


class SiteCountsOut(CountsOut):
    site: str


class ActionIn(Schema):
    title: str = Field(max_length=actions.TITLE_MAX)
    description: str = Field("", max_length=actions.TEXT_MAX)
    owner: str = Field(max_length=150, description="username of a staff member of the site")
    due_date: date = Field(description="today or later")
    indicator: str = Field("", max_length=40, description="a code of the indicators catalogue")
    expected_value: float | None = None
    criterion: str | None = Field(None, max_length=20, description="an unmet criterion's code")
    assessment: int | None = Field(None, description="with criterion: the self-assessment")
    finding: int | None = Field(None, description="an audit finding's id")
    mystery: int | None = Field(None, description="a mystery check's id")
    theme: str | None = Field(None, max_length=actions.THEME_MAX, description="complaint theme")


class ActionEditIn(Schema):
    title: str = Field(max_length=actions.TITLE_MAX)
    description: str = Field("", max_length=actions.TEXT_MAX)
    owner: str = Field(max_length=150)
    due_date: date
    indicator: str = Field("", max_length=40)
    expected_value: float | None = None


class ProgressIn(Schema):
    status: str | None = Field(None, description="in_progress, done or cancelled; empty: a note")
    note: str = Field("", max_length=actions.TEXT_MAX)


def action_out(action: Action, today: date, with_updates: bool = False) -> dict:
    return {
        "id": action.pk,
        "site": action.site.code,
        "title": action.title,
        "description": action.description,
        "origin": action.origin,
        "criterion": action.criterion.code if action.criterion_id else None,
        "finding": action.finding_id,
        "mystery_check": action.mystery_check_id,
        "assessment": action.assessment_id,
        "complaint_theme": action.complaint_theme,
        "owner": action.owner.get_username(),
        "due_date": action.due_date,
        "status": action.status,
        "overdue": actions.is_overdue(action, today),
        "done_on": action.done_on,
        "indicator": action.indicator or None,
        "expected_value": action.expected_value,
        "progress": action.progress,
        "updates": [
            {
                "at": u.at,
                "from_status": u.from_status,
                "to_status": u.to_status,
                "note": u.note,
                "actor": u.actor.get_username() if u.actor_id else None,
            }
            for u in action.updates.all()
        ]
        if with_updates
        else [],
    }


def _owner(username: str):
    return get_user_model().objects.filter(username=username).first()


def _action(request: HttpRequest, action_id: int, can: Can):
    user = staff_user(request)
    action = Action.objects.select_related("site__department").filter(pk=action_id).first()
    if action is None:
        raise Http404("Unknown action.")
    site = site_for_user(user, action.site.code, can)
    found = actions.action_get(site, action.pk)
    return found, user


@router.get(
    "/sites/{code}/quality/actions",
    auth=bearer,
    response={200: PlanOut, **ERRORS},
    summary="A site's action plan with its counts (staff of the site, region, national)",
)
def plan_get(request: HttpRequest, code: str):
    site = site_for_user(staff_user(request), code, Can.VIEW)
    today = timezone.localdate()
    counts = actions.plan_counts([site.pk], today)[site.pk]
    rows = actions.plan(site, today)
    for row in rows:
        row.site = site
    return {
        "site": site.code,
        "counts": counts.__dict__,
        "actions": [action_out(a, today) for a in rows],
    }


@router.post(
    "/sites/{code}/quality/actions",
    auth=bearer,
    response={201: ActionOut, **ERRORS},
    summary="Add an action to a site's plan, from a gap, a finding, a check or a theme "
    "(quality officer, site manager, national team)",
)
def action_create(request: HttpRequest, code: str, body: ActionIn):
    user = staff_user(request)
    site = site_for_user(user, code, Can.QUALITY)
    params = {
        name: str(value)
        for name, value in (
            ("criterion", body.criterion),
            ("assessment", body.assessment),
            ("finding", body.finding),
            ("mystery", body.mystery),
            ("theme", body.theme),
        )
        if value not in (None, "")
    }
    try:
        origin = actions.suggestion(site, params).origin
    except actions.OriginNotFound as exc:
        raise HttpError(422, f"Unknown {exc.args[0]} at this site.") from None
    action = actions.action_create(
        site=site,
        actor=user,
        title=body.title,
        description=body.description,
        owner=_owner(body.owner),
        due_date=body.due_date,
        indicator=body.indicator,
        expected_value=body.expected_value,
        origin=origin,
    )
    return HttpStatus(201, action_out(actions.action_get(site, action.pk), timezone.localdate()))


@router.get(
    "/quality/actions/{action_id}",
    auth=bearer,
    response={200: ActionOut, **ERRORS},
    summary="One action with its history",
)
def action_get(request: HttpRequest, action_id: int):
    action, _user = _action(request, action_id, Can.VIEW)
    return action_out(action, timezone.localdate(), with_updates=True)


@router.put(
    "/quality/actions/{action_id}",
    auth=bearer,
    response={200: ActionOut, **ERRORS},
    summary="Change an open action's title, description, owner, due date or indicator",
)
def action_edit(request: HttpRequest, action_id: int, body: ActionEditIn):
    action, user = _action(request, action_id, Can.QUALITY)
    actions.action_edit(
        action=action,
        actor=user,
        title=body.title,
        description=body.description,
        owner=_owner(body.owner),
        due_date=body.due_date,
        indicator=body.indicator,
        expected_value=body.expected_value,
    )
    action = actions.action_get(action.site, action.pk)
    return action_out(action, timezone.localdate(), with_updates=True)


@router.post(
    "/quality/actions/{action_id}/progress",
    auth=bearer,
    response={200: ActionOut, **ERRORS},
    summary="Change an action's status and/or add a progress note (409 when the workflow "
    "forbids the change)",
)
def action_progress(request: HttpRequest, action_id: int, body: ProgressIn):
    action, user = _action(request, action_id, Can.QUALITY)
    actions.action_progress(action=action, actor=user, to=body.status, note=body.note)
    action = actions.action_get(action.site, action.pk)
    return action_out(action, timezone.localdate(), with_updates=True)


@router.get(
    "/quality/actions",
    auth=bearer,
    response={200: list[SiteCountsOut], **ERRORS},
    summary="Open, overdue, done on time and done late actions per site of the caller's scope",
)
def actions_overview(request: HttpRequest):
    user = staff_user(request)
    sites = {s.pk: s.code for s in sites_for(user, Can.VIEW).order_by("code")}
    counts = actions.plan_counts(list(sites), timezone.localdate())
    return [{"site": code, **counts[pk].__dict__} for pk, code in sites.items()]
