import hashlib
import statistics
from collections import Counter, defaultdict
from datetime import time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from teranga.cases import services as cases
from teranga.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseSequence, Kind
from teranga.demo.history import days_for, history_generate
from teranga.listening.models import Response
from teranga.network.models import OpeningHours, RoleAssignment
from teranga.network.selectors import working_calendar
from teranga.reception.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def generate(network):
    def _generate(days, codes=("DKR", "THS"), **kwargs):
        return history_generate(days=days, sites=[network[c] for c in codes], **kwargs)

    return _generate


def local(dt):
    return timezone.localtime(dt)


def test_tickets_fill_the_open_days_before_today_only(network, generate):
    # THS also opens on Saturday mornings: fewer hours, fewer tickets.
    OpeningHours.objects.create(site=network["THS"], weekday=5, opens=time(9), closes=time(12))
    totals = generate(21)
    today = timezone.localdate()
    calendar = working_calendar()
    days = defaultdict(set)
    for site, day in Ticket.objects.values_list("site__code", "day").distinct():
        days[site].add(day)
    window = [today - timedelta(days=n) for n in range(1, 22)]
    holidays = {d for d in window if d in calendar.holidays_of(d.year)}
    assert days["DKR"] == {d for d in window if d.weekday() < 5} - holidays
    assert days["THS"] == {d for d in window if d.weekday() < 6} - holidays
    assert totals.tickets == Ticket.objects.count() > 2000
    per_day = {
        (row["day"].weekday() == 5, row["day"]): row["n"]
        for row in Ticket.objects.filter(site=network["THS"]).values("day").annotate(n=Count("id"))
    }
    saturdays = [n for (saturday, _), n in per_day.items() if saturday]
    weekdays = [n for (saturday, _), n in per_day.items() if not saturday]
    assert saturdays and statistics.mean(saturdays) < statistics.mean(weekdays) / 2


def test_tickets_are_consistent_with_the_model_and_the_site(network, generate):
    generate(12)
    dkr = network["DKR"]
    offered = {p.pk: p.category.letter for p in dkr.procedures.select_related("category")}
    counters = set(dkr.counters.values_list("pk", flat=True))
    numbers = defaultdict(list)
    tickets = list(Ticket.objects.filter(site=dkr).order_by("issued_at", "id"))
    for t in tickets:
        assert t.letter == offered[t.procedure_id]
        assert local(t.issued_at).date() == t.day and local(t.issued_at).hour == t.issued_hour
        assert 8 <= t.issued_hour < 17
        assert t.phone == "" and t.agent_id is None and t.recalls in (0, 1)
        assert t.is_priority == (t.priority != "none")
        assert len(t.feedback_code) == 8 and t.feedback_code.isdigit()
        assert local(t.finished_at).date() == t.day
        numbers[(t.day, t.letter)].append(t.sequence)
        if t.status == Ticket.Status.EXPIRED:
            assert t.called_at is None and t.counter_id is None and t.wait_seconds is None
            assert local(t.finished_at).time() == time(17)
            continue
        assert t.counter_id in counters
        assert t.wait_seconds == (t.called_at - t.issued_at).total_seconds()
        if t.status == Ticket.Status.NO_SHOW:
            assert t.serving_at is None and t.service_seconds is None and t.outcome == ""
            assert t.last_called_at > t.called_at and t.finished_at > t.last_called_at
        else:
            assert t.status == Ticket.Status.FINISHED and t.outcome in (
                "done",
                "redirected",
                "incomplete",
            )
            assert t.last_called_at == t.called_at < t.serving_at < t.finished_at
            assert t.service_seconds == (t.finished_at - t.serving_at).total_seconds() >= 45
    # Numbers per (day, letter) run from 1 in the order of arrival.
    for sequence in numbers.values():
        assert sequence == list(range(1, len(sequence) + 1))
    statuses = Counter(t.status for t in tickets)
    assert statuses["finished"] > 0.85 * len(tickets) and statuses["no_show"] > 0
    assert Ticket.objects.filter(is_priority=True).exists()
    assert Ticket.objects.values("client_id").distinct().count() == Ticket.objects.count()
    assert not Ticket.objects.filter(day__gte=timezone.localdate()).exists()


