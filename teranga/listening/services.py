"""Writes of the listening app: ratings from every channel, the SMS survey, moderation."""

import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.cases.services import complaint_from_sms
from teranga.lib.errors import Conflict, Forbidden, Invalid, Limited, ServiceError
from teranga.lib.facts import past_day_changed
from teranga.lib.masking import mask_personal
from teranga.listening.models import Channel, InboundSms, Response, SmsInvitation
from teranga.messaging.services import sms_enqueue
from teranga.network.models import Counter, Device, Site, User
from teranga.network.services import audit_record
from teranga.reception.models import Ticket

COMMENT_MAX = 1000
# A device clock may run a little fast; beyond this an answer "from the future" is refused.
CLOCK_SKEW = timedelta(minutes=10)
# Namespace of the client ids derived from an aggregator's session or message id.
AGGREGATOR_NS = uuid.UUID("6f1c1d1e-5b0a-4c55-9d5e-7e3a0b1c2d3e")


def phone_digest(number: str) -> str:
    """A keyed hash of a phone number: enough to recognise a caller, useless if leaked."""
    return salted_hmac("teranga.listening.phone", number).hexdigest()


def client_id_for(kind: str, external_id: str) -> uuid.UUID:
    """The client id of an aggregator's session or message: the same on every redelivery."""
    return uuid.uuid5(AGGREGATOR_NS, f"{kind}:{external_id}")


