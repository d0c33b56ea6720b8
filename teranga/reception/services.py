"""Writes of the reception: issue a ticket, open and close counters, call, serve, transfer.

Every transition is checked against TRANSITIONS, timestamped, and recorded as a TicketEvent
with who, when, from and to. Writes run in one transaction each; SQLite takes its write lock
at BEGIN (IMMEDIATE) and PostgreSQL locks the rows involved, so concurrent kiosks and agents
are serialised where they would collide.
"""

import contextlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teranga.lib import rows
from teranga.lib.errors import Conflict, Forbidden, Invalid, ServiceError
from teranga.lib.facts import past_day_changed
from teranga.lib.phones import phone_e164
from teranga.messaging.services import sms_enqueue
from teranga.network.models import CODE_VALIDATOR, Category, Counter, Procedure, Site
from teranga.network.permissions import Action, user_can
from teranga.reception.models import (
    CounterSession,
    Outcome,
    Priority,
    Ticket,
    TicketEvent,
    TicketSequence,
)

Status = Ticket.Status
PRIORITIES = frozenset(Priority.values)
Kind = TicketEvent.Kind

# status -> statuses it may move to
TRANSITIONS = {
    Status.WAITING: {Status.CALLED},
    Status.CALLED: {Status.CALLED, Status.SERVING, Status.NO_SHOW, Status.WAITING},
    Status.SERVING: {Status.FINISHED, Status.WAITING},
    Status.FINISHED: set(),
    Status.NO_SHOW: set(),
    Status.EXPIRED: set(),
}


def _move(
    ticket: Ticket,
    to: str,
    kind: str,
    *,
    actor=None,
    counter=None,
    detail=None,
    fields: list[str],
    now=None,
) -> None:
    if to not in TRANSITIONS[ticket.status]:
        raise Conflict(
            _("Ticket %(number)s is %(status)s: it cannot be %(action)s.")
            % {
                "number": ticket.number,
                "status": ticket.get_status_display(),
                "action": Kind(kind).label,
            }
        )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=now or timezone.now(),
        from_status=ticket.status,
        to_status=to,
        actor=actor,
        counter=counter,
        detail=detail or {},
    )
    ticket.status = to
    ticket.save(update_fields=["status", *fields])


def phone_normalise(raw: str) -> str:
    """+221… in E.164 for a valid Senegalese (or international) number; Invalid otherwise."""
    number = phone_e164(raw)
    if number is None:
        raise Invalid(_("This phone number is not valid."))
    return number


def _feedback_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def _check_issuer(site: Site, *, user=None, device=None) -> None:
    if device is not None:
        if device.site_id != site.pk or device.kind != device.Kind.KIOSK:
            raise Forbidden(_("This device may not issue tickets at this site."))
    elif user is None or not user_can(user, Action.SERVE, site):
        raise Forbidden(_("You may not issue tickets at this site."))


def ticket_issue(
    *,
    site: Site,
    procedure_code: str,
    priority: str = Priority.NONE,
    phone: str = "",
    sms_consent: bool = False,
    client_id: uuid.UUID,
    language: str = "fr",
    user=None,
    device=None,
) -> tuple[Ticket, bool]:
    """Issue a ticket, or return the one already issued for this client_id (created False).

    The common case (a new client_id) costs no lookup of the client_id: the unique
    constraint tells when it was already used, and only then is the first ticket read."""
    _check_issuer(site, user=user, device=device)
    try:
        procedure, phone = _ticket_input_check(site, procedure_code, priority, phone, sms_consent)
    except ServiceError:
        # A retry of a ticket issued before the input became invalid (the site closed since)
        # still gets its ticket back.
        existing = _ticket_existing(site, client_id)
        if existing is None:
            raise
        return existing, False
    for _attempt in range(5):
        try:
            return _ticket_create(
                site=site,
                procedure=procedure,
                priority=priority,
                phone=phone,
                sms_consent=sms_consent,
                client_id=client_id,
                language=language,
                user=user,
            ), True
        except IntegrityError:
            existing = _ticket_existing(site, client_id)
            if existing is not None:
                return existing, False
            # Otherwise a feedback-code collision (1 in 10^8 per ticket): draw again.
    raise IntegrityError("could not draw a unique feedback code")


