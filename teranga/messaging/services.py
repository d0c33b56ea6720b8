from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teranga.lib.sms import SmsError, sms_backend
from teranga.messaging.models import OutboundSms

MAX_BACKOFF = timedelta(minutes=30)


def sms_enqueue(*, to: str, text: str, dedupe_key: str) -> OutboundSms:
    """Queue an SMS once per key (a second call with the same key changes nothing). Call it
    inside the transaction of the change that causes it."""
    message, _ = OutboundSms.objects.get_or_create(
        dedupe_key=dedupe_key, defaults={"to": to, "text": text, "next_attempt_at": timezone.now()}
    )
    return message


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), MAX_BACKOFF)


LEASE = timedelta(minutes=2)


def _claim() -> OutboundSms | None:
    """Take the next due message for LEASE in a short transaction: the gateway call happens
    outside any transaction, so a slow gateway never holds the database's write lock."""
    with transaction.atomic():
        message = (
            OutboundSms.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundSms.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at")
            .first()
        )
        if message is not None:
            message.attempts += 1
            message.next_attempt_at = timezone.now() + LEASE
            message.save(update_fields=["attempts", "next_attempt_at"])
        return message


def sms_send_due(*, limit: int = 50) -> dict[str, int]:
    """Send the messages that are due. A failure keeps the message pending with a later
    attempt; a worker that dies mid-send leaves it to be sent again when its lease ends
    (at least once, never lost)."""
    backend = sms_backend()
    counts = {"sent": 0, "failed": 0}
    for _ in range(limit):
        message = _claim()
        if message is None:
            break
        try:
            gateway_id = backend.send(message.to, message.text)
        except SmsError as exc:
            OutboundSms.objects.filter(pk=message.pk).update(
                last_error=str(exc)[:300],
                next_attempt_at=timezone.now() + _backoff(message.attempts),
            )
            counts["failed"] += 1
            continue
        OutboundSms.objects.filter(pk=message.pk).update(
            status=OutboundSms.Status.SENT, sent_at=timezone.now(), gateway_id=gateway_id[:80]
        )
        counts["sent"] += 1
    return counts


@transaction.atomic
def sms_forget_numbers(*, older_than: timedelta) -> int:
    """Blank the phone number and the text of messages sent longer ago than `older_than`
    (retention): a text may carry a tracking or feedback code that names a person's case."""
    cutoff = timezone.now() - older_than
    return (
        OutboundSms.objects.filter(status=OutboundSms.Status.SENT, sent_at__lt=cutoff)
        .exclude(to="")
        .update(to="", text="")
    )
