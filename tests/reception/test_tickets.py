import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import Role, Site
from teranga.network.services import device_create
from teranga.reception import selectors, services
from teranga.reception.models import Ticket, TicketEvent, TicketSequence
from tests.factories import SiteFactory, staff

pytestmark = pytest.mark.django_db
DAKAR = ZoneInfo("Africa/Dakar")


def test_tickets_are_numbered_per_line_and_day(issue):
    numbers = [
        issue("NAISS").number,
        issue("MARIAGE").number,
        issue("CASIER").number,
        issue("NAISS").number,
    ]
    assert numbers == ["A-001", "A-002", "B-001", "A-003"]


def test_the_same_client_id_gives_back_the_same_ticket(desk):
    client_id = uuid.uuid4()
    first, created = services.ticket_issue(
        site=desk["site"], procedure_code="NAISS", client_id=client_id, user=desk["agent"]
    )
    again, created_again = services.ticket_issue(
        site=desk["site"], procedure_code="CASIER", client_id=client_id, user=desk["agent"]
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_a_ticket_written_in_sql_reads_back_as_written(issue, desk):
    ticket = issue("CASIER", priority="elderly", phone="77 123 45 67", sms_consent=True)
    stored = Ticket.objects.get(pk=ticket.pk)
    fields = [f.attname for f in Ticket._meta.concrete_fields]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(ticket, f) for f in fields}
    assert (stored.phone, stored.is_priority, stored.status) == ("+221771234567", True, "waiting")
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.to_status, event.actor, event.detail) == (
        "issued",
        "waiting",
        desk["agent"],
        {},
    )


def test_a_retried_client_id_takes_no_number(issue, desk):
    """The number is taken in the ticket's own transaction (SQLite) or statement
    (PostgreSQL): a retry that writes nothing gives it back."""
    first = issue()
    issue(client_id=first.client_id)
    assert issue().number == "A-002"


@pytest.mark.django_db(transaction=True)
def test_a_retry_outside_any_transaction_gets_its_ticket_and_leaves_the_connection_usable(
    issue,
):
    """As a kiosk's request runs (autocommit): on PostgreSQL the refused statement is its own
    transaction, so the lookup that follows it and the next ticket still work."""
    first = issue()
    again = issue(client_id=first.client_id)
    assert again.pk == first.pk
    assert issue().number == "A-002"
    assert Ticket.objects.count() == 2


def test_numbers_increase_with_issue_time_when_clocks_are_read_out_of_order(issue, monkeypatch):
    """Two kiosks may read the clock in one order and take the line's number in the other:
    the later number never gets the earlier time (it gets the line's last one)."""
    start = datetime(2026, 12, 1, 9, 59, 59, 900000, tzinfo=DAKAR)
    monkeypatch.setattr(timezone, "now", lambda: start)
    first = issue()
    monkeypatch.setattr(timezone, "now", lambda: start - timedelta(milliseconds=5))
    second = issue()
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.issued_at == first.issued_at == start
    stored = Ticket.objects.get(pk=second.pk)
    assert (stored.issued_at, stored.issued_hour) == (start, 9)
    assert TicketEvent.objects.get(ticket=second).at == start


def test_a_ticket_gets_an_eight_digit_feedback_code_and_a_public_id(issue):
    ticket = issue()
    assert len(ticket.feedback_code) == 8 and ticket.feedback_code.isdigit()
    assert ticket.public_id
    assert TicketEvent.objects.get(ticket=ticket).kind == "issued"


def test_daily_sequences_restart_at_midnight_in_dakar(issue, monkeypatch):
    late = datetime(2026, 12, 1, 23, 59, tzinfo=DAKAR)
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert issue().number == "A-001"
    assert issue().number == "A-002"
    monkeypatch.setattr(timezone, "now", lambda: late + timedelta(minutes=2))
    ticket = issue()
    assert ticket.number == "A-001"
    assert ticket.day.isoformat() == "2026-12-02"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"procedure": "NOPE"}, Invalid, "ne propose pas la démarche NOPE"),
        ({"phone": "77 123 45 67"}, Invalid, "accord"),
        ({"sms_consent": True}, Invalid, "numéro de téléphone"),
        ({"phone": "12345", "sms_consent": True}, Invalid, "pas valide"),
        ({"priority": "vip"}, Invalid, "Priorité inconnue"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(issue, kwargs, error, message):
    with pytest.raises(error, match=message):
        issue(**kwargs)
    assert not Ticket.objects.exists()
    assert not TicketSequence.objects.filter(last__gt=0).exists()


def test_a_procedure_not_offered_by_the_site_is_refused(issue, desk):
    desk["site"].procedures.remove(desk["record"])
    with pytest.raises(Invalid):
        issue("CASIER")


def test_a_temporarily_closed_site_refuses_tickets(issue, desk):
    Site.objects.filter(pk=desk["site"].pk).update(status=Site.Status.CLOSED)
    desk["site"].refresh_from_db()
    with pytest.raises(Conflict, match="temporairement fermé"):
        issue()


def test_phones_are_stored_in_e164_with_consent_only(issue):
    ticket = issue(phone="77 123 45 67", sms_consent=True)
    assert ticket.phone == "+221771234567"
    assert issue().phone == ""


def test_only_kiosks_of_the_site_and_its_staff_may_issue(desk):
    other = SiteFactory(code="THS")
    kiosk, _ = device_create(site=desk["site"], kind="kiosk")
    display, _ = device_create(site=desk["site"], kind="display")
    foreign_kiosk, _ = device_create(site=other, kind="kiosk")
    outsider = staff(Role.AGENT, site=other)
    issue_as = lambda **who: services.ticket_issue(  # noqa: E731
        site=desk["site"], procedure_code="NAISS", client_id=uuid.uuid4(), **who
    )
    assert issue_as(device=kiosk)[1]
    for who in ({"device": display}, {"device": foreign_kiosk}, {"user": outsider}):
        with pytest.raises(Forbidden):
            issue_as(**who)


def test_position_and_estimate_follow_priority_then_arrival(issue, desk):
    first = issue()
    second = issue()
    elderly = issue(priority="elderly")
    other_line = issue("CASIER")
    assert selectors.ticket_position(elderly) == 0
    assert selectors.ticket_position(first) == 1
    assert selectors.ticket_position(second) == 2
    assert selectors.ticket_position(other_line) == 0
    ahead, minutes = selectors.ticket_estimate(second)
    assert ahead == 2 and minutes == 3 * 6  # default service time, one counter at most