def _ticket_existing(site: Site, client_id: uuid.UUID) -> Ticket | None:
    """The ticket already issued for client_id, if any (at this site, else Conflict)."""
    existing = Ticket.objects.filter(client_id=client_id).select_related("procedure").first()
    if existing is not None and existing.site_id != site.pk:
        raise Conflict(_("This client_id was already used at another site."))
    return existing


OFFER_SECONDS = 60


def _procedure_offered(site: Site, code: str) -> Procedure | None:
    """The active procedure of this code if the site offers it, with its category. Its row is
    kept OFFER_SECONDS in the process cache (every kiosk ticket needs it, and the catalogue
    changes a few times a year) as plain values: the cache unpickles them on every read."""
    if not CODE_VALIDATOR.regex.match(code):
        return None
    key = f"reception:offer:{site.pk}:{code}"
    found = cache.get(key)
    if found is None:
        procedure = (
            Procedure.objects.select_related("category")
            .filter(is_active=True, sites=site, code=code)
            .first()
        )
        found = (
            ()
            if procedure is None
            else (
                tuple(f.value_from_object(procedure) for f in Procedure._meta.concrete_fields),
                tuple(
                    f.value_from_object(procedure.category) for f in Category._meta.concrete_fields
                ),
            )
        )
        cache.set(key, found, OFFER_SECONDS)
    if not found:
        return None
    procedure_row, category_row = found
    procedure = Procedure.from_db(connection.alias, None, procedure_row)
    procedure.category = Category.from_db(connection.alias, None, category_row)
    return procedure


def _ticket_input_check(site, procedure_code, priority, phone, sms_consent):
    if site.status != Site.Status.OPEN:
        raise Conflict(_("This centre is temporarily closed."))
    procedure = _procedure_offered(site, procedure_code)
    if procedure is None:
        raise Invalid(
            _("This centre does not offer the procedure %(code)s.") % {"code": procedure_code}
        )
    if priority not in PRIORITIES:
        raise Invalid(_("Unknown priority."))
    phone = phone.strip()
    if phone and not sms_consent:
        raise Invalid(_("A phone number is kept only with consent to receive SMS."))
    if sms_consent and not phone:
        raise Invalid(_("Give a phone number to receive SMS."))
    return procedure, phone_normalise(phone) if phone else ""


# One statement takes the next number of a line and its issue time: the row is created on the
# day's first ticket and incremented after (SQLite 3.35+ and PostgreSQL). The time is the
# caller's clock, or the line's last one if that is later (see TicketSequence.last_issued_at).
_SEQUENCE = TicketSequence._meta.db_table
_GREATEST = {"sqlite": "max", "postgresql": "GREATEST"}
_NEXT_NUMBER = """
    INSERT INTO {table} (site_id, day, letter, last, last_issued_at) VALUES (%s, %s, %s, 1, %s)
    ON CONFLICT (site_id, day, letter) DO UPDATE SET last = {table}.last + 1,
        last_issued_at = {greatest}({table}.last_issued_at, excluded.last_issued_at)
    RETURNING last, last_issued_at
"""


def _number_sql() -> str:
    return _NEXT_NUMBER.format(table=_SEQUENCE, greatest=_GREATEST[connection.vendor])


def _ticket_create(*, site, procedure, priority, phone, sms_consent, client_id, language, user):
    """Write the ticket, its number and its first event (plain SQL: teranga.lib.rows; neither
    model has signal receivers). A ticket that fails to be written gives its number back.

    PostgreSQL: one statement (writable WITH clauses), so one round trip and one commit; the
    line's row stays locked until that commit, a fraction of a millisecond. SQLite: the same
    steps in one transaction, whose BEGIN IMMEDIATE takes the database's write lock first."""
    now = timezone.now()
    ticket = Ticket(
        site=site,
        day=timezone.localdate(now),
        letter=procedure.category.letter,
        procedure=procedure,
        priority=priority,
        is_priority=priority != Priority.NONE,
        issued_at=now,
        phone=phone,
        sms_consent=sms_consent,
        client_id=client_id,
        feedback_code=_feedback_code(),
        language=language,
    )
    ops = connection.ops
    number_params = [
        site.pk,
        ops.adapt_datefield_value(ticket.day),
        ticket.letter,
        ops.adapt_datetimefield_value(now),
    ]
    if connection.vendor == "postgresql":
        _ticket_create_statement(ticket, number_params, user)
        return ticket
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_number_sql(), number_params)
            ticket.sequence, issued = cursor.fetchone()
        ticket.issued_at = rows.converter(TicketSequence, "last_issued_at")(issued)
        ticket.issued_hour = timezone.localtime(ticket.issued_at).hour
        rows.insert(ticket)
        rows.insert(_issued_event(ticket, user))
    return ticket


