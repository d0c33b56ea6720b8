"""Audits and the label cycle.

The national team plans an audit (site, kind, body, auditor, date, referential version); an
auditor assigned to the site (or the national team) records one finding per criterion and
completes the audit with a conclusion; the national team then records the label decision. A
grant opens a cycle — follow-up due after QUALITY_LABEL_FOLLOW_UP_MONTHS, expiry after
QUALITY_LABEL_VALIDITY_MONTHS — and a daily job reminds the site and the national team
QUALITY_LABEL_REMINDER_DAYS before each date.

Observed criteria are scored from `observations(site, referential)`: the findings of the
site's latest completed audit against that version, and, for the criteria it does not cover,
the mystery-derived ones (an auditor's finding wins over a mystery check when both exist).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teranga.cases.alerts import email_enqueue
from teranga.lib.errors import Conflict, Invalid
from teranga.lib.months import add_months
from teranga.network.models import Role, RoleAssignment, Site
from teranga.network.permissions import Action, is_national_admin, sites_for, user_can
from teranga.network.services import audit_record
from teranga.quality.evidence import evidence_add
from teranga.quality.models import (
    Audit,
    Criterion,
    Finding,
    LabelDecision,
    LabelReminder,
    Referential,
)
from teranga.quality.mystery import mystery_observations


def _national(actor) -> None:
    if not is_national_admin(actor):
        raise PermissionDenied


# --- audits -------------------------------------------------------------------------------

# The allowed moves of an audit; each one is written to the audit trail (who, when, from, to).
TRANSITIONS = {
    Audit.Status.PLANNED: {Audit.Status.IN_PROGRESS, Audit.Status.COMPLETED},
    Audit.Status.IN_PROGRESS: {Audit.Status.COMPLETED},
    Audit.Status.COMPLETED: set(),
}


def is_site_auditor(user, site: Site) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.AUDITOR, site=site).exists()


def can_audit(user, site: Site) -> bool:
    """An auditor assigned to the site, or the national team."""
    return user_can(user, Action.AUDIT, site)


@transaction.atomic
def audit_plan(
    *,
    actor,
    site: Site,
    kind: str,
    planned_on: date,
    auditor=None,
    body: str = "",
    referential: Referential | None = None,
) -> Audit:
    _national(actor)
    if kind not in Audit.Kind.values:
        raise Invalid(_("Unknown kind of audit %(kind)r.") % {"kind": kind}, field="kind")
    referential = referential or Referential.objects.filter(is_current=True).first()
    if referential is None:
        raise Invalid(_("No quality referential has been published yet."))
    if auditor is not None and not is_site_auditor(auditor, site):
        raise Invalid(
            _("%(user)s does not hold the auditor role at %(site)s.")
            % {"user": auditor.username, "site": site.code},
            field="auditor",
        )
    audit = Audit.objects.create(
        site=site,
        referential=referential,
        kind=kind,
        body=body.strip()[:160],
        auditor=auditor,
        planned_on=planned_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="quality.audit_plan",
        instance=audit,
        changes={
            "kind": [None, kind],
            "planned_on": [None, planned_on.isoformat()],
            "auditor": [None, auditor.username if auditor else None],
            "referential": [None, referential.version],
        },
    )
    return audit


def _move(audit: Audit, to: str, actor, fields: list[str]) -> None:
    before = audit.status
    if to not in TRANSITIONS[before]:
        raise Conflict(_("This audit is completed: it can no longer change."))
    audit.status = to
    audit.save(update_fields=["status", *fields])
    audit_record(
        actor=actor, action="quality.audit_status", instance=audit, changes={"status": [before, to]}
    )


def _writable(actor, audit: Audit) -> None:
    if not can_audit(actor, audit.site):
        raise PermissionDenied
    if audit.status == Audit.Status.COMPLETED:
        raise Conflict(_("This audit is completed: it can no longer change."))


@transaction.atomic
def finding_record(
    *, actor, audit: Audit, criterion_code: str, result: str, note: str = "", uploads=()
) -> Finding:
    """The finding on one criterion (recorded again: changed), with evidence files. The
    first finding starts the audit."""
    audit = Audit.objects.select_for_update().select_related("site").get(pk=audit.pk)
    _writable(actor, audit)
    criterion = Criterion.objects.filter(
        engagement__theme__referential_id=audit.referential_id, code=criterion_code
    ).first()
    if criterion is None:
        raise Invalid(
            _("Unknown criterion %(code)s in this referential.") % {"code": criterion_code},
            field="criterion",
        )
    if result not in Finding.Result.values:
        raise Invalid(_("Choose conform, minor or major."), field="result")
    if audit.status == Audit.Status.PLANNED:
        audit.performed_on = audit.performed_on or timezone.localdate()
        _move(audit, Audit.Status.IN_PROGRESS, actor, ["performed_on"])
    finding = Finding.objects.filter(audit=audit, criterion=criterion).first()
    before = (finding.result, finding.note) if finding else (None, None)
    if finding is None:
        finding = Finding(audit=audit, criterion=criterion)
    finding.result, finding.note = result, note.strip()
    finding.recorded_by, finding.recorded_at = actor, timezone.now()
    finding.save()
    audit_record(
        actor=actor,
        action="quality.finding_record",
        instance=finding,
        changes={"result": [before[0], result], "note": [before[1], finding.note]},
    )
    for upload in uploads:
        try:
            evidence_add(actor=actor, upload=upload, finding=finding)
        except Invalid as exc:
            raise Invalid(exc.message, field="files") from exc
    return finding


def missing_findings(audit: Audit) -> list[str]:
    """Codes of the observed criteria of the audit's version that have no finding yet."""
    observed = Criterion.objects.filter(
        engagement__theme__referential_id=audit.referential_id, kind=Criterion.Kind.OBSERVED
    ).order_by("engagement__theme__position", "engagement__position", "position")
    done = set(audit.findings.values_list("criterion_id", flat=True))
    return [c.code for c in observed if c.pk not in done]


