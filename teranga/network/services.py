"""Writes on the network. Every change made by staff goes through here and is audited."""

import json
import secrets
from datetime import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from teranga.lib.tokens import DEVICE_PREFIX, USER_PREFIX, token_display_prefix, token_new
from teranga.network.models import (
    NATIONAL_ROLES,
    REGION_ROLES,
    SITE_ROLES,
    ApiToken,
    AuditEntry,
    Category,
    Counter,
    Department,
    Device,
    OpeningHours,
    Procedure,
    Region,
    Role,
    RoleAssignment,
    Site,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


def _actor_label(actor) -> str:
    return actor.get_username() if actor is not None else "system"


def audit_record(*, actor, action: str, instance, changes: dict | None = None) -> AuditEntry:
    """Append one line to the audit trail. `changes` maps a field to [before, after]."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=_actor_label(actor),
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
    )


# --- people and roles ---------------------------------------------------------------------


@transaction.atomic
def user_ensure(*, username: str, password: str | None = None, actor=None):
    """The user `username`, created when missing. Returns (user, generated_password or None).

    An existing user's password is changed only when `password` is given.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    generated = None
    if user is None:
        if password is None:
            password = generated = secrets.token_urlsafe(12)
        user = User(username=username)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=user,
            changes={"username": [None, username]},
        )
    elif password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=user,
            changes={"password": ["***", "***"]},
        )
    return user, generated


def _scope_check(role: str, site: Site | None, region: Region | None) -> None:
    if role in SITE_ROLES and (site is None or region is not None):
        raise ValidationError(f"The role {role} needs a site (and no region).")
    if role in REGION_ROLES and (region is None or site is not None):
        raise ValidationError(f"The role {role} needs a region (and no site).")
    if role in NATIONAL_ROLES and (site is not None or region is not None):
        raise ValidationError(f"The role {role} is national: give neither site nor region.")


@transaction.atomic
def role_grant(
    *, user, role: str, site: Site | None = None, region: Region | None = None, actor=None
) -> tuple[RoleAssignment, bool]:
    """Give `user` the `role` on its scope; granting it again changes nothing."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}; choose among {', '.join(Role.values)}.")
    _scope_check(role, site, region)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, site=site, region=region
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=assignment,
            changes={"role": [None, str(assignment)]},
        )
    return assignment, created


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor=None) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=assignment,
        changes={"role": [str(assignment), None]},
    )
    assignment.delete()


# --- tokens and devices -------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the raw token is returned once and never stored."""
    raw, digest = token_new(USER_PREFIX)
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=digest, prefix=token_display_prefix(raw)
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=token)
    return token, raw


@transaction.atomic
def device_create(*, site: Site, kind: str, name: str = "", actor=None) -> tuple[Device, str]:
    """Register a device on `site`; the raw token is returned once and never stored."""
    if kind not in Device.Kind.values:
        raise ValidationError(
            f"Unknown device kind {kind!r}; choose among {', '.join(Device.Kind.values)}."
        )
    raw, digest = token_new(DEVICE_PREFIX)
    if not name:
        with translation.override(settings.LANGUAGE_CODE):
            label = str(Device.Kind(kind).label)
        name = f"{label.capitalize()} {site.devices.filter(kind=kind).count() + 1}"
    device = Device.objects.create(
        site=site, kind=kind, name=name, token_hash=digest, prefix=token_display_prefix(raw)
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=device,
        changes={"site": [None, site.code], "kind": [None, kind]},
    )
    return device, raw


@transaction.atomic
def credential_revoke(*, credential: Device | ApiToken, actor=None) -> bool:
    """Revoke a device or a staff token; False when it already was."""
    if credential.revoked_at is not None:
        return False
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        instance=credential,
        changes={"revoked_at": [None, credential.revoked_at.isoformat()]},
    )
    return True


# --- reference data -----------------------------------------------------------------------

DEFAULT_HOURS = [(weekday, time(8), time(17)) for weekday in range(5)]


