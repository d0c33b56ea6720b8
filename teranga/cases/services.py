"""Writes of the cases app: file a complaint (web, staff, SMS), open a tracked request,
assign, comment, tag, answer, holding reply, status changes, reassign, escalate, rate,
attachments, the daily escalation and the e-mail outbox.

Every status change is checked against TRANSITIONS and recorded as a CaseEvent (who, when,
from, to). Messages to users and alerts to staff are written to the durable outboxes (SMS,
CaseEmail) in the transaction of the change: a rolled-back change sends nothing, a
committed one is never lost.
"""

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from teranga.cases.alerts import email_enqueue, notify, site_managers, supervisors
from teranga.cases.models import (
    FEEDBACK_KINDS,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseComment,
    CaseEvent,
    CaseSequence,
    Channel,
    Kind,
    Notification,
    Status,
)
from teranga.lib import files
from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.lib.facts import past_day_changed
from teranga.lib.i18n import date_day
from teranga.lib.phones import phone_e164
from teranga.messaging.models import OutboundSms
from teranga.messaging.services import sms_enqueue
from teranga.network.models import Procedure, Role, RoleAssignment, Site
from teranga.network.permissions import Action, user_can
from teranga.network.selectors import working_calendar

MESSAGE_MAX = 5000
TAGS_MAX = 200
# Tracking codes: 8 characters without look-alikes (no 0/O, 1/I/L), about 39 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
STAFF_CHANNELS = (Channel.COUNTER, Channel.LETTER, Channel.EMAIL, Channel.PHONE)
SMS_NAMESPACE = uuid.UUID("6f1d3c1e-3c52-4a7e-9a53-6c0b0f1f7a10")

TRANSITIONS = {
    # Complaints, suggestions, compliments: an answer closes the loop; answered can reopen.
    "feedback": {
        Status.RECEIVED: {Status.IN_PROGRESS, Status.ANSWERED},
        Status.IN_PROGRESS: {Status.ANSWERED},
        Status.ANSWERED: {Status.CLOSED, Status.IN_PROGRESS},
        Status.CLOSED: set(),
    },
    # Tracked requests (dossiers).
    "request": {
        Status.RECEIVED: {Status.IN_PROGRESS, Status.WAITING_USER, Status.READY, Status.REFUSED},
        Status.IN_PROGRESS: {Status.WAITING_USER, Status.READY, Status.REFUSED},
        Status.WAITING_USER: {Status.IN_PROGRESS, Status.READY, Status.REFUSED},
        Status.READY: {Status.HANDED_OVER},
        Status.HANDED_OVER: set(),
        Status.REFUSED: set(),
    },
}


def _family(case: Case) -> str:
    return "request" if case.kind == Kind.REQUEST else "feedback"


def allowed_transitions(case: Case) -> list[str]:
    return sorted(TRANSITIONS[_family(case)].get(case.status, set()))


# --- helpers ------------------------------------------------------------------------------


def can_handle(user, site: Site) -> bool:
    """Agents record and answer cases; managers and regional supervisors handle them too."""
    return user_can(user, Action.SERVE, site) or user_can(user, Action.MANAGE, site)


def _check_handler(user, site: Site) -> None:
    if user is None or not can_handle(user, site):
        raise Forbidden(_("You may not handle the cases of this site."))


def _check_manager(user, site: Site) -> None:
    if user is None or not user_can(user, Action.MANAGE, site):
        raise Forbidden(_("Only the site manager or the region may do this."))


def tracking_code_for(client_id: uuid.UUID) -> str:
    """The tracking code of a case, derived from its client id with the server's key: a
    retry of the same submission gets the same code back though only its digest is kept."""
    digest = salted_hmac("teranga.cases.code", str(client_id)).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def tracking_hash(reference: str, code: str) -> str:
    return salted_hmac("teranga.cases.tracking", f"{reference}:{code.upper()}").hexdigest()


def _phone_normalise(raw: str) -> str:
    number = phone_e164(raw)
    if number is None:
        raise Invalid(_("This phone number is not valid."), field="phone")
    return number