@transaction.atomic
def audit_complete(
    *, actor, audit: Audit, conclusion: str, performed_on: date | None = None
) -> Audit:
    """Close the audit: every observed criterion needs a finding; read-only afterwards."""
    audit = Audit.objects.select_for_update().select_related("site").get(pk=audit.pk)
    _writable(actor, audit)
    if not conclusion.strip():
        raise Invalid(_("Write the conclusion of the audit."), field="conclusion")
    missing = missing_findings(audit)
    if missing:
        raise Invalid(
            _("Record a finding on every observed criterion first; missing: %(codes)s.")
            % {"codes": ", ".join(missing)},
            field="conclusion",
        )
    if performed_on and performed_on > timezone.localdate():
        raise Invalid(_("The audit cannot be performed in the future."), field="performed_on")
    audit.conclusion = conclusion.strip()
    audit.performed_on = performed_on or audit.performed_on or timezone.localdate()
    _move(audit, Audit.Status.COMPLETED, actor, ["conclusion", "performed_on"])
    return audit


def audits_for(user, site: Site | None = None):
    """The audits `user` may see (the sites they view; an auditor: their assigned sites)."""
    audits = Audit.objects.filter(site__in=sites_for(user, Action.VIEW)).select_related(
        "site", "auditor", "referential"
    )
    return audits.filter(site=site) if site is not None else audits


def audit_grid(audit: Audit) -> list[dict]:
    """The audit's referential as themes → criteria, each criterion with its finding and the
    finding's evidence (5 queries)."""
    findings = {
        f.criterion_id: f
        for f in audit.findings.select_related("recorded_by").prefetch_related("evidence")
    }
    referential = Referential.objects.prefetch_related("themes__engagements__criteria").get(
        pk=audit.referential_id
    )
    return [
        {
            "theme": theme,
            "criteria": [
                {"criterion": c, "engagement": e, "finding": findings.get(c.pk)}
                for e in theme.engagements.all()
                for c in e.criteria.all()
            ],
        }
        for theme in referential.themes.all()
    ]


# --- observations -------------------------------------------------------------------------


