import uuid

import pytest

from teranga.network.models import Role
from teranga.reception import services
from tests.factories import CategoryFactory, CounterFactory, ProcedureFactory, SiteFactory, staff


@pytest.fixture
def desk(db):
    """A site with two lines (A: civil status, B: justice), three counters and an agent."""
    site = SiteFactory(code="DKR", with_hours=True)
    civil = CategoryFactory(code="ETATCIVIL", letter="A")
    justice = CategoryFactory(code="JUSTICE", letter="B")
    birth = ProcedureFactory(code="NAISS", category=civil)
    marriage = ProcedureFactory(code="MARIAGE", category=civil)
    record = ProcedureFactory(code="CASIER", category=justice)
    site.procedures.set([birth, marriage, record])
    g1 = CounterFactory(site=site, code="G1")  # serves everything
    g2 = CounterFactory(site=site, code="G2")
    g2.procedures.set([record])
    g3 = CounterFactory(site=site, code="G3")
    agent = staff(Role.AGENT, site=site, username="awa")
    other_agent = staff(Role.AGENT, site=site, username="ibou")
    return {
        "site": site,
        "birth": birth,
        "marriage": marriage,
        "record": record,
        "g1": g1,
        "g2": g2,
        "g3": g3,
        "agent": agent,
        "other_agent": other_agent,
    }


@pytest.fixture
def issue(desk):
    def _issue(procedure="NAISS", **kwargs):
        kwargs.setdefault("client_id", uuid.uuid4())
        kwargs.setdefault("user", desk["agent"])
        ticket, _ = services.ticket_issue(site=desk["site"], procedure_code=procedure, **kwargs)
        return ticket

    return _issue