def _contact_check(name: str, phone: str, email: str, consent: bool) -> tuple[str, str, str]:
    name, phone, email = name.strip(), phone.strip(), email.strip()
    if len(name) > 120:
        raise Invalid(_("The name is too long (120 characters at most)."), field="name")
    if (phone or email) and not consent:
        raise Invalid(
            _("A phone number or e-mail is kept only if you agree to be contacted."),
            field="contact_consent",
        )
    if phone:
        phone = _phone_normalise(phone)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(_("This e-mail address is not valid."), field="email") from None
        if len(email) > 254:
            raise Invalid(_("This e-mail address is not valid."), field="email")
    return name, phone, email


def _message_check(message: str, *, required: bool) -> str:
    message = message.strip()
    if required and not message:
        raise Invalid(_("Write your message."), field="message")
    if len(message) > MESSAGE_MAX:
        raise Invalid(
            _("The message is too long (%(max)d characters at most).") % {"max": MESSAGE_MAX}
        )
    return message


def due_days(*, kind: str, channel: str, procedure: Procedure | None = None) -> int:
    """Working days allowed for the answer (or, for a request, the procedure's deadline)."""
    if kind == Kind.REQUEST:
        return procedure.deadline_max_days
    if channel == Channel.EMAIL:
        return settings.CASES_EMAIL_DAYS
    if channel == Channel.LETTER:
        return settings.CASES_LETTER_DAYS
    return settings.CASES_COMPLAINT_DAYS


_NEXT_REFERENCE = f"""
    INSERT INTO {CaseSequence._meta.db_table} (site_id, year, prefix, last) VALUES (%s, %s, %s, 1)
    ON CONFLICT (site_id, year, prefix) DO UPDATE SET last = {CaseSequence._meta.db_table}.last + 1
    RETURNING last
"""


def _reference_take(site: Site, prefix: str, year: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_REFERENCE, [site.pk, year, prefix])
        (number,) = cursor.fetchone()
    return f"{prefix}-{site.code}-{year}-{number:05d}"


def _event(case: Case, type_: str, *, actor=None, to=None, detail=None, now=None) -> None:
    CaseEvent.objects.create(
        case=case,
        type=type_,
        at=now or timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        from_status=case.status if to else "",
        to_status=to or "",
        detail=detail or {},
    )


def _tell_user(case: Case, key: str, text: str, subject: str) -> None:
    """Queue a message to the user by SMS and e-mail, when they consented to contact."""
    if not case.contact_consent:
        return
    if case.phone:
        sms_enqueue(to=case.phone, text=text[:480], dedupe_key=f"case:{case.pk}:{key}")
    if case.email:
        email_enqueue(to=case.email, subject=subject, body=text, dedupe_key=f"case:{case.pk}:{key}")


# --- filing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    case: Case
    tracking_code: str
    created: bool


def _procedure_of(site: Site, code: str | None) -> Procedure | None:
    if not code:
        return None
    procedure = Procedure.objects.filter(code=code, is_active=True, sites=site).first()
    if procedure is None:
        raise Invalid(_("This centre does not offer the procedure %(code)s.") % {"code": code})
    return procedure


def _existing(client_id: uuid.UUID, site: Site) -> Filed | None:
    case = Case.objects.filter(client_id=client_id).select_related("site").first()
    if case is None:
        return None
    if case.site_id != site.pk:
        raise Conflict(_("This client_id was already used at another site."))
    return Filed(case=case, tracking_code=tracking_code_for(client_id), created=False)


def case_file(
    *,
    site: Site,
    kind: str,
    message: str,
    channel: str = Channel.WEB,
    procedure_code: str | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    contact_consent: bool = False,
    client_id: uuid.UUID | None = None,
    language: str = "fr",
    user=None,
) -> Filed:
    """File a complaint, suggestion or compliment, or return the one already filed with this
    client_id. The web form and SMS need no account; other channels are typed in by staff."""
    client_id = client_id or uuid.uuid4()
    existing = _existing(client_id, site)
    if existing is not None:
        return existing
    if kind not in FEEDBACK_KINDS:
        raise Invalid(_("Choose complaint, suggestion or compliment."))
    if channel in STAFF_CHANNELS:
        _check_handler(user, site)
    elif channel not in (Channel.WEB, Channel.SMS):
        raise Invalid(_("Unknown channel."))
    message = _message_check(message, required=True)
    procedure = _procedure_of(site, procedure_code)
    name, phone, email = _contact_check(name, phone, email, contact_consent)
    days = due_days(kind=kind, channel=channel)
    return _create(
        site=site,
        prefix="R",
        kind=kind,
        channel=channel,
        procedure=procedure,
        message=message,
        name=name,
        phone=phone,
        email=email,
        contact_consent=contact_consent and bool(phone or email),
        client_id=client_id,
        language=language,
        user=user,
        days=days,
    )