def ticket_by_feedback_code(code: str) -> Ticket | None:
    """The most recent ticket carrying this code, within the days a code stays valid."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6,8}", code):
        return None
    since = timezone.localdate() - timedelta(days=settings.FEEDBACK_CODE_VALID_DAYS)
    return (
        Ticket.objects.select_related("site")
        .filter(feedback_code=code, day__gte=since)
        .order_by("-day")
        .first()
    )


NOT_SERVED = gettext_lazy("You can rate this visit once you have been served.")


def ticket_served(ticket: Ticket) -> bool:
    """A visit is rated once its user has been served, never while still in the queue."""
    return ticket.status == Ticket.Status.FINISHED


def ticket_rated(ticket: Ticket, *, except_client_id: uuid.UUID | None = None) -> bool:
    rated = Response.objects.filter(ticket=ticket)
    if except_client_id is not None:
        rated = rated.exclude(client_id=except_client_id)
    return rated.exists()


def _staff_names(site: Site) -> list[str]:
    names = User.objects.filter(roles__site=site).values_list("first_name", "last_name")
    return [part for pair in names for part in pair if part]


def _check_answered_at(answered_at: datetime | None) -> datetime:
    now = timezone.now()
    if answered_at is None:
        return now
    if timezone.is_naive(answered_at):
        raise Invalid(_("answered_at must carry its time zone, e.g. 2026-11-30T09:15:00Z."))
    if answered_at > now + CLOCK_SKEW:
        raise Invalid(_("answered_at is in the future: check the device's clock."))
    if answered_at < now - timedelta(days=settings.FEEDBACK_MAX_AGE_DAYS):
        raise Invalid(_("answered_at is too old to be accepted."))
    return answered_at


def _check_tablet_pace(device: Device, answered_at: datetime) -> None:
    """A tablet pressed again within the minimum interval is button mashing, not a user."""
    gap = timedelta(seconds=settings.FEEDBACK_TABLET_MIN_INTERVAL_SECONDS)
    if Response.objects.filter(
        device=device, answered_at__gt=answered_at - gap, answered_at__lt=answered_at + gap
    ).exists():
        raise Conflict(_("Too soon after the previous rating on this tablet."))


def response_record(
    *,
    site: Site,
    channel: str,
    rating: int,
    client_id: uuid.UUID,
    answered_at: datetime | None = None,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    device: Device | None = None,
    wait_ok: bool | None = None,
    courteous: bool | None = None,
    resolved: bool | None = None,
    comment: str = "",
    language: str = "fr",
    phone_hash: str = "",
) -> tuple[Response, bool]:
    """Record one rating, or return the one already recorded for this client_id (False)."""
    # order_by(): a unique lookup needs no ORDER BY (first() would add one).
    existing = Response.objects.filter(client_id=client_id).order_by().first()
    if existing is not None:
        if existing.site_id != site.pk:
            raise Conflict(_("This client_id was already used for another site."))
        return existing, False
    if (
        phone_hash
        and Response.objects.filter(phone_hash=phone_hash, day=timezone.localdate())
        .exclude(phone_hash="")  # the partial index's condition, word for word
        .count()
        >= settings.FEEDBACK_PHONE_MAX_PER_DAY
    ):
        raise Limited(_("Too many ratings from this phone today. Thank you, come back tomorrow!"))
    if channel not in Channel.values:
        raise Invalid(_("Unknown channel."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("The rating must be a whole number from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid(
            _("The comment is too long (%(max)d characters at most).") % {"max": COMMENT_MAX}
        )
    answered_at = _check_answered_at(answered_at)
    if device is not None:
        if device.site_id != site.pk or device.kind != Device.Kind.TABLET:
            raise Forbidden(_("This device may not record ratings at this site."))
        _check_tablet_pace(device, answered_at)
    if counter is not None and counter.site_id != site.pk:
        raise Invalid(_("This counter is not at this site."))
    procedure = agent = None
    if ticket is not None:
        if ticket.site_id != site.pk:
            raise Invalid(_("This ticket was not issued at this site."))
        if not ticket_served(ticket):
            raise Conflict(str(NOT_SERVED))
        if ticket_rated(ticket):
            raise Conflict(_("This visit has already been rated. Thank you!"))
        procedure, agent = ticket.procedure, ticket.agent
        counter = counter or ticket.counter
    response = Response(
        site=site,
        channel=channel,
        ticket=ticket,
        procedure=procedure,
        counter=counter,
        agent=agent,
        device=device,
        rating=rating,
        wait_ok=wait_ok,
        courteous=courteous,
        resolved=resolved,
        comment=comment,
        comment_masked=mask_personal(comment, names=_staff_names(site)) if comment else "",
        language=language if language in ("fr", "wo", "en") else "fr",
        answered_at=answered_at,
        day=timezone.localdate(answered_at),
        phone_hash=phone_hash,
        client_id=client_id,
    )
    try:
        with transaction.atomic():
            response.save()
            past_day_changed(site_id=site.pk, day=response.day)  # an offline queue, days late
    except IntegrityError:
        # A concurrent delivery of the same client_id won, or the ticket was rated meanwhile.
        existing = Response.objects.filter(client_id=client_id).first()
        if existing is not None and existing.site_id == site.pk:
            return existing, False
        raise Conflict(_("This visit has already been rated. Thank you!")) from None
    return response, True


@transaction.atomic
def response_moderate(*, response: Response, actor, decision: str, masked: str | None = None):
    """Publish (possibly after editing the masked text) or hide a comment."""
    if decision not in Response.Moderation.values:
        raise Invalid(_("Unknown moderation decision."))
    before = {"moderation": response.moderation, "comment_masked": response.comment_masked}
    response.moderation = decision
    if masked is not None:
        # What a moderator writes is masked again: a slip never reaches the public.
        response.comment_masked = mask_personal(masked.strip(), names=_staff_names(response.site))
    response.save(update_fields=["moderation", "comment_masked"])
    audit_record(
        actor=actor,
        action="change",
        instance=response,
        changes={
            key: [value, getattr(response, key)]
            for key, value in before.items()
            if value != getattr(response, key)
        },
    )
    return response


# --- the SMS survey ----------------------------------------------------------------------


def _invitation_text(ticket: Ticket) -> str:
    with translation.override(ticket.language or "fr"):
        return _(
            "Espace Sénégal Services %(site)s: how was your visit? Reply to this SMS with a "
            "number from 1 (very unhappy) to 5 (very happy). Code %(code)s."
        ) % {"site": ticket.site.name, "code": ticket.feedback_code}


@transaction.atomic
def sms_surveys_invite(*, now: datetime | None = None) -> int:
    """Invite once, by SMS, each user served in the last hours who consented and gave a
    number, and who has not rated the visit yet."""
    now = now or timezone.now()
    window = timedelta(hours=2)
    tickets = (
        Ticket.objects.select_related("site")
        .filter(
            status=Ticket.Status.FINISHED,
            finished_at__gte=now - window,
            finished_at__lte=now,
            sms_consent=True,
        )
        .exclude(phone="")
        .exclude(pk__in=SmsInvitation.objects.values("ticket_id"))
        .exclude(pk__in=Response.objects.filter(ticket__isnull=False).values("ticket_id"))
    )
    count = 0
    for ticket in tickets:
        SmsInvitation.objects.create(
            ticket=ticket,
            phone_hash=phone_digest(ticket.phone),
            sent_at=now,
            expires_at=now + timedelta(hours=settings.SMS_SURVEY_REPLY_HOURS),
        )
        sms_enqueue(
            to=ticket.phone, text=_invitation_text(ticket), dedupe_key=f"survey:{ticket.pk}"
        )
        count += 1
    return count


_CODE_AND_RATING = re.compile(r"^\s*(\d{6,8})\s*[,.;:*#-]?\s*([1-5])(?:\D(.*))?$", re.DOTALL)
_SITE_FIRST = re.compile(r"^\s*[A-Za-z]{3}\b")
_RATING = re.compile(r"^\s*([1-5])(?:\s*[,.;:-]?\s+(.*))?$", re.DOTALL)


def _reply(to: str, key: str, text: str, language: str) -> None:
    if to:
        with translation.override(language):
            sms_enqueue(to=to, text=str(text), dedupe_key=key)


def sms_inbound(*, message_id: str, sender: str, text: str) -> InboundSms:
    """Record an inbound SMS once (by the aggregator's id) and what it carries: a rating,
    either `<feedback code> <rating> [comment]` or a bare `<rating> [comment]` answering the
    sender's latest invitation; or a complaint or suggestion `<site code> <message>`, filed by
    the cases app (which answers it). The sender gets a short acknowledgement or help."""
    done = InboundSms.objects.filter(message_id=message_id).first()
    if done is not None:
        return done
    text = (text or "").strip()[:480]
    digest = phone_digest(sender)
    outcome, response, ticket, language = InboundSms.Outcome.INVALID, None, None, "fr"
    comment = ""
    rating = None
    if match := _CODE_AND_RATING.match(text):
        ticket = ticket_by_feedback_code(match.group(1))
        rating, comment = int(match.group(2)), (match.group(3) or "")
        outcome = InboundSms.Outcome.UNMATCHED if ticket is None else outcome
    elif match := _RATING.match(text):
        rating, comment = int(match.group(1)), (match.group(2) or "")
        invitation = (
            SmsInvitation.objects.select_related("ticket__site")
            .filter(phone_hash=digest, expires_at__gt=timezone.now(), response__isnull=True)
            .order_by("-sent_at")
            .first()
        )
        ticket = invitation.ticket if invitation else None
        outcome = InboundSms.Outcome.UNMATCHED if ticket is None else outcome
    is_case = bool(_SITE_FIRST.match(text)) and (
        Site.objects.filter(code=text.split()[0].upper()).exists()
    )
    with transaction.atomic():
        if is_case:
            try:
                with transaction.atomic():
                    complaint_from_sms(phone=sender, text=text, message_id=message_id)
                outcome = InboundSms.Outcome.CASE
            except ServiceError:
                pass  # an invalid sender number: answered with the help below, if possible
        if ticket is not None and not ticket_served(ticket):
            # a code read from a ticket still in the queue: nothing to rate yet
            ticket, outcome = None, InboundSms.Outcome.UNMATCHED
        if ticket is not None:
            language = ticket.language or "fr"
            try:
                response, _created = response_record(
                    site=ticket.site,
                    channel=Channel.SMS,
                    rating=rating,
                    client_id=client_id_for("sms", message_id),
                    ticket=ticket,
                    comment=comment[:COMMENT_MAX],
                    language=language,
                    phone_hash=digest,
                )
                outcome = InboundSms.Outcome.RECORDED
                SmsInvitation.objects.filter(ticket=ticket, response__isnull=True).update(
                    response=response
                )
            except Conflict:
                outcome = InboundSms.Outcome.DUPLICATE
            except Limited:
                outcome = InboundSms.Outcome.LIMITED
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    message_id=message_id,
                    phone_hash=digest,
                    text=text,
                    outcome=outcome,
                    response=response,
                )
        except IntegrityError:
            # Two deliveries at once: the other one recorded it.
            return InboundSms.objects.get(message_id=message_id)
        answers = {
            InboundSms.Outcome.RECORDED: _("Thank you for your rating! Espaces Sénégal Services."),
            InboundSms.Outcome.DUPLICATE: _("This visit has already been rated. Thank you!"),
            InboundSms.Outcome.LIMITED: _(
                "Too many ratings from this phone today. Thank you, come back tomorrow!"
            ),
            InboundSms.Outcome.UNMATCHED: _(
                "We found no visit to rate. Send the code printed on your ticket and a "
                "number from 1 to 5, e.g. 12345678 4."
            ),
            InboundSms.Outcome.INVALID: _(
                "Not understood. Send a number from 1 (very unhappy) to 5 (very happy), or the "
                "code of your ticket and the number, e.g. 12345678 4."
            ),
        }
        if outcome != InboundSms.Outcome.CASE:  # the cases app answered it
            _reply(sender, f"sms-reply:{message_id}", answers[outcome], language)
    return inbound


@transaction.atomic
def phone_traces_forget(*, older_than: timedelta) -> int:
    """Blank the phone hashes (and inbound texts) past the retention period: they serve
    rate limits and de-duplication only, which never look that far back."""
    cutoff = timezone.now() - older_than
    count = (
        Response.objects.filter(received_at__lt=cutoff).exclude(phone_hash="").update(phone_hash="")
    )
    count += (
        SmsInvitation.objects.filter(expires_at__lt=cutoff)
        .exclude(phone_hash="")
        .update(phone_hash="")
    )
    count += (
        InboundSms.objects.filter(received_at__lt=cutoff)
        .exclude(phone_hash="")
        .update(phone_hash="", text="")
    )
    return count
