import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from teranga.lib.sms import SmsError
from teranga.messaging.models import OutboundSms
from teranga.messaging.services import sms_send_due
from teranga.reception import services
from teranga.reception.models import Ticket

pytestmark = pytest.mark.django_db
SENT = []


class RecordingGateway:
    """Stands for the SMS aggregator; the only part of the world that is faked."""

    def send(self, to, text):
        SENT.append((to, text))
        return f"msg-{len(SENT)}"


class DownGateway:
    def send(self, to, text):
        raise SmsError("gateway unreachable")


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def call_one(desk):
    ticket = services.ticket_call_next(counter=desk["g1"], agent=desk["agent"])
    services.ticket_no_show(ticket=ticket, agent=desk["agent"])


def test_one_sms_when_the_turn_is_near_and_never_twice(issue, desk):
    desk["site"].sms_notice_ahead = 1
    desk["site"].save()
    for _ in range(3):
        issue()
    mine = issue(phone="77 123 45 67", sms_consent=True, language="wo")
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    call_one(desk)  # 2 ahead: too early
    assert not OutboundSms.objects.exists()
    call_one(desk)  # 1 ahead: now
    call_one(desk)  # 0 ahead: already sent
    message = OutboundSms.objects.get()
    assert message.to == "+221771234567" and mine.number in message.text
    assert "Ñëwal" in message.text  # in the language of the kiosk


@override_settings(SMS_BACKEND="tests.reception.test_sms_and_retention.DownGateway")
def test_a_gateway_outage_delays_the_sms_and_never_loses_it(issue, desk):
    issue()
    issue(phone="781112233", sms_consent=True)
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    call_one(desk)
    message = OutboundSms.objects.get()
    assert sms_send_due() == {"sent": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "unreachable" in message.last_error
    assert sms_send_due() == {"sent": 0, "failed": 0}  # not due again yet
    OutboundSms.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    with override_settings(SMS_BACKEND="tests.reception.test_sms_and_retention.RecordingGateway"):
        assert sms_send_due() == {"sent": 1, "failed": 0}
        assert sms_send_due() == {"sent": 0, "failed": 0}
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2
    assert [("+221781112233", message.text)] == SENT


def test_an_sms_is_not_queued_when_the_call_is_rolled_back(issue, desk):
    issue(phone="771234567", sms_consent=True)
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_call_next(counter=desk["g1"], agent=desk["agent"])
        raise RuntimeError("crash after the call")
    assert not OutboundSms.objects.exists()
    assert Ticket.objects.get().status == "waiting"


def test_phone_numbers_are_purged_after_the_retention_period(issue, desk, settings):
    settings.TICKET_PHONE_RETENTION_DAYS = 90
    old = issue(phone="771234567", sms_consent=True)
    recent = issue(phone="781234567", sms_consent=True)
    Ticket.objects.filter(pk=old.pk).update(issued_at=timezone.now() - timedelta(days=91))
    call_command("run_worker", "--once", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.phone, old.sms_consent) == ("", False)
    assert recent.phone == "+221781234567"