@transaction.atomic
def network_load() -> dict[str, int]:
    """Load the 14 regions, 46 departments and sites, the categories and the procedure
    catalogue from the data files. Idempotent: rows are matched on their stable codes, and a
    site's hours and counters are created only when it has none (local edits are kept)."""
    network = json.loads((DATA_DIR / "network.json").read_text(encoding="utf-8"))
    catalogue = json.loads((DATA_DIR / "procedures.json").read_text(encoding="utf-8"))

    for cat in catalogue["categories"]:
        Category.objects.update_or_create(
            code=cat["code"],
            defaults={
                k: cat[k]
                for k in ("letter", "name_fr", "name_wo", "name_en", "pictogram", "position")
            },
        )
    categories = {c.code: c for c in Category.objects.all()}
    procedures, pilot_only = [], set()
    for proc in catalogue["procedures"]:
        obj, _ = Procedure.objects.update_or_create(
            code=proc["code"],
            defaults={
                "category": categories[proc["category"]],
                **{
                    k: proc[k]
                    for k in (
                        "name_fr",
                        "name_wo",
                        "name_en",
                        "deadline_min_days",
                        "deadline_max_days",
                        "fee_fcfa",
                    )
                },
                "documents": "\n".join(proc["documents_fr"]),
            },
        )
        procedures.append(obj)
        if proc.get("pilot_only"):
            pilot_only.add(obj.pk)

    pilots = set(network["pilots"])
    for reg in network["regions"]:
        region, _ = Region.objects.update_or_create(
            slug=reg["slug"], defaults={"name": reg["name"]}
        )
        for dep_name, capital, code in reg["departments"]:
            department, _ = Department.objects.update_or_create(
                name=dep_name, defaults={"region": region, "capital": capital}
            )
            site, created = Site.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"Espace Sénégal Services de {capital}",
                    "department": department,
                    "address": f"Espace Sénégal Services, {capital}",
                    "is_pilot": code in pilots,
                },
            )
            if created:
                site.procedures.set(
                    [p for p in procedures if code in pilots or p.pk not in pilot_only]
                )
            if not site.hours.exists():
                OpeningHours.objects.bulk_create(
                    OpeningHours(site=site, weekday=d, opens=o, closes=c)
                    for d, o, c in DEFAULT_HOURS
                )
            if not site.counters.exists():
                Counter.objects.bulk_create(
                    Counter(site=site, code=f"G{i}", name=f"Guichet {i}")
                    for i in range(1, (5 if code in pilots else 3) + 1)
                )
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "sites": Site.objects.count(),
        "pilots": Site.objects.filter(is_pilot=True).count(),
        "procedures": Procedure.objects.count(),
    }


# --- demo ---------------------------------------------------------------------------------

DEMO_PASSWORD = "teranga-demo-2026"
# (username, role, site code, region slug): one person per role, on the Dakar pilot.
DEMO_USERS = [
    ("admin", Role.NATIONAL_ADMIN, None, None),
    ("agent.dkr", Role.AGENT, "DKR", None),
    ("chef.dkr", Role.SITE_MANAGER, "DKR", None),
    ("qualite.dkr", Role.QUALITY_OFFICER, "DKR", None),
    ("superviseur.dakar", Role.REGIONAL_SUPERVISOR, None, "dakar"),
    ("partenaire", Role.PARTNER, None, None),
    ("auditeur", Role.AUDITOR, "DKR", None),
    ("auditeur", Role.AUDITOR, "THS", None),
]


@transaction.atomic
def demo_seed() -> dict[str, int]:
    """The reference network plus one demo user per role (password DEMO_PASSWORD).

    Idempotent: running it again resets the demo passwords and creates nothing new."""
    counts = network_load()
    for username, role, site_code, region_slug in DEMO_USERS:
        user, _ = user_ensure(username=username, password=DEMO_PASSWORD)
        role_grant(
            user=user,
            role=role,
            site=Site.objects.get(code=site_code) if site_code else None,
            region=Region.objects.get(slug=region_slug) if region_slug else None,
        )
    counts["users"] = get_user_model().objects.count()
    return counts