def _issued_event(ticket: Ticket, user) -> TicketEvent:
    return TicketEvent(
        ticket=ticket, kind=Kind.ISSUED, at=ticket.issued_at, to_status=Status.WAITING, actor=user
    )


def _ticket_create_statement(ticket: Ticket, number_params: list, user) -> None:
    """PostgreSQL: the number, the ticket and its event in one statement."""
    ticket_sql, ticket_params = rows.insert_statement(
        ticket,
        {"sequence": "n.last", "issued_at": "n.last_issued_at", "issued_hour": "n.hour"},
        "n",
    )
    event_sql, event_params = rows.insert_statement(
        _issued_event(ticket, user), {"ticket_id": "t.id", "at": "n.last_issued_at"}, "t, n"
    )
    sql = (
        f"WITH number AS ({_number_sql()}), "
        "n AS (SELECT last, last_issued_at, "
        "EXTRACT(HOUR FROM last_issued_at AT TIME ZONE %s)::int AS hour FROM number), "
        f"t AS ({ticket_sql}), e AS ({event_sql}) "
        "SELECT t.id, n.last, n.last_issued_at, n.hour FROM t, n"
    )
    params = [*number_params, settings.TIME_ZONE, *ticket_params, *event_params]
    # A statement is its own transaction; inside a caller's, a savepoint keeps the
    # caller's transaction usable after a refused write.
    own = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with own, connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk, ticket.sequence, ticket.issued_at, ticket.issued_hour = cursor.fetchone()
    rows.inserted(ticket, pk)


# --- counters -----------------------------------------------------------------------------


def _open_session(counter: Counter) -> CounterSession | None:
    return counter.sessions.filter(closed_at__isnull=True).first()


def _check_agent(counter: Counter, agent) -> None:
    if not user_can(agent, Action.SERVE, counter.site):
        raise Forbidden(_("You may not work at the counters of this site."))


@transaction.atomic
def counter_open(*, counter: Counter, agent) -> CounterSession:
    _check_agent(counter, agent)
    if not counter.is_active:
        raise Conflict(_("This counter is out of service."))
    session = _open_session(counter)
    if session is not None:
        if session.agent_id == agent.pk:
            return session
        raise Conflict(_("This counter is already open with another agent."))
    if CounterSession.objects.filter(agent=agent, closed_at__isnull=True).exists():
        raise Conflict(_("Close your other counter first."))
    return CounterSession.objects.create(counter=counter, agent=agent, opened_at=timezone.now())


@transaction.atomic
def counter_close(*, counter: Counter, agent) -> None:
    _check_agent(counter, agent)
    session = _open_session(counter)
    if session is None:
        return
    if session.agent_id != agent.pk and not user_can(agent, Action.MANAGE, counter.site):
        raise Forbidden(_("Only the agent at this counter or the site manager may close it."))
    if Ticket.objects.filter(counter=counter, status__in=[Status.CALLED, Status.SERVING]).exists():
        raise Conflict(_("Finish or release the current ticket before closing the counter."))
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])


def _check_my_counter(counter: Counter, agent) -> None:
    _check_agent(counter, agent)
    session = _open_session(counter)
    if session is None:
        raise Conflict(_("This counter is closed: open it first."))
    if session.agent_id != agent.pk:
        raise Conflict(_("This counter is open with another agent."))


