"""Reads of the cases app: the staff inbox with its filters, one case for staff, the public
tracking view (no personal data), alerts and reply templates."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from teranga.cases.models import OPEN_STATUSES, Case, Notification, ReplyTemplate
from teranga.cases.services import track_check
from teranga.lib.days import day_start
from teranga.network.models import Role, RoleAssignment, Site, User
from teranga.network.permissions import Action, sites_for
from teranga.network.selectors import working_calendar

INBOX_PAGE = 50


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"  # a status, "open" (every open status) or "" (all)
    due: str = ""  # "soon" | "overdue"
    kind: str = ""
    channel: str = ""
    assignee: str = ""  # "me" | "none"
    tag: str = ""
    filed_from: date | None = None  # filed on these days (a dashboard figure's period)
    filed_to: date | None = None


def handled_sites(user) -> QuerySet[Site]:
    """Sites whose cases `user` handles (agents and managers of the site, the region)."""
    ids = set(sites_for(user, Action.SERVE).values_list("pk", flat=True))
    ids |= set(sites_for(user, Action.MANAGE).values_list("pk", flat=True))
    return Site.objects.filter(pk__in=ids).order_by("code")


def due_soon_limit(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return working_calendar().add_working_days(today, settings.CASES_DUE_SOON_DAYS)


def inbox(
    site: Site, filters: InboxFilters, *, user=None, page: int = 1, today: date | None = None
) -> tuple[list[Case], bool]:
    """One page of a site's cases, open ones first by due date, then the latest closed. The
    query count is the same however many cases the site has (one query, a LIMIT)."""
    today = today or timezone.localdate()
    rows = Case.objects.filter(site=site)
    if filters.status == "open":
        rows = rows.filter(is_open=True)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.due == "overdue":
        rows = rows.filter(is_open=True, due_on__lt=today)
    elif filters.due == "soon":
        rows = rows.filter(is_open=True, due_on__gte=today, due_on__lte=due_soon_limit(today))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.assignee == "me" and user is not None:
        rows = rows.filter(assignee=user)
    elif filters.assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    if filters.filed_from:
        rows = rows.filter(filed_at__gte=day_start(filters.filed_from))
    if filters.filed_to:
        rows = rows.filter(filed_at__lt=day_start(filters.filed_to + timedelta(days=1)))
    if filters.tag:
        tag = filters.tag.strip().lower()
        rows = rows.filter(
            Q(tags=tag)
            | Q(tags__startswith=f"{tag},")
            | Q(tags__endswith=f",{tag}")
            | Q(tags__contains=f",{tag},")
        )
    # Open cases by due date (the inbox's index); any other view latest first.
    if filters.status == "open" or filters.status in OPEN_STATUSES or filters.due:
        rows = rows.order_by("due_on", "pk")
    else:
        rows = rows.order_by("-filed_at", "-pk")
    start = (max(page, 1) - 1) * INBOX_PAGE
    # The message and the answer can be long and the list does not show them.
    rows = rows.select_related("assignee", "procedure").defer("message", "public_answer")
    page_rows = list(rows[start : start + INBOX_PAGE + 1])
    return page_rows[:INBOX_PAGE], len(page_rows) > INBOX_PAGE


def inbox_counts(site: Site, today: date | None = None) -> dict[str, int]:
    """Open, due soon and overdue counts of a site (one query)."""
    today = today or timezone.localdate()
    open_rows = Case.objects.filter(site=site, is_open=True)
    return open_rows.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=due_soon_limit(today))),
    )


def case_for_staff(site: Site, pk: int) -> Case | None:
    return (
        Case.objects.filter(site=site, pk=pk)
        .select_related("site__department__region", "procedure", "assignee", "answered_by")
        .prefetch_related("events__actor", "comments__author", "attachments")
        .first()
    )


def case_track(*, reference: str, code: str, kind: str) -> Case | None:
    """The case with this reference and tracking code, or None — the same None for an
    unknown reference and a wrong code, so that nobody learns which references exist."""
    reference = re.sub(r"\s", "", reference).upper()[:24]
    # "R-DKR-2026-298" as typed from memory is R-DKR-2026-00298
    if found := re.fullmatch(r"([A-Z]+-[A-Z0-9]+-\d{4})-(\d{1,5})", reference):
        reference = f"{found.group(1)}-{int(found.group(2)):05d}"
    rows = Case.objects.filter(reference=reference).select_related("site", "procedure")
    rows = rows.filter(kind="request") if kind == "request" else rows.exclude(kind="request")
    case = rows.first()
    return case if track_check(case, re.sub(r"\s", "", code).upper()[:16]) else None


def notifications_for(user, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    rows = Notification.objects.filter(user=user).select_related("case__site")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return list(rows[:limit])


def reply_templates(site: Site) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(Q(site=site) | Q(site__isnull=True))


def staff_of_site(site: Site):
    """Staff who may be given a case of this site (agents and the site manager)."""
    ids = RoleAssignment.objects.filter(site=site, role__in=[Role.AGENT, Role.SITE_MANAGER]).values(
        "user_id"
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")