def request_open(
    *,
    site: Site,
    procedure_code: str,
    agent,
    message: str = "",
    name: str = "",
    phone: str = "",
    email: str = "",
    contact_consent: bool = False,
    client_id: uuid.UUID | None = None,
    language: str = "fr",
) -> Filed:
    """An agent opens a tracked request for a catalogue procedure; it is due the procedure's
    announced maximum deadline in working days after today."""
    _check_handler(agent, site)
    client_id = client_id or uuid.uuid4()
    existing = _existing(client_id, site)
    if existing is not None:
        return existing
    if not procedure_code:
        raise Invalid(_("Choose the procedure of the request."))
    procedure = _procedure_of(site, procedure_code)
    message = _message_check(message, required=False)
    name, phone, email = _contact_check(name, phone, email, contact_consent)
    return _create(
        site=site,
        prefix="D",
        kind=Kind.REQUEST,
        channel=Channel.COUNTER,
        procedure=procedure,
        message=message,
        name=name,
        phone=phone,
        email=email,
        contact_consent=contact_consent and bool(phone or email),
        client_id=client_id,
        language=language,
        user=agent,
        days=due_days(kind=Kind.REQUEST, channel=Channel.COUNTER, procedure=procedure),
    )


def _create(*, site, prefix, days, client_id, user, **fields) -> Filed:
    try:
        with transaction.atomic():
            now = timezone.now()
            today = timezone.localdate(now)
            due = working_calendar().add_working_days(today, days)
            reference = _reference_take(site, prefix, today.year)
            code = tracking_code_for(client_id)
            case = Case.objects.create(
                site=site,
                reference=reference,
                tracking_hash=tracking_hash(reference, code),
                filed_at=now,
                due_on_initial=due,
                due_on=due,
                client_id=client_id,
                **fields,
            )
            _event(case, CaseEvent.Type.FILED, actor=user, now=now, detail={"days": days})
            _acknowledge(case, code)
    except IntegrityError:
        # The same client_id filed concurrently: answer with the first one.
        existing = _existing(client_id, site)
        if existing is None:
            raise
        return existing
    return Filed(case=case, tracking_code=code, created=True)


def _acknowledge(case: Case, code: str) -> None:
    with translation.override(case.language):
        what = Kind(case.kind).label
        text = _(
            "Teranga: your %(kind)s %(reference)s was received by %(site)s. Tracking code: "
            "%(code)s. Answer due by %(due)s."
        ) % {
            "kind": what,
            "reference": case.reference,
            "site": case.site.name,
            "code": code,
            "due": date_day(case.due_on),
        }
        if settings.CASES_TRACKING_URL:
            text += " " + settings.CASES_TRACKING_URL
        subject = _("Received: %(reference)s") % {"reference": case.reference}
    _tell_user(case, "ack", text, subject)


# --- SMS ----------------------------------------------------------------------------------

SMS_KINDS = {
    "PLAINTE": Kind.COMPLAINT,
    "RECLAMATION": Kind.COMPLAINT,
    "RÉCLAMATION": Kind.COMPLAINT,
    "COMPLAINT": Kind.COMPLAINT,
    "SUGGESTION": Kind.SUGGESTION,
    "IDEE": Kind.SUGGESTION,
    "IDÉE": Kind.SUGGESTION,
    "MERCI": Kind.COMPLIMENT,
    "BRAVO": Kind.COMPLIMENT,
    "JEREJEF": Kind.COMPLIMENT,
}


@dataclass(frozen=True)
class SmsIntake:
    case: Case | None
    created: bool
    reply: str


