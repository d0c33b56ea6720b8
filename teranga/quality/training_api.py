"""Training API: sessions, attendance, and a site's share of staff trained on the referential."""

from datetime import date

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as HttpStatus

from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import bearer, staff_user
from teranga.network.models import Site, User
from teranga.network.permissions import Action as Can
from teranga.network.permissions import site_for_user, sites_for
from teranga.quality import training
from teranga.quality.models import TrainingSession

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


class SessionOut(Schema):
    id: int
    topic: str
    on_referential: bool
    trainer: str
    held_on: date
    place: str
    site: str | None = Field(description="null for a national session")
    present: int
    absent: int


class SessionIn(Schema):
    topic: str = Field(max_length=training.LIMITS["topic"])
    on_referential: bool = True
    trainer: str = Field(max_length=training.LIMITS["trainer"])
    held_on: date
    place: str = Field(max_length=training.LIMITS["place"])
    site: str | None = Field(None, max_length=10, description="a site code; null: national")


class MarkIn(Schema):
    user: str = Field(max_length=150, description="username of a staff member of the site")
    present: bool


class AttendanceIn(Schema):
    site: str = Field(max_length=10, description="the site whose staff are marked")
    marks: list[MarkIn] = Field(max_length=500)


class MarkOut(Schema):
    user: str
    present: bool


class StaffOut(Schema):
    user: str
    name: str
    trained_on: date | None


class SiteTrainingOut(Schema):
    site: str
    on: date
    counts_since: date
    staff: int
    trained: int
    share_pct: float | None
    people: list[StaffOut]


def _session_out(session: TrainingSession) -> dict:
    return {
        "id": session.pk,
        "topic": session.topic,
        "on_referential": session.on_referential,
        "trainer": session.trainer,
        "held_on": session.held_on,
        "place": session.place,
        "site": session.site.code if session.site_id else None,
        "present": getattr(session, "present", 0),
        "absent": getattr(session, "absent", 0),
    }


@router.get(
    "/quality/training/sessions",
    auth=bearer,
    response={200: list[SessionOut], **ERRORS},
    summary="Training sessions: national ones and those of the caller's sites (latest first)",
)
def sessions_list(request: HttpRequest):
    return [_session_out(s) for s in training.sessions_for(staff_user(request))]


@router.post(
    "/quality/training/sessions",
    auth=bearer,
    response={201: SessionOut, **ERRORS},
    summary="Record a session: at a site (its quality staff) or national (national team)",
)
def session_create(request: HttpRequest, body: SessionIn):
    user = staff_user(request)
    site = None
    if body.site:
        site = Site.objects.filter(code=body.site).first()
        if site is None:
            raise HttpError(422, "Unknown site.")
    session = training.session_create(
        actor=user,
        topic=body.topic,
        trainer=body.trainer,
        held_on=body.held_on,
        place=body.place,
        on_referential=body.on_referential,
        site=site,
    )
    return HttpStatus(201, _session_out(session))


@router.put(
    "/quality/training/sessions/{session_id}/attendance",
    auth=bearer,
    response={200: list[MarkOut], **ERRORS},
    summary="Mark staff of one site present or absent (all or nothing)",
)
def attendance_set(request: HttpRequest, session_id: int, body: AttendanceIn):
    user = staff_user(request)
    visible = sites_for(user, Can.VIEW)
    session = (
        TrainingSession.objects.filter(Q(site__isnull=True) | Q(site__in=visible), pk=session_id)
        .select_related("site")
        .first()
    )
    if session is None:
        raise Http404("Unknown session.")
    site = Site.objects.filter(code=body.site).select_related("department").first()
    if site is None:
        raise HttpError(422, "Unknown site.")
    usernames = [m.user for m in body.marks]
    users = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    unknown = [name for name in usernames if name not in users]
    if unknown:
        raise HttpError(422, f"Unknown users: {', '.join(unknown)}.")
    rows = training.attendance_set(
        session=session,
        actor=user,
        site=site,
        marks={users[m.user]: m.present for m in body.marks},
    )
    names = {pk: name for name, pk in users.items()}
    return [{"user": names[r.user_id], "present": r.present} for r in rows]


@router.get(
    "/sites/{code}/quality/training",
    auth=bearer,
    response={200: SiteTrainingOut, **ERRORS},
    summary="A site's share of staff trained on the referential, and who is not",
)
def site_training(request: HttpRequest, code: str):
    site = site_for_user(staff_user(request), code, Can.VIEW)
    on = timezone.localdate()
    rows = training.site_training(site, on)
    trained = sum(1 for r in rows if r.trained_on)
    return {
        "site": site.code,
        "on": on,
        "counts_since": training.valid_since(on),
        "staff": len(rows),
        "trained": trained,
        "share_pct": round(100 * trained / len(rows), 1) if rows else None,
        "people": [
            {
                "user": r.user.username,
                "name": r.user.get_full_name() or r.user.username,
                "trained_on": r.trained_on,
            }
            for r in rows
        ],
    }