def latest_findings(site_ids, referential: Referential) -> dict[int, dict[str, Finding]]:
    """site id → criterion code → Finding of the site's latest completed audit against
    `referential` (one query for all the sites)."""
    rows = (
        Finding.objects.filter(
            audit__site_id__in=list(site_ids),
            audit__referential=referential,
            audit__status=Audit.Status.COMPLETED,
        )
        .select_related("criterion", "audit")
        .order_by("audit__site_id", "-audit__performed_on", "-audit_id")
    )
    latest: dict[int, int] = {}
    out: dict[int, dict[str, Finding]] = defaultdict(dict)
    for finding in rows:
        site_id = finding.audit.site_id
        if latest.setdefault(site_id, finding.audit_id) == finding.audit_id:
            out[site_id][finding.criterion.code] = finding
    return out


def observations(
    site_ids, referential: Referential, findings: dict | None = None
) -> dict[int, dict[str, str]]:
    """site id → criterion code → conform/minor/major for the scoring of observed criteria:
    the mystery-derived observations, overridden by the latest completed audit's findings (an
    auditor's finding wins when both exist). Two queries for all the sites (one when the
    caller has read `latest_findings` already)."""
    site_ids = list(site_ids)
    mystery = mystery_observations(site_ids, referential)
    if findings is None:
        findings = latest_findings(site_ids, referential)
    return {
        pk: {**mystery.get(pk, {}), **{c: f.result for c, f in findings.get(pk, {}).items()}}
        for pk in site_ids
    }


# --- label decisions ----------------------------------------------------------------------


@transaction.atomic
def label_decide(
    *,
    actor,
    site: Site,
    decision: str,
    decided_on: date | None = None,
    note: str = "",
    audit: Audit | None = None,
) -> LabelDecision:
    """The national team's decision; a grant opens a cycle with its follow-up and expiry."""
    _national(actor)
    if decision not in LabelDecision.Decision.values:
        raise Invalid(
            _("Unknown decision %(decision)r.") % {"decision": decision}, field="decision"
        )
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise Invalid(_("A decision cannot be dated in the future."), field="decided_on")
    if audit is not None:
        if audit.site_id != site.pk:
            raise Invalid(_("This audit is of another site."), field="audit")
        if audit.status != Audit.Status.COMPLETED:
            raise Invalid(_("Only a completed audit supports a decision."), field="audit")
    granted = decision == LabelDecision.Decision.GRANTED
    made = LabelDecision.objects.create(
        site=site,
        audit=audit,
        decision=decision,
        decided_on=decided_on,
        follow_up_on=add_months(decided_on, settings.QUALITY_LABEL_FOLLOW_UP_MONTHS)
        if granted
        else None,
        valid_until=add_months(decided_on, settings.QUALITY_LABEL_VALIDITY_MONTHS)
        if granted
        else None,
        note=note.strip(),
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action="quality.label_decide",
        instance=made,
        changes={
            "decision": [None, decision],
            "decided_on": [None, decided_on.isoformat()],
            "audit": [None, audit.pk if audit else None],
        },
    )
    return made


@dataclass(frozen=True)
class LabelStatus:
    """never | labelled | expired | refused | suspended | withdrawn, from the latest decision.
    `follow_up_due`: the follow-up date of a running cycle while no follow-up audit has been
    completed since the grant; `follow_up_late` once that date has passed."""

    state: str
    decision: LabelDecision | None = None
    valid_until: date | None = None
    follow_up_due: date | None = None
    follow_up_late: bool = False


def _status(decision: LabelDecision | None, followed_up: bool, today: date) -> LabelStatus:
    if decision is None:
        return LabelStatus("never")
    if decision.decision != LabelDecision.Decision.GRANTED:
        return LabelStatus(decision.decision, decision)
    if decision.valid_until < today:
        return LabelStatus("expired", decision, decision.valid_until)
    due = None if followed_up else decision.follow_up_on
    return LabelStatus("labelled", decision, decision.valid_until, due, bool(due and due < today))


def _followed_up(decisions: list[LabelDecision]) -> set[int]:
    """Ids of the grants after which a follow-up audit of their site was completed."""
    grants = {d.site_id: d for d in decisions if d.decision == LabelDecision.Decision.GRANTED}
    done = Audit.objects.filter(
        site_id__in=grants, kind=Audit.Kind.FOLLOW_UP, status=Audit.Status.COMPLETED
    ).values_list("site_id", "performed_on")
    return {grants[s].pk for s, on in done if on and on >= grants[s].decided_on}


