import pytest

from teranga.network.models import Device
from teranga.network.services import device_create
from teranga.reception import services as reception
from tests.reception import conftest as reception_fixtures

# The reception's fixtures, shared: a site with lines, counters and agents; issuing tickets.
desk = reception_fixtures.desk
issue = reception_fixtures.issue


@pytest.fixture
def served(desk, issue):
    """A ticket served to the end at counter G1 by the agent, with SMS consent."""

    def _served(**kwargs):
        kwargs.setdefault("phone", "77 123 45 67")
        kwargs.setdefault("sms_consent", True)
        ticket = issue(**kwargs)
        counter, agent = desk["g1"], desk["agent"]
        if not counter.sessions.filter(closed_at__isnull=True).exists():
            reception.counter_open(counter=counter, agent=agent)
        called = reception.ticket_call_next(counter=counter, agent=agent)
        assert called.pk == ticket.pk
        reception.ticket_start(ticket=called, agent=agent)
        return reception.ticket_finish(ticket=called, agent=agent)

    return _served


@pytest.fixture
def tablet(desk):
    device, raw = device_create(site=desk["site"], kind=Device.Kind.TABLET, name="Entrée")
    return device, raw
