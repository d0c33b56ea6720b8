"""SMS backends behind one interface. The backend is chosen by settings.SMS_BACKEND.

A backend's send() returns the gateway's message id, or raises SmsError: the outbox then keeps
the message and tries again later, so a gateway outage delays a message and never loses it.
"""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("teranga.sms")


class SmsError(Exception):
    """The gateway did not take the message; try again later."""


class ConsoleBackend:
    """Development: writes each message to the log."""

    def send(self, to: str, text: str) -> str:
        log.info("SMS to %s: %s", to, text)
        return "console"


class FileBackend:
    """Demo and tests: appends each message as a JSON line to settings.SMS_FILE_PATH."""

    def send(self, to: str, text: str) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {"to": to, "text": text, "at": datetime.now(UTC).isoformat()},
                    ensure_ascii=False,
                )
                + "\n"
            )
        return "file"


class AfricasTalkingBackend:
    """Production: Africa's Talking SDK (pip install africastalking)."""

    def __init__(self):
        import africastalking  # optional dependency, only on servers that send for real

        africastalking.initialize(settings.AFRICASTALKING_USERNAME, settings.AFRICASTALKING_API_KEY)
        self.sms = africastalking.SMS

    def send(self, to: str, text: str) -> str:
        try:
            response = self.sms.send(text, [to], sender_id=settings.SMS_SENDER_ID or None)
            recipient = response["SMSMessageData"]["Recipients"][0]
        except Exception as exc:  # network errors, gateway errors: all retried later
            raise SmsError(str(exc)) from exc
        if recipient.get("status") not in ("Success", "Sent"):
            raise SmsError(f"gateway status {recipient.get('status')}")
        return recipient.get("messageId", "")


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
