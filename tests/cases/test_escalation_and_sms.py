from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from teranga.cases import alerts, services
from teranga.cases.models import Case, CaseEmail, Notification
from teranga.lib.errors import Invalid
from teranga.messaging.models import OutboundSms
from teranga.network.selectors import working_calendar

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 30)


def _due(case, due_on):
    Case.objects.filter(pk=case.pk).update(due_on=due_on)


def test_escalation_warns_the_assignee_then_the_manager_then_the_region(file_case, office):
    case = file_case().case
    services.case_assign(case=case, actor=office["agent"], assignee=office["agent"])
    calendar = working_calendar()
    _due(case, calendar.add_working_days(MONDAY, 2))
    assert alerts.cases_escalate(today=MONDAY)["due_soon"] == 1
    assert alerts.cases_escalate(today=MONDAY) == {"due_soon": 0, "overdue": 0, "region": 0}
    assert Notification.objects.get().user == office["agent"]

    _due(case, MONDAY - timedelta(days=3))  # due last Friday: one working day late
    counts = alerts.cases_escalate(today=MONDAY)
    assert counts == {"due_soon": 0, "overdue": 2, "region": 0}
    assert set(
        Notification.objects.filter(type="overdue").values_list("user__username", flat=True)
    ) == {"awa", "chef"}

    later = calendar.add_working_days(MONDAY, 4)  # five working days late
    assert alerts.cases_escalate(today=later)["region"] == 1
    region = Notification.objects.get(type="overdue_region")
    assert region.user == office["supervisor"]
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    # Alerts are e-mailed through the outbox, once each, and the worker sends them.
    assert CaseEmail.objects.filter(to="sup@example.sn").count() == 1
    alerts.case_emails_send_due()
    assert any(m.to == ["sup@example.sn"] for m in mail.outbox)


def test_an_unassigned_case_due_soon_warns_the_site_manager(file_case, office):
    case = file_case().case
    _due(case, MONDAY)
    alerts.cases_escalate(today=MONDAY)
    assert Notification.objects.get().user == office["manager"]


def test_answered_cases_raise_no_alert(file_case, office):
    case = file_case().case
    services.case_answer(case=case, actor=office["agent"], text="Done.")
    _due(case, MONDAY - timedelta(days=30))
    assert alerts.cases_escalate(today=MONDAY) == {"due_soon": 0, "overdue": 0, "region": 0}


def test_the_escalation_command_runs_the_job(file_case, office, capsys):
    case = file_case().case
    _due(case, date(2000, 1, 3))
    call_command("cases_escalate")
    assert "region: 1" in capsys.readouterr().out


def test_a_failing_mail_server_keeps_the_email_for_later(file_case, office, settings):
    file_case(email="fatou@example.sn", contact_consent=True)
    settings.EMAIL_BACKEND = "tests.cases.test_escalation_and_sms.BrokenBackend"
    assert alerts.case_emails_send_due() == {"sent": 0, "failed": 1}
    message = CaseEmail.objects.get()
    assert message.status == "pending" and "refused" in message.last_error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("refused")


def test_an_sms_files_a_complaint_and_replies_with_the_reference(office):
    intake = services.complaint_from_sms(
        phone="+221771234567", text="dkr PLAINTE: agent absent ce matin", message_id="ATXid_1"
    )
    case = intake.case
    assert intake.created and case.site == office["dakar"] and case.channel == "sms"
    assert case.kind == "complaint" and case.message == "agent absent ce matin"
    assert case.phone == "+221771234567" and case.contact_consent
    sms = OutboundSms.objects.get()
    assert sms.to == "+221771234567" and case.reference in sms.text
    assert intake.reply == sms.text
    again = services.complaint_from_sms(
        phone="+221771234567", text="dkr PLAINTE: agent absent ce matin", message_id="ATXid_1"
    )
    assert (again.case.pk, again.created) == (case.pk, False)
    assert Case.objects.count() == 1 and OutboundSms.objects.count() == 1


def test_an_sms_with_a_keyword_files_a_suggestion_or_compliment(office):
    suggestion = services.complaint_from_sms(
        phone="771234567", text="THS suggestion ouvrir le samedi", message_id="m2"
    ).case
    thanks = services.complaint_from_sms(
        phone="771234567", text="DKR merci pour l'accueil", message_id="m3"
    ).case
    assert (suggestion.kind, suggestion.site.code) == ("suggestion", "THS")
    assert thanks.kind == "compliment"


@pytest.mark.parametrize("text", ["", "XYZ hello", "DKR", "DKR   "])
def test_an_sms_without_a_known_site_or_message_gets_the_format_in_reply(office, text):
    intake = services.complaint_from_sms(phone="771234567", text=text, message_id=f"x{text}")
    assert intake.case is None and "DKR" in intake.reply
    assert Case.objects.count() == 0 and OutboundSms.objects.get().text == intake.reply


def test_an_sms_from_an_invalid_number_is_refused(office):
    with pytest.raises(Invalid):
        services.complaint_from_sms(phone="12", text="DKR hello", message_id="m9")


def test_a_sent_email_keeps_no_tracking_code(file_case):
    filed = file_case(email="fatou@example.sn", contact_consent=True)
    assert filed.tracking_code in CaseEmail.objects.get().body
    alerts.case_emails_send_due()
    assert filed.tracking_code in mail.outbox[0].body
    assert CaseEmail.objects.get().body == ""


def test_contacts_of_cases_closed_past_the_retention_are_erased(file_case, office):
    old = file_case(name="Fatou", phone="771234567", contact_consent=True).case
    services.case_answer(case=old, actor=office["agent"], text="Done.")
    still_open = file_case(name="Awa", email="awa@example.sn", contact_consent=True).case
    Case.objects.filter(pk=old.pk).update(resolved_at=old.filed_at - timedelta(days=400))
    assert services.case_contacts_purge(older_than=timedelta(days=365)) == 1
    old.refresh_from_db()
    still_open.refresh_from_db()
    assert (old.name, old.phone, old.contact_consent) == ("", "", False)
    assert still_open.email == "awa@example.sn"
    assert old.public_answer  # the answer stays for the indicators and the tracking page