def _served_filter(counter: Counter) -> Q:
    """Waiting tickets this counter may call: those sent to it, then those of its procedures
    (every procedure when it lists none) that were not sent to another counter."""
    procedures = list(counter.procedures.values_list("pk", flat=True))
    mine = Q(target_counter__isnull=True)
    if procedures:
        mine &= Q(procedure_id__in=procedures)
    return Q(target_counter=counter) | mine


@transaction.atomic
def ticket_call_next(*, counter: Counter, agent) -> Ticket | None:
    """Call the next ticket for this counter: priority tickets first, then by arrival.
    Two agents calling at once never get the same ticket (the row is locked and skipped)."""
    _check_my_counter(counter, agent)
    if Ticket.objects.filter(counter=counter, status__in=[Status.CALLED, Status.SERVING]).exists():
        raise Conflict(_("Finish, transfer or mark as absent the current ticket first."))
    candidates = (
        Ticket.objects.filter(
            site_id=counter.site_id, status=Status.WAITING, day=timezone.localdate()
        )
        .filter(_served_filter(counter))
        .order_by("-is_priority", "issued_at")
    )
    ticket = candidates.select_for_update(skip_locked=True).first()
    if ticket is None:
        return None
    now = timezone.now()
    first_call = ticket.called_at is None
    ticket.counter, ticket.agent, ticket.target_counter = counter, agent, None
    ticket.last_called_at = now
    fields = ["counter", "agent", "target_counter", "last_called_at"]
    if first_call:
        ticket.called_at = now
        ticket.wait_seconds = int((now - ticket.issued_at).total_seconds())
        fields += ["called_at", "wait_seconds"]
    _move(ticket, Status.CALLED, Kind.CALLED, actor=agent, counter=counter, fields=fields, now=now)
    _notify_turn_near(counter.site)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    """The ticket as it is now in the database, locked until the transaction ends."""
    # Only the ticket's row is locked: PostgreSQL refuses to lock the (nullable) counter.
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("counter", "site", "procedure")
        .get(pk=ticket.pk)
    )


def _ticket_for_agent(ticket: Ticket, agent) -> Counter:
    if ticket.counter_id is None:
        raise Conflict(_("Ticket %(number)s has not been called.") % {"number": ticket.number})
    counter = ticket.counter
    _check_my_counter(counter, agent)
    return counter


@transaction.atomic
def ticket_recall(*, ticket: Ticket, agent) -> Ticket:
    ticket = _locked(ticket)
    counter = _ticket_for_agent(ticket, agent)
    ticket.recalls += 1
    ticket.last_called_at = timezone.now()
    _move(
        ticket,
        Status.CALLED,
        Kind.RECALLED,
        actor=agent,
        counter=counter,
        fields=["recalls", "last_called_at"],
    )
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, agent) -> Ticket:
    ticket = _locked(ticket)
    counter = _ticket_for_agent(ticket, agent)
    ticket.serving_at = timezone.now()
    _move(ticket, Status.SERVING, Kind.STARTED, actor=agent, counter=counter, fields=["serving_at"])
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, agent, outcome: str = Outcome.DONE) -> Ticket:
    if outcome not in Outcome.values:
        raise Invalid(_("Unknown outcome."))
    ticket = _locked(ticket)
    counter = _ticket_for_agent(ticket, agent)
    if ticket.status != Status.SERVING:
        raise Conflict(
            _("Start serving ticket %(number)s before finishing it.") % {"number": ticket.number}
        )
    now = timezone.now()
    ticket.finished_at, ticket.outcome = now, outcome
    ticket.service_seconds = int((now - ticket.serving_at).total_seconds())
    _move(
        ticket,
        Status.FINISHED,
        Kind.FINISHED,
        actor=agent,
        counter=counter,
        now=now,
        fields=["finished_at", "outcome", "service_seconds"],
        detail={"outcome": outcome},
    )
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, agent) -> Ticket:
    ticket = _locked(ticket)
    counter = _ticket_for_agent(ticket, agent)
    ticket.finished_at = timezone.now()
    _move(
        ticket, Status.NO_SHOW, Kind.NO_SHOW, actor=agent, counter=counter, fields=["finished_at"]
    )
    return ticket


