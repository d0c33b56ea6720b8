import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from teranga.cases.alerts import case_emails_send_due, cases_escalate
from teranga.cases.services import case_contacts_purge
from teranga.indicators.services import rollups_refresh
from teranga.listening.services import phone_traces_forget, sms_surveys_invite
from teranga.messaging.services import sms_forget_numbers, sms_send_due
from teranga.quality.audits import label_reminders_send
from teranga.reception.services import ticket_phones_purge, tickets_expire_past_days

PURGE_EVERY = timedelta(hours=1)
ROLLUPS_EVERY = timedelta(minutes=1)
SLICES_EVERY = timedelta(minutes=15)


class Command(BaseCommand):
    help = (
        "Background worker: invites served users to rate their visit by SMS, sends the SMS "
        "that are due from the outbox, closes the tickets left from past days, sends the "
        "cases' e-mails, runs the cases' escalation and the label reminders once a day, "
        "brings the indicators up to date every minute (their slices every 15 minutes) and, "
        "every hour, erases phone numbers and contacts past their retention period. --once "
        "runs one round."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    def handle(self, *args, once, interval, **options):
        last_purge = last_rollup = last_slices = None
        last_escalation = None
        while True:
            invited = sms_surveys_invite()
            if invited:
                self.stdout.write(f"rating invitations queued: {invited}")
            counts = sms_send_due()
            mails = case_emails_send_due()
            if mails["sent"] or mails["failed"]:
                self.stdout.write(f"e-mails sent={mails['sent']} failed={mails['failed']}")
            # Once a day (and at start): each alert is given once, so a restart is harmless.
            if last_escalation != timezone.localdate():
                alerts = cases_escalate()
                if any(alerts.values()):
                    self.stdout.write(f"case alerts: {alerts}")
                reminders = label_reminders_send()
                if reminders:
                    self.stdout.write(f"label reminders: {reminders}")
                last_escalation = timezone.localdate()
            expired = tickets_expire_past_days()
            if expired:
                self.stdout.write(f"tickets of past days closed: {expired}")
            if counts["sent"] or counts["failed"]:
                self.stdout.write(f"sms sent={counts['sent']} failed={counts['failed']}")
            # The indicators: today and yesterday, and the past days marked stale.
            # The month's slices (procedures, channels, hours) are recomputed less often.
            if last_rollup is None or time.monotonic() - last_rollup > ROLLUPS_EVERY.seconds:
                slices = (
                    last_slices is None or time.monotonic() - last_slices > SLICES_EVERY.seconds
                )
                rollups_refresh(slices=slices)
                last_rollup = time.monotonic()
                if slices:
                    last_slices = last_rollup
            if last_purge is None or time.monotonic() - last_purge > PURGE_EVERY.total_seconds():
                retention = timedelta(days=settings.TICKET_PHONE_RETENTION_DAYS)
                tickets = ticket_phones_purge(older_than=retention)
                sms = sms_forget_numbers(older_than=retention)
                ratings = phone_traces_forget(older_than=retention)
                cases = case_contacts_purge(
                    older_than=timedelta(days=settings.CASES_CONTACT_RETENTION_DAYS)
                )
                if tickets or sms or ratings or cases:
                    self.stdout.write(
                        f"purged phone numbers: tickets={tickets} sms={sms} "
                        f"ratings={ratings} cases={cases}"
                    )
                last_purge = time.monotonic()
            if once:
                return
            close_old_connections()
            time.sleep(interval)
