"""Audits and label API: plan and list audits, record findings, complete; label decisions and
a site's label status. Scoped like the pages: auditors see and write their assigned sites."""

from datetime import date

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as HttpStatus

from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import bearer, staff_user
from teranga.network.permissions import Action, site_for_user
from teranga.quality import audits
from teranga.quality.models import Audit, LabelDecision

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class AuditIn(Schema):
    site: str = Field(max_length=10)
    kind: str = Field(description="internal, certification or follow_up")
    planned_on: date
    auditor: str | None = Field(None, max_length=150, description="username of an auditor")
    body: str = Field("", max_length=160, description="the audit body")


class FindingOut(Schema):
    criterion: str
    result: str
    note: str
    evidence: int


class AuditOut(Schema):
    id: int
    site: str
    kind: str
    status: str
    referential: str
    body: str
    auditor: str | None
    planned_on: date
    performed_on: date | None
    conclusion: str


class AuditDetailOut(AuditOut):
    findings: list[FindingOut]
    missing: list[str] = Field(description="observed criteria still without a finding")


def _audit_out(audit: Audit) -> dict:
    return {
        "id": audit.pk,
        "site": audit.site.code,
        "kind": audit.kind,
        "status": audit.status,
        "referential": audit.referential.version,
        "body": audit.body,
        "auditor": audit.auditor.username if audit.auditor else None,
        "planned_on": audit.planned_on,
        "performed_on": audit.performed_on,
        "conclusion": audit.conclusion,
    }


def _audit(user, pk: int) -> Audit:
    audit = audits.audits_for(user).filter(pk=pk).first()
    if audit is None:
        raise Http404("Unknown audit.")
    return audit


def _detail(audit: Audit) -> dict:
    findings = audit.findings.select_related("criterion").prefetch_related("evidence")
    return {
        **_audit_out(audit),
        "findings": [
            {
                "criterion": f.criterion.code,
                "result": f.result,
                "note": f.note,
                "evidence": len(f.evidence.all()),
            }
            for f in findings
        ],
        "missing": audits.missing_findings(audit),
    }


@router.get(
    "/quality/audits",
    auth=bearer,
    response={200: list[AuditOut], **ERRORS},
    summary="The audits of the caller's sites (an auditor: their assigned sites)",
)
def audits_list(request: HttpRequest, site: str | None = None):
    user = staff_user(request)
    scope = site_for_user(user, site, Action.VIEW) if site else None
    return [_audit_out(a) for a in audits.audits_for(user, scope)[:500]]


@router.post(
    "/quality/audits",
    auth=bearer,
    response={201: AuditDetailOut, **ERRORS},
    summary="Plan an audit (national team)",
)
def audit_plan(request: HttpRequest, payload: AuditIn):
    user = staff_user(request)
    site = site_for_user(user, payload.site, Action.VIEW)
    auditor = None
    if payload.auditor:
        auditor = get_user_model().objects.filter(username=payload.auditor).first()
        if auditor is None:
            raise HttpError(422, f"Unknown user {payload.auditor!r}.")
    audit = audits.audit_plan(
        actor=user,
        site=site,
        kind=payload.kind,
        planned_on=payload.planned_on,
        auditor=auditor,
        body=payload.body,
    )
    return HttpStatus(201, _detail(audit))


@router.get(
    "/quality/audits/{audit_id}",
    auth=bearer,
    response={200: AuditDetailOut, **ERRORS},
    summary="An audit with its findings",
)
def audit_get(request: HttpRequest, audit_id: int):
    return _detail(_audit(staff_user(request), audit_id))


class FindingIn(Schema):
    result: str = Field(description="conform, minor or major")
    note: str = Field("", max_length=5000)


@router.put(
    "/quality/audits/{audit_id}/findings/{criterion}",
    auth=bearer,
    response={200: FindingOut, **ERRORS},
    summary="Record (or change) the finding on one criterion; evidence files go through "
    "the audit page",
)
def finding_put(request: HttpRequest, audit_id: int, criterion: str, payload: FindingIn):
    user = staff_user(request)
    finding = audits.finding_record(
        actor=user,
        audit=_audit(user, audit_id),
        criterion_code=criterion,
        result=payload.result,
        note=payload.note,
    )
    return {
        "criterion": criterion,
        "result": finding.result,
        "note": finding.note,
        "evidence": finding.evidence.count(),
    }


class CompleteIn(Schema):
    conclusion: str = Field(max_length=20000)
    performed_on: date | None = None


@router.post(
    "/quality/audits/{audit_id}/complete",
    auth=bearer,
    response={200: AuditDetailOut, **ERRORS},
    summary="Complete the audit (every observed criterion needs a finding); read-only after",
)
def audit_complete(request: HttpRequest, audit_id: int, payload: CompleteIn):
    user = staff_user(request)
    audit = audits.audit_complete(
        actor=user,
        audit=_audit(user, audit_id),
        conclusion=payload.conclusion,
        performed_on=payload.performed_on,
    )
    return _detail(audit)


class DecisionIn(Schema):
    site: str = Field(max_length=10)
    decision: str = Field(description="granted, refused, suspended or withdrawn")
    decided_on: date | None = None
    audit: int | None = Field(None, description="the completed audit it rests on")
    note: str = Field("", max_length=5000)


class DecisionOut(Schema):
    id: int
    site: str
    decision: str
    decided_on: date
    follow_up_on: date | None
    valid_until: date | None
    audit: int | None
    note: str


def _decision_out(d: LabelDecision) -> dict:
    return {
        "id": d.pk,
        "site": d.site.code,
        "decision": d.decision,
        "decided_on": d.decided_on,
        "follow_up_on": d.follow_up_on,
        "valid_until": d.valid_until,
        "audit": d.audit_id,
        "note": d.note,
    }


@router.post(
    "/quality/label-decisions",
    auth=bearer,
    response={201: DecisionOut, **ERRORS},
    summary="Record a label decision (national team); a grant opens a cycle",
)
def label_decide(request: HttpRequest, payload: DecisionIn):
    user = staff_user(request)
    site = site_for_user(user, payload.site, Action.VIEW)
    audit = None
    if payload.audit is not None:
        audit = Audit.objects.filter(pk=payload.audit).first()
        if audit is None:
            raise HttpError(422, f"Unknown audit {payload.audit}.")
    decision = audits.label_decide(
        actor=user,
        site=site,
        decision=payload.decision,
        decided_on=payload.decided_on,
        note=payload.note,
        audit=audit,
    )
    return HttpStatus(201, _decision_out(decision))


class LabelOut(Schema):
    site: str
    state: str = Field(description="never, labelled, expired, refused, suspended or withdrawn")
    valid_until: date | None
    follow_up_due: date | None
    follow_up_late: bool
    decisions: list[DecisionOut]


@router.get(
    "/sites/{code}/label",
    auth=bearer,
    response={200: LabelOut, **ERRORS},
    summary="A site's label status and its decisions",
)
def site_label(request: HttpRequest, code: str):
    site = site_for_user(staff_user(request), code, Action.VIEW)
    status = audits.label_status(site)
    return {
        "site": site.code,
        "state": status.state,
        "valid_until": status.valid_until,
        "follow_up_due": status.follow_up_due,
        "follow_up_late": status.follow_up_late,
        "decisions": [_decision_out(d) for d in site.label_decisions.select_related("site")],
    }