def test_busy_days_wait_longer_and_long_waits_are_rated_lower(network, generate):
    generate(120, codes=("DKR", "KLK"))
    by_day = list(
        Ticket.objects.filter(status="finished")
        .values("site", "day")
        .annotate(n=Count("id"), wait=Avg("wait_seconds"))
    )
    for site in {row["site"] for row in by_day}:
        rows = [r for r in by_day if r["site"] == site]
        counts, waits = [r["n"] for r in rows], [r["wait"] for r in rows]
        assert statistics.correlation(counts, waits) > 0.4
    # Month ends are busier than the middle of the month.
    month_end = [r["n"] for r in by_day if r["day"].day >= 26]
    middle = [r["n"] for r in by_day if 8 <= r["day"].day <= 20]
    assert statistics.mean(month_end) > 1.1 * statistics.mean(middle)
    # Within a day, the mid-morning waits more than the first hour.
    hourly = dict(
        Ticket.objects.filter(status="finished")
        .values_list("issued_hour")
        .annotate(Avg("wait_seconds"))
    )
    assert hourly[10] > 1.5 * hourly[8]
    # Ratings: a share of the served tickets, lower after long waits.
    served = Ticket.objects.filter(status="finished").count()
    rated = Response.objects.filter(ticket__isnull=False)
    assert 0.12 * served < rated.count() < 0.33 * served
    target = network["DKR"].target_wait_minutes * 60
    long_waits = rated.filter(ticket__wait_seconds__gt=target).aggregate(r=Avg("rating"))["r"]
    short_waits = rated.filter(ticket__wait_seconds__lt=target / 3).aggregate(r=Avg("rating"))["r"]
    assert long_waits < short_waits - 0.7
    assert set(rated.values_list("channel", flat=True)) >= {"tablet", "qr", "sms", "ussd"}


def test_ratings_describe_their_ticket(generate):
    generate(8)
    responses = Response.objects.select_related("ticket")
    assert responses.exists()
    for r in responses:
        t = r.ticket
        assert t.status == "finished" and r.site_id == t.site_id
        assert (r.procedure_id, r.counter_id, r.language) == (
            t.procedure_id,
            t.counter_id,
            t.language,
        )
        assert t.finished_at <= r.answered_at and r.day == local(r.answered_at).date() == t.day
        assert r.received_at == r.answered_at and 1 <= r.rating <= 5
        assert r.comment == r.phone_hash == "" and r.moderation == "pending"
        assert r.wait_ok is None or r.wait_ok == (t.wait_seconds <= 20 * 60)
    assert responses.values("client_id").distinct().count() == responses.count()