def complaint_from_sms(*, phone: str, text: str, message_id: str) -> SmsIntake:
    """File a case from an inbound SMS `<SITE> [PLAINTE|SUGGESTION|MERCI] <message>` and queue
    the reply (reference and tracking code, or how to write the SMS). Idempotent on the
    aggregator's message id: a redelivered SMS files nothing new and queues no new reply.

    The sender wrote to us: the reply goes to their number, kept as consented contact.
    `reply` is the text queued: the caller (the inbound SMS callback) sends nothing itself."""
    if not message_id:
        raise Invalid(_("An inbound SMS needs the aggregator's message id."))
    phone = _phone_normalise(phone)
    client_id = uuid.uuid5(SMS_NAMESPACE, message_id)
    words = text.strip().split(maxsplit=1)
    site = Site.objects.filter(code=words[0].upper()).first() if words else None
    body = words[1] if len(words) > 1 else ""
    kind = Kind.COMPLAINT
    if body:
        first, _sep, rest = body.partition(" ")
        keyword = SMS_KINDS.get(first.strip(":,.").upper())
        if keyword is not None:
            kind, body = keyword, rest
    if site is None or not body.strip():
        reply = _(
            "Teranga: to send a complaint or suggestion, write the code of the centre then "
            "your message, e.g. DKR the queue was too long."
        )
        sms_enqueue(to=phone, text=reply, dedupe_key=f"case-sms:{message_id}"[:80])
        return SmsIntake(case=None, created=False, reply=reply)
    filed = case_file(
        site=site,
        kind=kind,
        message=body[:MESSAGE_MAX],
        channel=Channel.SMS,
        phone=phone,
        contact_consent=True,
        client_id=client_id,
    )
    case = filed.case
    # The acknowledgement (reference, tracking code, due date) was queued with the case.
    ack = OutboundSms.objects.filter(dedupe_key=f"case:{case.pk}:ack").first()
    reply = ack.text if ack is not None else ""
    return SmsIntake(case=case, created=filed.created, reply=reply)


# --- handling -----------------------------------------------------------------------------


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("site__department")
        .get(pk=case.pk)
    )


def _move(case: Case, to: str, *, actor, fields: list[str], detail=None, now=None) -> None:
    if to not in TRANSITIONS[_family(case)].get(case.status, set()):
        raise Conflict(
            _("%(reference)s is %(status)s: it cannot become %(to)s.")
            % {
                "reference": case.reference,
                "status": case.get_status_display(),
                "to": Status(to).label,
            }
        )
    _event(case, CaseEvent.Type.STATUS, actor=actor, to=to, detail=detail, now=now)
    case.status = to
    case.is_open = to in OPEN_STATUSES
    case.save(update_fields=["status", "is_open", *fields])


def _mark_first_reply(case: Case, now) -> list[str]:
    if case.first_reply_at is not None:
        return []
    case.first_reply_at = now
    case.first_reply_on_time = timezone.localdate(now) <= case.due_on_initial
    return ["first_reply_at", "first_reply_on_time"]


def _mark_resolved(case: Case, now) -> list[str]:
    case.resolved_at = now
    case.resolved_on_time = timezone.localdate(now) <= case.due_on
    return ["resolved_at", "resolved_on_time"]


@transaction.atomic
def case_assign(*, case: Case, actor, assignee) -> Case:
    """Give the case to an agent of its site. Agents may take a case themselves; giving it to
    someone else is the manager's."""
    case = _locked(case)
    _check_handler(actor, case.site)
    if assignee is None or not can_handle(assignee, case.site):
        raise Invalid(_("Choose a staff member of this site."))
    if assignee.pk != actor.pk:
        _check_manager(actor, case.site)
    if not case.is_open:
        raise Conflict(_("This case is no longer open."))
    _event(case, CaseEvent.Type.ASSIGNED, actor=actor, detail={"to": assignee.get_username()})
    case.assignee = assignee
    fields = ["assignee"]
    if case.status == Status.RECEIVED:
        _move(case, Status.IN_PROGRESS, actor=actor, fields=fields)
    else:
        case.save(update_fields=fields)
    if assignee.pk != actor.pk:
        notify(case, [assignee], Notification.Type.ASSIGNED)
    return case


@transaction.atomic
def case_comment(*, case: Case, actor, text: str) -> CaseComment:
    _check_handler(actor, case.site)
    text = text.strip()
    if not text:
        raise Invalid(_("Write the comment."))
    if len(text) > MESSAGE_MAX:
        raise Invalid(
            _("The message is too long (%(max)d characters at most).") % {"max": MESSAGE_MAX}
        )
    return CaseComment.objects.create(case=case, author=actor, text=text, at=timezone.now())


@transaction.atomic
def case_tags_set(*, case: Case, actor, tags: str) -> Case:
    case = _locked(case)
    _check_handler(actor, case.site)
    cleaned = ",".join(dict.fromkeys(t.strip().lower()[:30] for t in tags.split(",") if t.strip()))
    if len(cleaned) > TAGS_MAX:
        raise Invalid(_("Too many tags."))
    _event(case, CaseEvent.Type.TAGGED, actor=actor, detail={"from": case.tags, "to": cleaned})
    case.tags = cleaned
    case.save(update_fields=["tags"])
    return case


