import uuid

import pytest

from teranga.cases import services
from teranga.network.models import Role
from tests.factories import ProcedureFactory, staff


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Attachments of the tests go to a temporary folder, not to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def office(two_sites):
    """Dakar and Thiès with a procedure, and staff of each: agents, a manager, supervisors."""
    dakar, thies = two_sites
    transcription = ProcedureFactory(code="TRANSCR", deadline_min_days=3, deadline_max_days=10)
    dakar.procedures.set([transcription])
    thies.procedures.set([transcription])
    agent = staff(Role.AGENT, site=dakar, username="awa")
    agent.first_name, agent.last_name, agent.email = "Awa", "Diop", "awa@example.sn"
    agent.save()
    manager = staff(Role.SITE_MANAGER, site=dakar, username="chef")
    manager.email = "chef@example.sn"
    manager.save()
    supervisor = staff(
        Role.REGIONAL_SUPERVISOR, region=dakar.department.region, username="superviseur"
    )
    supervisor.email = "sup@example.sn"
    supervisor.save()
    return {
        "dakar": dakar,
        "thies": thies,
        "transcription": transcription,
        "agent": agent,
        "manager": manager,
        "supervisor": supervisor,
        "other_agent": staff(Role.AGENT, site=thies, username="modou"),
        "other_manager": staff(Role.SITE_MANAGER, site=thies, username="chef.ths"),
        "other_supervisor": staff(
            Role.REGIONAL_SUPERVISOR, region=thies.department.region, username="sup.ths"
        ),
        "quality": staff(Role.QUALITY_OFFICER, site=dakar, username="qualite"),
    }


@pytest.fixture
def file_case(office):
    def _file(**kwargs):
        kwargs.setdefault("site", office["dakar"])
        kwargs.setdefault("kind", "complaint")
        kwargs.setdefault("message", "The queue was far too long this morning.")
        kwargs.setdefault("client_id", uuid.uuid4())
        return services.case_file(**kwargs)

    return _file


@pytest.fixture
def open_request(office):
    def _open(**kwargs):
        kwargs.setdefault("site", office["dakar"])
        kwargs.setdefault("procedure_code", "TRANSCR")
        kwargs.setdefault("agent", office["agent"])
        return services.request_open(**kwargs)

    return _open
