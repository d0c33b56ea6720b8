"""Training: sessions (national or at a site), who attended, and the share of a site's staff
trained on the referential.

Definitions (the `staff_trained_pct` indicator reads `staff_trained`):
- a site's staff, on a day: the distinct active users holding an agent, site manager or
  quality officer role on the site (roles carry no dates: today's roles);
- trained on day D: present at a session "on the referential" held between D minus
  QUALITY_LABEL_VALIDITY_MONTHS months and D, both included — a session anywhere counts,
  national ones included (training follows the person, not the site).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teranga.lib.errors import Forbidden, Invalid
from teranga.lib.months import add_months
from teranga.network.models import RoleAssignment, Site, User
from teranga.network.permissions import Action, is_national_admin, sites_for, user_can
from teranga.network.services import audit_record
from teranga.quality.actions import STAFF_ROLES, site_staff
from teranga.quality.models import Attendance, TrainingSession

LIMITS = {"topic": 200, "trainer": 160, "place": 160}


def valid_since(on: date) -> date:
    """The first day a referential session counts for someone's training on `on`."""
    return add_months(on, -settings.QUALITY_LABEL_VALIDITY_MONTHS)


def can_write_session(user, site: Site | None) -> bool:
    """A site's session: quality staff of the site; a national session: the national team."""
    return user_can(user, Action.QUALITY, site) if site else is_national_admin(user)


@transaction.atomic
def session_create(
    *,
    actor,
    topic: str,
    trainer: str,
    held_on: date,
    place: str,
    on_referential: bool = True,
    site: Site | None = None,
) -> TrainingSession:
    if not can_write_session(actor, site):
        raise Forbidden(_("You may not record a training session here."))
    values = {"topic": topic, "trainer": trainer, "place": place}
    for name, value in values.items():
        value = (value or "").strip()
        if not value:
            raise Invalid(_("This field is required."), field=name)
        if len(value) > LIMITS[name]:
            raise Invalid(_("This text is too long."), field=name)
        values[name] = value
    if held_on is None:
        raise Invalid(_("Give the date of the session."), field="held_on")
    session = TrainingSession.objects.create(
        on_referential=on_referential, held_on=held_on, site=site, created_by=actor, **values
    )
    audit_record(
        actor=actor,
        action="quality.training_create",
        instance=session,
        changes={
            "topic": [None, session.topic],
            "held_on": [None, held_on.isoformat()],
            "site": [None, site.code if site else None],
            "on_referential": [None, on_referential],
        },
    )
    return session


def attendable_sites(user, session: TrainingSession):
    """Sites whose staff `user` may mark at this session: the session's site, or for a
    national session every site where the user works on quality."""
    if session.site_id:
        site = session.site
        return Site.objects.filter(pk=site.pk) if user_can(user, Action.QUALITY, site) else []
    return sites_for(user, Action.QUALITY).order_by("code")


@transaction.atomic
def attendance_set(
    *, session: TrainingSession, actor, site: Site, marks: dict[int, bool]
) -> list[Attendance]:
    """Record who of `site`'s staff was present (True) or absent (False) at the session; a
    staff member left out of `marks` keeps what was recorded. Refused whole (nothing
    written) when one user is not staff of that site."""
    if session.site_id and session.site_id != site.pk:
        raise Invalid(_("This session was held at another site."), field="site")
    if not user_can(actor, Action.QUALITY, site):
        raise Forbidden(_("You may not record attendance for this site."))
    staff = {u.pk: u for u in site_staff(site)}
    strangers = [pk for pk in marks if pk not in staff]
    if strangers:
        raise Invalid(_("Only staff of the site can be marked."), field="attendance")
    existing = {a.user_id: a for a in session.attendances.filter(user_id__in=list(marks))}
    out, changes = [], {}
    for user_id, present in marks.items():
        row = existing.get(user_id)
        if row is None:
            row = Attendance.objects.create(session=session, user_id=user_id, present=present)
            changes[staff[user_id].get_username()] = [None, present]
        elif row.present != present:
            changes[staff[user_id].get_username()] = [row.present, present]
            row.present = present
            row.save(update_fields=["present"])
        out.append(row)
    if changes:
        audit_record(
            actor=actor, action="quality.training_attendance", instance=session, changes=changes
        )
    return out


# --- selectors ----------------------------------------------------------------------------


def staff_by_site(site_ids) -> dict[int, set[int]]:
    """site id → ids of its staff (one query)."""
    out: dict[int, set[int]] = {pk: set() for pk in site_ids}
    rows = RoleAssignment.objects.filter(
        site_id__in=list(out), role__in=STAFF_ROLES, user__is_active=True
    ).values_list("site_id", "user_id")
    for site_id, user_id in rows:
        out[site_id].add(user_id)
    return out


def trained_users(user_ids, on: date) -> dict[int, date]:
    """user id → the day of their latest referential session counting on `on` (one query)."""
    rows = (
        Attendance.objects.filter(
            user_id__in=list(user_ids),
            present=True,
            session__on_referential=True,
            session__held_on__gte=valid_since(on),
            session__held_on__lte=on,
        )
        .order_by("session__held_on")
        .values_list("user_id", "session__held_on")
    )
    return dict(rows)


def staff_trained(site_ids, on: date | None = None) -> dict[int, tuple[int, int]]:
    """site id → (staff trained on the referential, staff) on day `on` (two queries, whatever
    the number of sites); every asked site appears. See the module's definitions."""
    on = on or timezone.localdate()
    staff = staff_by_site(site_ids)
    trained = trained_users(set().union(*staff.values()), on)
    return {pk: (len(users & trained.keys()), len(users)) for pk, users in staff.items()}


@dataclass(frozen=True)
class StaffRow:
    user: User
    trained_on: date | None


def site_training(site: Site, on: date | None = None) -> list[StaffRow]:
    """The site's staff with the date of their counting referential session (None: not
    trained), the untrained first (two queries)."""
    on = on or timezone.localdate()
    staff = list(site_staff(site))
    trained = trained_users([u.pk for u in staff], on)
    rows = [StaffRow(u, trained.get(u.pk)) for u in staff]
    return sorted(rows, key=lambda r: (r.trained_on is not None, r.user.username))


def sessions_for(user, *, limit: int = 200):
    """Sessions `user` may see: national ones and those of the sites in their scope."""
    visible = sites_for(user, Action.VIEW)
    return (
        TrainingSession.objects.filter(Q(site__isnull=True) | Q(site__in=visible))
        .select_related("site")
        .annotate(
            present=Count("attendances", filter=Q(attendances__present=True)),
            absent=Count("attendances", filter=Q(attendances__present=False)),
        )
        .order_by("-held_on", "-id")[:limit]
    )