def signature(user, site: Site, language: str) -> str:
    """The agent's name and service, as a Marianne answer must give them."""
    with translation.override(language):
        if RoleAssignment.objects.filter(user=user, role=Role.SITE_MANAGER, site=site).exists():
            role = _("Site manager")
        elif user_can(user, Action.SERVE, site):
            role = _("Agent")
        else:
            role = _("Regional supervisor")
        return f"{user.get_full_name() or user.get_username()}\n{role}, {site.name}"


def _answer_text(case: Case, actor, text: str) -> str:
    text = _message_check(text, required=True)
    return f"{text}\n\n— {signature(actor, case.site, case.language)}"


@transaction.atomic
def case_answer(*, case: Case, actor, text: str) -> Case:
    """Save the public answer, signed, then tell the user it is there (the answer is saved
    in the same transaction as the messages that announce it)."""
    case = _locked(case)
    _check_handler(actor, case.site)
    if case.kind == Kind.REQUEST:
        raise Conflict(_("A tracked request is completed by its status, not answered."))
    now = timezone.now()
    case.public_answer = _answer_text(case, actor, text)
    case.answered_by = actor
    fields = ["public_answer", "answered_by", *_mark_first_reply(case, now)]
    fields += _mark_resolved(case, now)
    _event(case, CaseEvent.Type.ANSWERED, actor=actor, now=now)
    _move(case, Status.ANSWERED, actor=actor, fields=fields, now=now)
    with translation.override(case.language):
        message = _(
            "Teranga: an answer to %(reference)s is ready. Read it with your tracking code."
        ) % {"reference": case.reference}
        if settings.CASES_TRACKING_URL:
            message += " " + settings.CASES_TRACKING_URL
        subject = _("Answer: %(reference)s") % {"reference": case.reference}
    _tell_user(case, "answer", message + "\n\n" + case.public_answer, subject)
    return case


@transaction.atomic
def case_holding_reply(*, case: Case, actor, new_due_on: date, text: str) -> Case:
    """The answer cannot be given in time: tell the user why and by when (a Marianne rule)."""
    case = _locked(case)
    _check_handler(actor, case.site)
    if not case.is_open:
        raise Conflict(_("This case is no longer open."))
    if new_due_on <= case.due_on:
        raise Invalid(_("The new date must be later than the current due date."))
    if not working_calendar().is_working_day(new_due_on):
        raise Invalid(_("The new date must be a working day."))
    now = timezone.now()
    body = _answer_text(case, actor, text)
    _event(
        case,
        CaseEvent.Type.HOLDING,
        actor=actor,
        now=now,
        detail={"from": case.due_on.isoformat(), "to": new_due_on.isoformat(), "text": body},
    )
    past_day_changed(site_id=case.site_id, day=case.due_on)  # no longer due that day
    case.due_on = new_due_on
    case.public_answer = body
    case.escalation_level = 0
    fields = ["due_on", "public_answer", "escalation_level", *_mark_first_reply(case, now)]
    if case.status == Status.RECEIVED:
        _move(case, Status.IN_PROGRESS, actor=actor, fields=fields, now=now)
    else:
        case.save(update_fields=fields)
    with translation.override(case.language):
        message = _("Teranga: %(reference)s will be answered by %(due)s.") % {
            "reference": case.reference,
            "due": date_day(new_due_on),
        }
        subject = _("New date: %(reference)s") % {"reference": case.reference}
    _tell_user(case, f"holding:{new_due_on.isoformat()}", message + "\n\n" + body, subject)
    return case