def label_status(site: Site, today: date | None = None) -> LabelStatus:
    today = today or timezone.localdate()
    decision = LabelDecision.objects.filter(site=site).order_by("-decided_on", "-id").first()
    decisions = [decision] if decision else []
    return _status(decision, bool(decision and decision.pk in _followed_up(decisions)), today)


def label_cycles(today: date | None = None) -> list[tuple[Site, LabelStatus]]:
    """Every site with its label status, the nearest coming date first (3 queries)."""
    today = today or timezone.localdate()
    latest: dict[int, LabelDecision] = {}
    for d in LabelDecision.objects.order_by("-decided_on", "-id").select_related("decided_by"):
        latest.setdefault(d.site_id, d)
    followed = _followed_up(list(latest.values()))
    rows = []
    for site in Site.objects.select_related("department__region").order_by("code"):
        decision = latest.get(site.pk)
        rows.append((site, _status(decision, bool(decision and decision.pk in followed), today)))

    def coming(row) -> tuple:
        dates = [d for d in (row[1].follow_up_due, row[1].valid_until) if d]
        return (min(dates) if dates else date.max, row[0].code)

    return sorted(rows, key=coming)


# --- reminders ----------------------------------------------------------------------------


def _recipients(site: Site) -> list:
    """The site's managers and quality officers, and the national administrators."""
    assignments = RoleAssignment.objects.filter(user__is_active=True).select_related("user")
    site_staff = assignments.filter(
        site=site, role__in=[Role.SITE_MANAGER, Role.QUALITY_OFFICER]
    ) | assignments.filter(role=Role.NATIONAL_ADMIN)
    return list({a.user.pk: a.user for a in site_staff}.values())


def reminder_due(target: date, today: date, leads: list[int]) -> int | None:
    """The lead time (days before `target`) whose reminder is due today: the shortest lead
    whose day has come, so that a job that ran late sends the reminder that still makes sense
    (30 days before, not also the 90-day one it missed) and none for a date already past."""
    if target < today:
        return None
    come = [lead for lead in leads if (target - today).days <= lead]
    return min(come) if come else None


@transaction.atomic
def label_reminders_send(*, today: date | None = None) -> int:
    """The daily job: for the running cycle of each site (its latest decision is a grant),
    record the reminder of each date (follow-up, expiry) that is due and alert the site's
    managers and quality officers and the national team by e-mail through the outbox. The
    unique (decision, kind, lead) row makes a second run a no-op."""
    today = today or timezone.localdate()
    leads = sorted(set(settings.QUALITY_LABEL_REMINDER_DAYS))
    latest: dict[int, LabelDecision] = {}
    for d in LabelDecision.objects.order_by("-decided_on", "-id").select_related("site"):
        latest.setdefault(d.site_id, d)
    grants = [d for d in latest.values() if d.decision == LabelDecision.Decision.GRANTED]
    followed = _followed_up(grants)
    sent = 0
    for decision in grants:
        dates = [(LabelReminder.Kind.EXPIRY, decision.valid_until)]
        if decision.pk not in followed:
            dates.append((LabelReminder.Kind.FOLLOW_UP, decision.follow_up_on))
        for kind, target in dates:
            lead = reminder_due(target, today, leads)
            if lead is None:
                continue
            reminder, created = LabelReminder.objects.get_or_create(
                decision=decision, kind=kind, days_before=lead
            )
            if not created:
                continue
            sent += 1
            what = LabelReminder.Kind(kind).label
            for user in _recipients(decision.site):
                if user.email:
                    email_enqueue(
                        to=user.email,
                        subject=f"Teranga · {decision.site.code} · {what}",
                        body=_("%(site)s: %(what)s on %(date)s (in %(days)d days).")
                        % {
                            "site": decision.site.name,
                            "what": what,
                            "date": target.isoformat(),
                            "days": (target - today).days,
                        },
                        dedupe_key=f"label:{reminder.pk}:{user.pk}",
                    )
    return sent


def reminders_for(site: Site | None = None, limit: int = 20) -> list[LabelReminder]:
    """The latest reminders sent (for one site, or all), for the in-app lists."""
    reminders = LabelReminder.objects.select_related("decision__site").order_by("-sent_at", "-id")
    if site is not None:
        reminders = reminders.filter(decision__site=site)
    return list(reminders[:limit])
