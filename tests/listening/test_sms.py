"""The SMS survey: one invitation after a served visit with consent, the reply recorded once."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from teranga.listening import services
from teranga.listening.models import InboundSms, Response, SmsInvitation
from teranga.messaging.models import OutboundSms

URL = "/api/v1/channels/sms/inbound"


def inbound(client, text, message_id="m1", sender="+221771234567"):
    answer = client.post(
        URL,
        {"from": sender, "to": "21046", "text": text, "date": "2026-11-30", "id": message_id},
        REMOTE_ADDR="127.0.0.1",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["outcome"]


def test_served_user_with_consent_is_invited_once(served, issue):
    ticket = served()
    issue(phone="77 765 43 21", sms_consent=True)  # still waiting: no invitation
    assert services.sms_surveys_invite() == 1
    assert services.sms_surveys_invite() == 0
    invitation = SmsInvitation.objects.get()
    assert invitation.ticket == ticket
    sms = OutboundSms.objects.get(dedupe_key=f"survey:{ticket.pk}")
    assert sms.to == "+221771234567" and ticket.feedback_code in sms.text


def test_no_invitation_without_consent_or_after_a_rating(served, settings):
    settings.TERANGA_DEMO = True
    served(phone="", sms_consent=False)
    assert services.sms_surveys_invite() == 0


def test_reply_records_the_rating_against_the_ticket_once(client, served, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    ticket = served()
    services.sms_surveys_invite()
    assert inbound(client, " 4 très bien ") == "recorded"
    assert inbound(client, " 4 très bien ") == "recorded"  # redelivery: same outcome
    row = Response.objects.get()
    assert (row.ticket, row.rating, row.channel, row.comment) == (ticket, 4, "sms", "très bien")
    assert SmsInvitation.objects.get().response == row
    assert InboundSms.objects.count() == 1
    assert OutboundSms.objects.filter(dedupe_key="sms-reply:m1").count() == 1
    assert inbound(client, "5", message_id="m2") == "unmatched"


def test_code_and_rating_from_any_phone(client, served, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    ticket = served(phone="", sms_consent=False)
    assert inbound(client, f"{ticket.feedback_code} 2", sender="+221700000000") == "recorded"
    assert Response.objects.get().rating == 2
    assert inbound(client, f"{ticket.feedback_code} 5", message_id="m2") == "duplicate"


def test_a_code_from_a_ticket_still_in_the_queue_rates_nothing(client, issue, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    waiting = issue()
    assert inbound(client, f"{waiting.feedback_code} 4") == "unmatched"  # not "already rated"
    assert Response.objects.count() == 0


def test_expired_invitation_and_gibberish_are_answered_with_help(client, served, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    served()
    services.sms_surveys_invite()
    SmsInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert inbound(client, "5") == "unmatched"
    assert inbound(client, "bonjour", message_id="m2") == "invalid"
    assert inbound(client, "9", message_id="m3") == "invalid"
    assert Response.objects.count() == 0
    help_sms = OutboundSms.objects.get(dedupe_key="sms-reply:m2")
    assert "1" in help_sms.text and "5" in help_sms.text


def test_too_many_ratings_from_one_phone(client, served, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    settings.FEEDBACK_PHONE_MAX_PER_DAY = 1
    first, second = served(phone="", sms_consent=False), served(phone="", sms_consent=False)
    assert inbound(client, f"{first.feedback_code} 4") == "recorded"
    assert inbound(client, f"{second.feedback_code} 4", message_id="m2") == "limited"


def test_the_worker_invites_and_sends(served, settings, tmp_path):
    settings.SMS_BACKEND = "teranga.lib.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    ticket = served()
    call_command("run_worker", "--once", stdout=io.StringIO())
    sent = OutboundSms.objects.get(dedupe_key=f"survey:{ticket.pk}")
    assert sent.status == "sent"
    assert ticket.feedback_code in (tmp_path / "sms.jsonl").read_text()


def test_phone_hashes_are_forgotten_after_the_retention_period(client, served, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    settings.TICKET_PHONE_RETENTION_DAYS = 90
    served()
    services.sms_surveys_invite()
    inbound(client, "4 merci")
    Response.objects.update(received_at=timezone.now() - timedelta(days=91))
    InboundSms.objects.update(received_at=timezone.now() - timedelta(days=91))
    SmsInvitation.objects.update(expires_at=timezone.now() - timedelta(days=91))
    call_command("run_worker", "--once", stdout=io.StringIO())
    assert Response.objects.get().phone_hash == ""
    assert InboundSms.objects.get().phone_hash == "" and InboundSms.objects.get().text == ""
    assert SmsInvitation.objects.get().phone_hash == ""


def test_a_site_code_then_a_message_files_a_complaint(client, desk, settings):
    settings.TERANGA_DEMO, settings.CHANNELS_SECRET = True, ""
    from teranga.cases.models import Case

    text = "DKR la file était trop longue ce matin"
    assert inbound(client, text) == "case"
    assert inbound(client, text) == "case"  # redelivery: one case, one reply
    case = Case.objects.get()
    assert (case.site, case.channel) == (desk["site"], "sms")
    assert "trop longue" in case.message
    assert not OutboundSms.objects.filter(dedupe_key="sms-reply:m1").exists()
    assert OutboundSms.objects.filter(to="+221771234567").count() == 1
    assert Response.objects.count() == 0


def test_sent_messages_lose_number_and_text_after_the_retention_period(served, settings):
    settings.TICKET_PHONE_RETENTION_DAYS = 90
    served()
    services.sms_surveys_invite()
    OutboundSms.objects.update(
        status="sent", sent_at=timezone.now() - timedelta(days=91), next_attempt_at=timezone.now()
    )
    call_command("run_worker", "--once", stdout=io.StringIO())
    message = OutboundSms.objects.get()
    assert (message.to, message.text) == ("", "")
