"""Small hand-made datasets for the indicators: raw rows written directly, with known figures."""

import itertools
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from teranga.cases.models import Case, Kind, Status
from teranga.listening.models import Response
from teranga.reception.models import Ticket

_seq = itertools.count(1)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def ticket(site, procedure, day: date, *, wait=None, service=None, status=None, hour=9):
    """A ticket of `day`: called after `wait` seconds (None: never called), served for
    `service` seconds (None: not served)."""
    n = next(_seq)
    issued = at(day, hour)
    if status is None:
        status = (
            Ticket.Status.FINISHED
            if service is not None
            else Ticket.Status.NO_SHOW
            if wait is not None
            else Ticket.Status.EXPIRED
        )
    called = issued + timedelta(seconds=wait) if wait is not None else None
    return Ticket.objects.create(
        site=site,
        day=day,
        letter="A",
        sequence=n,
        procedure=procedure,
        status=status,
        issued_at=issued,
        issued_hour=hour,
        called_at=called,
        last_called_at=called,
        serving_at=called if service is not None else None,
        finished_at=called + timedelta(seconds=service) if service is not None else None,
        wait_seconds=wait,
        service_seconds=service,
        client_id=uuid.uuid4(),
        feedback_code=f"{n:08d}",
    )


def rating(site, day: date, value: int, *, channel="tablet", procedure=None):
    return Response.objects.create(
        site=site,
        channel=channel,
        rating=value,
        procedure=procedure,
        answered_at=at(day, 11),
        day=day,
        client_id=uuid.uuid4(),
    )


def case(site, *, kind=Kind.COMPLAINT, filed: date, due: date, resolved: date | None = None):
    """A case filed on `filed`, due on `due`, answered on `resolved` (None: still open)."""
    n = next(_seq)
    open_ = resolved is None
    return Case.objects.create(
        site=site,
        reference=f"T-{site.code}-{n:05d}",
        tracking_hash=f"{n:064d}",
        kind=kind,
        channel="web",
        filed_at=at(filed, 10),
        due_on_initial=due,
        due_on=due,
        status=Status.RECEIVED if open_ else Status.ANSWERED,
        is_open=open_,
        resolved_at=None if open_ else at(resolved, 15),
        resolved_on_time=None if open_ else resolved <= due,
        client_id=uuid.uuid4(),
    )