@transaction.atomic
def case_status_set(*, case: Case, actor, to: str, reason: str = "") -> Case:
    """Move a case along its workflow (a request: in progress, waiting for the user, ready,
    handed over, refused with a reason; a complaint: reopen or close once answered)."""
    case = _locked(case)
    _check_handler(actor, case.site)
    if to not in Status.values:
        raise Invalid(_("Unknown status."))
    if to == Status.ANSWERED:
        raise Invalid(_("Write the answer to mark the case answered."))
    reason = reason.strip()
    fields: list[str] = []
    now = timezone.now()
    if to == Status.REFUSED:
        if not reason:
            raise Invalid(_("Give the reason for the refusal."))
        if len(reason) > 300:
            raise Invalid(_("The reason is too long (300 characters at most)."))
        case.refusal_reason = reason
        fields.append("refusal_reason")
    if to in (Status.READY, Status.REFUSED) and case.status in OPEN_STATUSES:
        fields += _mark_first_reply(case, now) + _mark_resolved(case, now)
    _move(
        case, to, actor=actor, fields=fields, now=now, detail={"reason": reason} if reason else None
    )
    if to == Status.READY:
        with translation.override(case.language):
            message = _(
                "Teranga: your file %(reference)s is ready at %(site)s. Come with your receipt."
            ) % {"reference": case.reference, "site": case.site.name}
            subject = _("Ready: %(reference)s") % {"reference": case.reference}
        _tell_user(case, "ready", message, subject)
    return case


@transaction.atomic
def case_reassign(*, case: Case, actor, site: Site) -> Case:
    """Send the case to the site that can handle it. The reference and the due date stay."""
    case = _locked(case)
    _check_manager(actor, case.site)
    if site.pk == case.site_id:
        raise Invalid(_("Choose another site."))
    if not case.is_open:
        raise Conflict(_("This case is no longer open."))
    _event(
        case,
        CaseEvent.Type.REASSIGNED,
        actor=actor,
        detail={"from": case.site.code, "to": site.code},
    )
    case.site, case.assignee = site, None
    case.save(update_fields=["site", "assignee"])
    managers = site_managers(site)
    notify(case, managers, Notification.Type.ASSIGNED)
    return case


@transaction.atomic
def case_escalate(*, case: Case, actor, note: str = "") -> Case:
    """Ask the region for help: its supervisors are notified at once."""
    case = _locked(case)
    _check_manager(actor, case.site)
    if case.escalated_to_region:
        return case
    _event(case, CaseEvent.Type.ESCALATED, actor=actor, detail={"note": note.strip()[:300]})
    case.escalated_to_region = True
    case.save(update_fields=["escalated_to_region"])
    notify(case, supervisors(case.site), Notification.Type.ESCALATED)
    return case


def case_rate(*, case: Case, rating: int) -> Case:
    """The user's one-question rating of the answer (1 to 5), once."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.ANSWERED, Status.CLOSED) or not case.public_answer:
            raise Conflict(_("You can rate the answer once it is given."))
        if case.rating is not None:
            raise Conflict(_("You have already rated this answer. Thank you."))
        if rating not in range(1, 6):
            raise Invalid(_("Choose a rating from 1 to 5."))
        _event(case, CaseEvent.Type.RATED, detail={"rating": rating})
        case.rating = rating
        case.save(update_fields=["rating"])
    return case


# --- attachments --------------------------------------------------------------------------

# Scanned letters and photos.
ATTACHMENT_TYPES = frozenset({files.PDF, files.PNG, files.JPEG})


@transaction.atomic
def attachment_add(*, case: Case, actor, upload) -> CaseAttachment:
    _check_handler(actor, case.site)
    if upload.size > settings.CASES_ATTACHMENT_MAX_BYTES:
        raise Invalid(
            _("The file is too large (%(max)d MB at most).")
            % {"max": settings.CASES_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    content_type = files.sniff(upload, ATTACHMENT_TYPES)
    if content_type is None:
        raise Invalid(_("Only PDF, JPEG and PNG files are accepted."))
    attachment = CaseAttachment(
        case=case,
        token=secrets.token_hex(16),
        name=(upload.name or "file")[-120:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(attachment.token, upload, save=False)
    # The file is written before its row: if the row fails, the file goes too.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def case_contacts_purge(*, older_than: timedelta) -> int:
    """Erase the name, phone and e-mail of cases closed longer ago than the retention period
    (personal data are kept no longer than their purpose needs)."""
    cutoff = timezone.now() - older_than
    return (
        Case.objects.filter(is_open=False, resolved_at__lt=cutoff)
        .exclude(name="", phone="", email="")
        .update(name="", phone="", email="", contact_consent=False)
    )


def track_check(case: Case | None, code: str) -> bool:
    """Constant-time check of a tracking code; an unknown reference costs the same."""
    expected = case.tracking_hash if case is not None else "0" * 64
    reference = case.reference if case is not None else "-"
    return hmac.compare_digest(expected, tracking_hash(reference, code)) and case is not None
