"""Alerts of the cases app: in-app notifications to staff, the daily escalation of cases due
soon or late, and the durable outbox of e-mails (to users and to staff)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teranga.cases.models import OPEN_STATUSES, Case, CaseEmail, CaseEvent, Notification
from teranga.network.models import Role, RoleAssignment, Site
from teranga.network.selectors import working_calendar

# --- notifications and escalation ---------------------------------------------------------


def site_managers(site: Site) -> list:
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.SITE_MANAGER, site=site, user__is_active=True
        ).select_related("user")
    ]


def supervisors(site: Site) -> list:
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.REGIONAL_SUPERVISOR, region_id=site.department.region_id, user__is_active=True
        ).select_related("user")
    ]


def notify(case: Case, users, type_: str, now=None) -> int:
    """One in-app notification per user (once per case and type), e-mailed through the outbox."""
    now = now or timezone.now()
    created = 0
    for user in {u.pk: u for u in users}.values():
        _note, fresh = Notification.objects.get_or_create(
            case=case, user=user, type=type_, defaults={"created_at": now}
        )
        if not fresh:
            continue
        created += 1
        if user.email:
            label = Notification.Type(type_).label
            email_enqueue(
                to=user.email,
                subject=f"Teranga · {case.reference} · {label}",
                body=_("%(reference)s (%(site)s): %(what)s. Due date: %(due)s.")
                % {
                    "reference": case.reference,
                    "site": case.site.code,
                    "what": label,
                    "due": case.due_on.isoformat(),
                },
                dedupe_key=f"notify:{case.pk}:{user.pk}:{type_}",
            )
    return created


@transaction.atomic
def cases_escalate(*, today: date | None = None) -> dict[str, int]:
    """The daily job: warn the assignee when a case is due soon, the site manager once it is
    late, the regional supervisor when it stays late. Each alert is given once, so running
    the job twice a day changes nothing."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    soon = calendar.add_working_days(today, settings.CASES_DUE_SOON_DAYS)
    counts = {"due_soon": 0, "overdue": 0, "region": 0}
    due = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_on__lte=soon)
        .select_related("site__department", "assignee")
        .order_by("due_on", "pk")
    )
    now = timezone.now()
    for case in due:
        level = case.escalation_level
        if case.due_on >= today:
            target = 1
        else:
            late = calendar.count_working_days(case.due_on, today)
            target = 1
            if late >= settings.CASES_ESCALATE_MANAGER_AFTER_DAYS:
                target = 2
            if late >= settings.CASES_ESCALATE_REGION_AFTER_DAYS:
                target = 3
        if target <= level:
            continue
        managers = site_managers(case.site)
        if level < 1 <= target and case.due_on >= today:
            counts["due_soon"] += notify(
                case, [case.assignee] if case.assignee else managers, Notification.Type.DUE_SOON
            )
        if level < 2 <= target:
            users = managers + ([case.assignee] if case.assignee else [])
            counts["overdue"] += notify(case, users, Notification.Type.OVERDUE)
        if level < 3 <= target:
            counts["region"] += notify(
                case, supervisors(case.site), Notification.Type.OVERDUE_REGION
            )
        CaseEvent.objects.create(
            case=case, type=CaseEvent.Type.ALERTED, at=now, detail={"level": target}
        )
        Case.objects.filter(pk=case.pk).update(escalation_level=target)
    return counts


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# --- e-mail outbox ------------------------------------------------------------------------

EMAIL_MAX_BACKOFF = timedelta(minutes=30)
EMAIL_LEASE = timedelta(minutes=2)


def email_enqueue(*, to: str, subject: str, body: str, dedupe_key: str) -> CaseEmail:
    """Queue an e-mail once per key; call it inside the transaction of its cause."""
    message, _created = CaseEmail.objects.get_or_create(
        dedupe_key=dedupe_key[:80],
        defaults={
            "to": to,
            "subject": subject[:200],
            "body": body,
            "next_attempt_at": timezone.now(),
        },
    )
    return message


def _email_claim() -> CaseEmail | None:
    with transaction.atomic():
        message = (
            CaseEmail.objects.select_for_update(skip_locked=True)
            .filter(status=CaseEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at")
            .first()
        )
        if message is not None:
            message.attempts += 1
            message.next_attempt_at = timezone.now() + EMAIL_LEASE
            message.save(update_fields=["attempts", "next_attempt_at"])
        return message


def case_emails_send_due(*, limit: int = 50) -> dict[str, int]:
    """Send the e-mails that are due; a failure keeps the message for a later attempt."""
    counts = {"sent": 0, "failed": 0}
    for _i in range(limit):
        message = _email_claim()
        if message is None:
            break
        try:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [message.to],
                fail_silently=False,
            )
        except Exception as exc:  # SMTP and network errors: all retried later
            backoff = min(timedelta(seconds=30 * 2 ** (message.attempts - 1)), EMAIL_MAX_BACKOFF)
            CaseEmail.objects.filter(pk=message.pk).update(
                last_error=str(exc)[:300], next_attempt_at=timezone.now() + backoff
            )
            counts["failed"] += 1
            continue
        CaseEmail.objects.filter(pk=message.pk).update(
            # The body may hold a tracking code: once sent, it is not kept.
            status=CaseEmail.Status.SENT,
            sent_at=timezone.now(),
            body="",
        )
        counts["sent"] += 1
    return counts