def digest() -> str:
    """Every generated row, ids left out."""
    h = hashlib.sha256()
    for model, order in (
        (Ticket, ("site", "day", "letter", "sequence")),
        (Response, ("client_id",)),
        (Case, ("reference",)),
    ):
        fields = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "ticket_id")
        ]
        for row in model.objects.order_by(*order).values_list(*fields):
            h.update(repr(row).encode())
    for row in CaseEvent.objects.order_by("case__reference", "at", "type").values_list(
        "case__reference", "type", "at", "from_status", "to_status", "detail"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def wipe():
    CaseEvent.objects.all().delete()
    Case.objects.all().delete()
    CaseSequence.objects.all().delete()
    Response.objects.all().delete()
    Ticket.objects.all().delete()


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(generate):
    generate(10, seed=7)
    first = digest()
    assert Case.objects.exists()
    wipe()
    generate(10, seed=7)
    assert digest() == first
    wipe()
    generate(10, seed=8)
    assert digest() != first


def test_site_days_that_have_tickets_are_kept_and_the_others_filled(network, generate):
    first = generate(10)
    counts = (Ticket.objects.count(), Response.objects.count(), Case.objects.count())
    again = generate(10)
    assert again.tickets == again.ratings == again.cases == 0
    assert (Ticket.objects.count(), Response.objects.count(), Case.objects.count()) == counts
    # One site-day is lost: the next run writes that one again, the same as before.
    day = Ticket.objects.filter(site=network["THS"]).aggregate(d=Max("day"))["d"]
    lost = Ticket.objects.filter(site=network["THS"], day=day)
    lost_codes = sorted(lost.values_list("feedback_code", "public_id"))
    Response.objects.filter(ticket__in=lost).delete()
    n = lost.count()
    lost.delete()
    redo = generate(10)
    assert redo.tickets == n and Ticket.objects.count() == counts[0]
    assert sorted(lost.values_list("feedback_code", "public_id")) == lost_codes
    assert first.tickets == counts[0]


def test_the_live_day_and_the_pilots_demo_days_are_left_alone(network, settings):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    today = timezone.localdate()
    before = dict(
        Ticket.objects.filter(site__code="DKR").values_list("day").annotate(n=Count("id"))
    )
    live = list(Ticket.objects.filter(day=today).order_by("id").values_list("id", "status"))
    history_generate(days=30, sites=[network["DKR"], network["FTK"]])
    assert list(Ticket.objects.filter(day=today).order_by("id").values_list("id", "status")) == live
    after = dict(Ticket.objects.filter(site__code="DKR").values_list("day").annotate(n=Count("id")))
    assert {day: after[day] for day in before} == before
    assert len(after) > len(before) + 10


def test_the_demo_staff_held_their_roles_through_the_demos_past(network, settings):
    """Else every past month of the demo would count no staff, and 0 % trained."""
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    start = timezone.localdate() - timedelta(days=28)
    granted = {
        timezone.localdate(a) for a in RoleAssignment.objects.values_list("created_at", flat=True)
    }
    assert granted == {start}


def test_seed_demo_keeps_the_history_it_finds(network, settings):
    """make run on a later day: the demo's four past weeks are already history."""
    history_generate(days=30, sites=[network["DKR"]])
    before = Ticket.objects.count()
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    today = timezone.localdate()
    for weeks in range(1, 5):
        day = today - timedelta(weeks=weeks)
        assert not Ticket.objects.filter(site__code="DKR", day=day, sequence__gt=1000).exists()
    dkr_past = Ticket.objects.filter(site__code="DKR", day__lt=today).count()
    assert dkr_past == before


def test_cases_follow_the_services_rules(network, generate):
    generate(40)
    calendar = working_calendar()
    today = timezone.localdate()
    cases_ = list(Case.objects.all())
    kinds = {c.kind for c in cases_}
    assert kinds >= {Kind.COMPLAINT, Kind.REQUEST}
    for case in cases_:
        filed = local(case.filed_at).date()
        days = cases.due_days(kind=case.kind, channel=case.channel, procedure=case.procedure)
        assert case.due_on_initial == calendar.add_working_days(filed, days)
        assert case.due_on >= case.due_on_initial
        assert case.name == case.phone == case.email == "" and not case.contact_consent
        assert case.is_open == (case.status in OPEN_STATUSES)
        if case.kind == Kind.REQUEST:
            assert case.procedure.deadline_max_days >= 1 and case.reference.startswith("D-")
        else:
            assert case.reference.startswith("R-")
        if case.resolved_at is not None:
            assert not case.is_open and case.resolved_at >= case.filed_at
            assert local(case.resolved_at).date() < today
            assert case.resolved_on_time == (local(case.resolved_at).date() <= case.due_on)
        if case.first_reply_at is not None:
            on_time = local(case.first_reply_at).date() <= case.due_on_initial
            assert case.first_reply_on_time == on_time
        events = list(case.events.order_by("at", "id"))
        assert events[0].type == "filed" and events[0].at == case.filed_at
        moves = [e for e in events if e.type == "status"]
        if moves:
            assert moves[-1].to_status == case.status
    resolved = [c for c in cases_ if c.resolved_at is not None]
    on_time = sum(c.resolved_on_time for c in resolved)
    assert 0.7 * len(resolved) < on_time < len(resolved)  # most on time, some late
    assert any(c.is_open for c in cases_)


def test_case_references_continue_with_the_next_real_case(network, generate):
    generate(15)
    year = timezone.localdate().year
    for seq in CaseSequence.objects.all():
        numbers = [
            int(ref.rsplit("-", 1)[1])
            for ref in Case.objects.filter(
                site=seq.site, reference__startswith=f"{seq.prefix}-{seq.site.code}-{seq.year}-"
            ).values_list("reference", flat=True)
        ]
        assert sorted(numbers) == list(range(1, seq.last + 1))
    dkr = network["DKR"]
    last = (
        CaseSequence.objects.filter(site=dkr, prefix="R", year=year).aggregate(m=Max("last"))["m"]
        or 0
    )
    filed = cases.case_file(site=dkr, kind="complaint", message="Attente trop longue.")
    assert filed.case.reference == f"R-DKR-{year}-{last + 1:05d}"
    assert cases.track_check(filed.case, filed.tracking_code)


def test_generated_tracking_codes_are_checked_like_real_ones(generate):
    generate(6)
    case = Case.objects.first()
    assert cases.track_check(case, cases.tracking_code_for(case.client_id))
    assert not cases.track_check(case, "ABCDEFGH")


def test_the_command_refuses_outside_demo_mode_and_unknown_sites(network, settings):
    settings.TERANGA_DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("generate_history", days=3)
    settings.TERANGA_DEMO = True
    with pytest.raises(CommandError, match="XYZ"):
        call_command("generate_history", days=3, sites="DKR,XYZ")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_history", days=0)
    assert not Ticket.objects.exists()


def test_the_command_shows_progress_unless_quiet(network, settings):
    settings.TERANGA_DEMO = True
    out, err = StringIO(), StringIO()
    call_command("generate_history", days=4, sites="THS", stdout=out, stderr=err)
    progress = err.getvalue()
    assert "4/4 days" in progress and "tickets" in progress
    assert "tickets" in out.getvalue()
    out, err = StringIO(), StringIO()
    call_command("generate_history", days=9, sites="DKR", quiet=True, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert Ticket.objects.filter(site__code="DKR").exists()
    assert not Ticket.objects.filter(~Q(site__code__in=["DKR", "THS"])).exists()


def test_days_for_tells_how_many_days_hold_a_number_of_tickets(network):
    days = days_for(3000, sites=[network["THS"]])
    assert history_generate(days=days - 1, sites=[network["THS"]]).tickets < 3000
    assert (
        Ticket.objects.count() + history_generate(days=days, sites=[network["THS"]]).tickets >= 3000
    )
