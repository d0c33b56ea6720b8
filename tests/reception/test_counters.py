import threading
import uuid

import pytest
from django.db import close_old_connections

from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import Role
from teranga.reception import services
from teranga.reception.models import CounterSession, Ticket
from tests.factories import SiteFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_g1(desk):
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    return desk["g1"]


def call(desk, counter=None, agent=None):
    return services.ticket_call_next(counter=counter or desk["g1"], agent=agent or desk["agent"])


def test_call_next_takes_priority_tickets_first_then_arrival(issue, desk, open_g1):
    first, second = issue(), issue()
    pregnant = issue(priority="pregnancy")
    called = [
        call(desk),
    ]
    for ticket in called:
        services.ticket_start(ticket=ticket, agent=desk["agent"])
        services.ticket_finish(ticket=ticket, agent=desk["agent"])
    second_call = call(desk)
    assert called[0].pk == pregnant.pk
    assert second_call.pk == first.pk
    assert second.status == Ticket.Status.WAITING


def test_a_counter_only_calls_the_procedures_it_serves(issue, desk):
    issue("NAISS")
    record = issue("CASIER")
    services.counter_open(counter=desk["g2"], agent=desk["agent"])
    assert call(desk, desk["g2"]).pk == record.pk
    services.ticket_no_show(ticket=record, agent=desk["agent"])
    assert call(desk, desk["g2"]) is None  # only NAISS waits, G2 does not serve it


def test_call_measures_the_wait_and_finish_the_service(issue, desk, open_g1):
    ticket = issue()
    called = call(desk)
    assert called.status == "called" and called.counter == desk["g1"]
    assert called.wait_seconds is not None and called.agent == desk["agent"]
    services.ticket_start(ticket=called, agent=desk["agent"])
    done = services.ticket_finish(ticket=called, agent=desk["agent"], outcome="incomplete")
    assert done.status == "finished" and done.outcome == "incomplete"
    assert done.service_seconds is not None
    kinds = list(ticket.events.values_list("kind", "from_status", "to_status"))
    assert kinds == [
        ("issued", "", "waiting"),
        ("called", "waiting", "called"),
        ("started", "called", "serving"),
        ("finished", "serving", "finished"),
    ]


def test_illegal_transitions_are_refused_with_a_reason(issue, desk, open_g1):
    waiting = issue()
    with pytest.raises(Conflict, match="pas été appelé"):
        services.ticket_finish(ticket=waiting, agent=desk["agent"])
    called = call(desk)
    with pytest.raises(Conflict):
        services.ticket_finish(ticket=called, agent=desk["agent"])  # never started
    with pytest.raises(Conflict):
        call(desk)  # the current ticket is not finished
    services.ticket_no_show(ticket=called, agent=desk["agent"])
    with pytest.raises(Conflict):
        services.ticket_start(ticket=called, agent=desk["agent"])
    with pytest.raises(Invalid):
        services.ticket_finish(ticket=called, agent=desk["agent"], outcome="great")


def test_calling_at_a_closed_counter_or_someone_elses_is_refused(issue, desk, open_g1):
    issue()
    with pytest.raises(Conflict, match="fermé"):
        call(desk, desk["g3"])
    with pytest.raises(Conflict, match="autre conseiller"):
        call(desk, desk["g1"], desk["other_agent"])


def test_staff_of_another_site_cannot_touch_this_sites_counters(issue, desk, open_g1):
    outsider = staff(Role.SITE_MANAGER, site=SiteFactory(code="THS"))
    with pytest.raises(Forbidden):
        services.counter_open(counter=desk["g3"], agent=outsider)
    with pytest.raises(Forbidden):
        services.counter_close(counter=desk["g1"], agent=outsider)
    issue()
    with pytest.raises(Forbidden):
        call(desk, desk["g1"], outsider)


def test_an_agent_holds_one_counter_and_a_counter_one_agent(desk, open_g1):
    with pytest.raises(Conflict):
        services.counter_open(counter=desk["g2"], agent=desk["agent"])
    with pytest.raises(Conflict):
        services.counter_open(counter=desk["g1"], agent=desk["other_agent"])
    assert services.counter_open(counter=desk["g1"], agent=desk["agent"]) is not None
    assert CounterSession.objects.filter(closed_at__isnull=True).count() == 1


