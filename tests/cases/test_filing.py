import re
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from teranga.cases import services
from teranga.cases.models import Case, CaseEmail, CaseEvent, Status
from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.messaging.models import OutboundSms

pytestmark = pytest.mark.django_db
DAKAR = ZoneInfo("Africa/Dakar")


@pytest.fixture
def at(monkeypatch):
    def _at(*args):
        moment = datetime(*args, tzinfo=DAKAR)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return _at


@pytest.mark.parametrize(
    ("filed", "due"),
    [((2026, 11, 29, 10), date(2026, 12, 18)), ((2026, 12, 24, 16), date(2027, 1, 18))],
)
def test_a_complaint_is_due_fifteen_working_days_after_the_filing_day(at, file_case, filed, due):
    at(*filed)
    case = file_case().case
    assert case.due_on == case.due_on_initial == due


def test_an_email_is_due_in_five_working_days_and_a_request_by_its_procedure(
    at, file_case, open_request, office
):
    at(2026, 11, 30, 9)  # a Monday
    emailed = file_case(channel="email", user=office["agent"]).case
    assert emailed.due_on == date(2026, 12, 7)
    request = open_request().case
    assert request.due_on == date(2026, 12, 14)  # 10 working days, the announced maximum


def test_the_reference_counts_per_site_and_year_and_the_code_is_only_hashed(file_case, office):
    first, second = file_case(), file_case()
    year = timezone.localdate().year
    assert first.case.reference == f"R-DKR-{year}-00001"
    assert second.case.reference == f"R-DKR-{year}-00002"
    assert file_case(site=office["thies"]).case.reference == f"R-THS-{year}-00001"
    assert re.fullmatch(r"[A-Z2-9]{8}", first.tracking_code)
    stored = Case.objects.get(pk=first.case.pk)
    assert first.tracking_code not in str(stored.__dict__)
    assert services.track_check(stored, first.tracking_code.lower())
    assert not services.track_check(stored, second.tracking_code)


def test_a_retried_submission_returns_the_same_case_and_code(file_case):
    client_id = uuid.uuid4()
    first = file_case(client_id=client_id)
    again = file_case(client_id=client_id, message="another text")
    assert (again.case.pk, again.tracking_code, again.created) == (
        first.case.pk,
        first.tracking_code,
        False,
    )
    assert Case.objects.count() == 1


def test_filing_records_who_and_when(file_case, office):
    case = file_case(channel="letter", user=office["agent"]).case
    event = CaseEvent.objects.get(case=case)
    assert (event.type, event.actor, event.to_status) == ("filed", office["agent"], "")
    assert case.status == Status.RECEIVED


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"message": "   "}, "Écrivez votre message"),
        ({"message": "x" * 20000}, "trop long"),
        ({"procedure_code": "NOPE"}, "ne propose pas"),
        ({"phone": "12", "contact_consent": True}, "téléphone n.est pas valide"),
        ({"email": "not-an-address", "contact_consent": True}, "adresse électronique"),
        ({"phone": "771234567"}, "si vous acceptez"),
        ({"email": "a@example.sn"}, "si vous acceptez"),
        ({"kind": "request"}, "réclamation, suggestion ou remerciement"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(file_case, kwargs, message):
    with pytest.raises(Invalid, match=message):
        file_case(**kwargs)
    assert Case.objects.count() == 0
    assert OutboundSms.objects.count() == 0


def test_staff_channels_need_staff_of_the_site(file_case, office):
    with pytest.raises(Forbidden):
        file_case(channel="letter")
    with pytest.raises(Forbidden):
        file_case(channel="counter", user=office["other_agent"])
    with pytest.raises(Forbidden):
        file_case(channel="counter", user=office["quality"])


def test_a_client_id_used_at_another_site_is_a_conflict(file_case, office):
    client_id = uuid.uuid4()
    file_case(client_id=client_id)
    with pytest.raises(Conflict):
        file_case(client_id=client_id, site=office["thies"])


def test_the_user_gets_the_reference_and_code_by_sms_and_email_when_they_consent(file_case):
    filed = file_case(phone="77 123 45 67", email="fatou@example.sn", contact_consent=True)
    sms = OutboundSms.objects.get()
    assert sms.to == "+221771234567"
    assert filed.case.reference in sms.text and filed.tracking_code in sms.text
    mail = CaseEmail.objects.get()
    assert mail.to == "fatou@example.sn" and filed.tracking_code in mail.body


def test_nothing_is_sent_without_a_contact(file_case):
    file_case(name="Fatou")
    assert OutboundSms.objects.count() == 0 and CaseEmail.objects.count() == 0


def test_a_request_needs_an_agent_of_the_site_and_a_procedure(open_request, office):
    with pytest.raises(Forbidden):
        open_request(agent=office["other_agent"])
    with pytest.raises(Invalid):
        open_request(procedure_code="")
    filed = open_request(name="Moussa", phone="+221 70 000 00 01", contact_consent=True)
    assert filed.case.reference.startswith("D-DKR-")
    assert filed.case.procedure == office["transcription"]