@transaction.atomic
def ticket_transfer(
    *, ticket: Ticket, agent, procedure_code: str | None = None, counter_code: str | None = None
) -> Ticket:
    """Send the ticket back to the queue for another procedure and/or counter. It keeps its
    number and its arrival time, so it does not lose its place."""
    ticket = _locked(ticket)
    counter = _ticket_for_agent(ticket, agent)
    if not procedure_code and not counter_code:
        raise Invalid(_("Choose a procedure or a counter to transfer to."))
    detail = {"from_counter": counter.code, "from_procedure": ticket.procedure.code}
    fields = ["counter", "agent", "target_counter", "procedure", "serving_at"]
    if procedure_code:
        procedure = Procedure.objects.filter(
            code=procedure_code, is_active=True, sites=ticket.site_id
        ).first()
        if procedure is None:
            raise Invalid(
                _("This centre does not offer the procedure %(code)s.") % {"code": procedure_code}
            )
        ticket.procedure = procedure
        detail["to_procedure"] = procedure.code
    ticket.target_counter = None
    if counter_code:
        target = Counter.objects.filter(
            site_id=ticket.site_id, code=counter_code, is_active=True
        ).first()
        if target is None or target.pk == counter.pk:
            raise Invalid(_("Choose another active counter of this site."))
        ticket.target_counter = target
        detail["to_counter"] = target.code
    ticket.counter, ticket.agent, ticket.serving_at = None, None, None
    _move(
        ticket,
        Status.WAITING,
        Kind.TRANSFERRED,
        actor=agent,
        counter=counter,
        fields=fields,
        detail=detail,
    )
    return ticket


# --- SMS when the turn is near ------------------------------------------------------------


def _notify_turn_near(site: Site) -> None:
    """Queue one SMS for each consenting waiting ticket with at most N people ahead."""
    from teranga.reception.selectors import ticket_position  # selectors read, services write

    waiting = Ticket.objects.filter(
        site=site,
        status=Status.WAITING,
        day=timezone.localdate(),
        sms_consent=True,
        near_sms_sent=False,
    ).exclude(phone="")
    for ticket in waiting:
        ahead = ticket_position(ticket)
        if ahead > site.sms_notice_ahead:
            continue
        with translation.override(ticket.language):
            text = _(
                "Teranga: ticket %(number)s, your turn is near (%(ahead)d ahead of you) "
                "at %(site)s. Please come to the waiting room."
            ) % {"number": ticket.number, "ahead": ahead, "site": site.name}
        sms_enqueue(to=ticket.phone, text=text, dedupe_key=f"ticket-near:{ticket.pk}")
        Ticket.objects.filter(pk=ticket.pk).update(near_sms_sent=True)


# --- end of the day ----------------------------------------------------------------------


@transaction.atomic
def tickets_expire_past_days() -> int:
    """Close the tickets of past days still waiting, called or in service: nobody will serve
    them now. Each keeps its transition (from its status to expired) in its events."""
    today = timezone.localdate()
    stale = list(
        Ticket.objects.select_for_update()
        .filter(status__in=Ticket.ACTIVE, day__lt=today)
        .values_list("pk", "status", "site_id", "day")
    )
    if not stale:
        return 0
    now = timezone.now()
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk, kind=Kind.EXPIRED, at=now, from_status=status, to_status=Status.EXPIRED
        )
        for pk, status, *_ in stale
    )
    for site_id, day in {tuple(row[2:]) for row in stale}:
        past_day_changed(site_id=site_id, day=day)  # the worker was down for days
    return Ticket.objects.filter(pk__in=[pk for pk, *_ in stale]).update(
        status=Status.EXPIRED, finished_at=now
    )


# --- personal data ------------------------------------------------------------------------


@transaction.atomic
def ticket_phones_purge(*, older_than: timedelta | None = None) -> int:
    """Erase the phone numbers of tickets issued longer ago than the retention period."""
    older_than = older_than or timedelta(days=settings.TICKET_PHONE_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    return (
        Ticket.objects.filter(issued_at__lt=cutoff)
        .exclude(phone="")
        .update(phone="", sms_consent=False)
    )