def test_a_counter_cannot_close_on_a_ticket_being_served(issue, desk, open_g1):
    issue()
    ticket = call(desk)
    with pytest.raises(Conflict):
        services.counter_close(counter=desk["g1"], agent=desk["agent"])
    services.ticket_no_show(ticket=ticket, agent=desk["agent"])
    services.counter_close(counter=desk["g1"], agent=desk["agent"])
    assert not CounterSession.objects.filter(closed_at__isnull=True).exists()


def test_transfer_keeps_the_number_and_arrival_time(issue, desk, open_g1):
    early = issue()
    later = issue("MARIAGE")
    ticket = call(desk)
    assert ticket.pk == early.pk
    services.ticket_start(ticket=ticket, agent=desk["agent"])
    services.ticket_transfer(
        ticket=ticket, agent=desk["agent"], procedure_code="CASIER", counter_code="G2"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.number, ticket.issued_at) == (
        "waiting",
        early.number,
        early.issued_at,
    )
    assert ticket.procedure.code == "CASIER" and ticket.target_counter.code == "G2"
    # G1 does not take it back: it was sent to G2, which calls it before anything else.
    assert call(desk).pk == later.pk
    services.counter_open(counter=desk["g2"], agent=desk["other_agent"])
    assert call(desk, desk["g2"], desk["other_agent"]).pk == early.pk


def test_recall_counts_and_keeps_the_first_call_time(issue, desk, open_g1):
    issue()
    ticket = call(desk)
    first_call = ticket.called_at
    services.ticket_recall(ticket=ticket, agent=desk["agent"])
    ticket.refresh_from_db()
    assert ticket.recalls == 1 and ticket.called_at == first_call
    assert ticket.last_called_at > first_call


@pytest.mark.django_db(transaction=True)
def test_eight_kiosks_at_once_get_unique_increasing_numbers(desk):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def kiosk():
        try:
            barrier.wait()
            for _ in range(5):
                ticket, _ = services.ticket_issue(
                    site=desk["site"],
                    procedure_code="NAISS",
                    client_id=uuid.uuid4(),
                    user=desk["agent"],
                )
                results.append((ticket.sequence, ticket.issued_at))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=kiosk) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(seq for seq, _ in results)
    assert sequences == list(range(1, 41))
    by_time = [seq for seq, _ in sorted(results, key=lambda r: (r[1], r[0]))]
    assert by_time == sorted(by_time)  # numbers increase with issue time


@pytest.mark.django_db(transaction=True)
def test_two_agents_calling_at_once_never_get_the_same_ticket(desk, issue):
    for _ in range(6):
        issue()
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    services.counter_open(counter=desk["g3"], agent=desk["other_agent"])
    called, errors = [], []
    barrier = threading.Barrier(2)

    def agent(counter, user):
        try:
            barrier.wait()
            for _ in range(3):
                ticket = services.ticket_call_next(counter=counter, agent=user)
                called.append(ticket.pk)
                services.ticket_no_show(ticket=ticket, agent=user)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=agent, args=(desk["g1"], desk["agent"])),
        threading.Thread(target=agent, args=(desk["g3"], desk["other_agent"])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(called) == 6 == len(set(called))


def test_tickets_left_from_a_past_day_are_closed_and_never_called(issue, desk, open_g1):
    from datetime import timedelta

    from django.utils import timezone

    yesterday = issue()
    Ticket.objects.filter(pk=yesterday.pk).update(day=timezone.localdate() - timedelta(days=1))
    today = issue()
    assert call(desk).pk == today.pk
    assert services.tickets_expire_past_days() == 1
    yesterday.refresh_from_db()
    assert yesterday.status == "expired"
    assert list(yesterday.events.values_list("kind", "from_status")) == [
        ("issued", ""),
        ("expired", "waiting"),
    ]
    assert services.tickets_expire_past_days() == 0
