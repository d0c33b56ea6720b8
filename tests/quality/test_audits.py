"""Audits, findings, the label cycle and its reminders (services and selectors)."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from teranga.cases.models import CaseEmail
from teranga.lib.errors import Conflict, Invalid
from teranga.lib.months import add_months
from teranga.network.models import AuditEntry, Role
from teranga.quality import audits
from teranga.quality.audits import reminder_due
from teranga.quality.models import Audit, Criterion, Evidence, Finding, LabelDecision, LabelReminder
from teranga.quality.mystery import mystery_campaign_create, mystery_check_record
from teranga.quality.selectors import live_score
from teranga.quality.services import referential_publish_default
from tests.factories import staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OBSERVED = ["INFO-2.2", "ACC-1.2", "ACC-3.3", "REP-3.2"]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the pages' French is tested with the pages)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 8, 31), 18, date(2026, 2, 28)),
        (date(2022, 8, 31), 18, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 15), 36, date(2028, 3, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
    ],
)
def test_add_months_stays_in_the_target_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.fixture
def setup(two_sites, national_admin):
    dakar, thies = two_sites
    referential, _created = referential_publish_default()
    auditor = staff(Role.AUDITOR, site=dakar, username="auditeur")
    return {
        "dakar": dakar,
        "thies": thies,
        "referential": referential,
        "admin": national_admin,
        "auditor": auditor,
    }


def _plan(s, **extra):
    return audits.audit_plan(
        actor=s["admin"],
        site=extra.pop("site", s["dakar"]),
        kind=extra.pop("kind", "certification"),
        planned_on=date(2026, 3, 1),
        auditor=extra.pop("auditor", s["auditor"]),
        body="Bureau Veritas",
        **extra,
    )


def _complete_all(s, audit, results=None):
    results = results or {}
    for code in OBSERVED:
        audits.finding_record(
            actor=s["auditor"],
            audit=audit,
            criterion_code=code,
            result=results.get(code, "conform"),
        )
    return audits.audit_complete(actor=s["auditor"], audit=audit, conclusion="Bon niveau.")


def test_planning_takes_the_current_version_and_needs_an_assigned_auditor(setup):
    audit = _plan(setup)
    assert audit.referential == setup["referential"] and audit.status == Audit.Status.PLANNED
    assert AuditEntry.objects.filter(action="quality.audit_plan").count() == 1
    with pytest.raises(Invalid, match="auditor role") as refused:
        _plan(setup, site=setup["thies"])
    assert refused.value.field == "auditor"
    with pytest.raises(PermissionDenied):
        audits.audit_plan(
            actor=setup["auditor"], site=setup["dakar"], kind="internal", planned_on=date.today()
        )
    assert Audit.objects.count() == 1


def test_auditor_records_findings_with_evidence_and_completes(setup, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    audit = _plan(setup)
    finding = audits.finding_record(
        actor=setup["auditor"],
        audit=audit,
        criterion_code="ACC-1.2",
        result="minor",
        note="Accueil sec au guichet 3.",
        uploads=[SimpleUploadedFile("photo.pdf", PDF)],
    )
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS and audit.performed_on
    assert finding.evidence.count() == 1
    again = audits.finding_record(
        actor=setup["auditor"], audit=audit, criterion_code="ACC-1.2", result="conform"
    )
    assert again.pk == finding.pk and Finding.objects.get().result == "conform"
    entry = AuditEntry.objects.filter(action="quality.finding_record").first()
    assert entry.changes["result"] == ["minor", "conform"]
    with pytest.raises(Invalid, match="INFO-2.2, ACC-3.3, REP-3.2"):
        audits.audit_complete(actor=setup["auditor"], audit=audit, conclusion="Fin.")
    done = _complete_all(setup, audit)
    assert done.status == Audit.Status.COMPLETED and done.conclusion == "Bon niveau."
    statuses = [
        e.changes["status"] for e in AuditEntry.objects.filter(action="quality.audit_status")
    ]
    assert sorted(statuses) == sorted([["planned", "in_progress"], ["in_progress", "completed"]])


def test_completed_audit_is_read_only(setup):
    audit = _complete_all(setup, _plan(setup))
    with pytest.raises(Conflict):
        audits.finding_record(
            actor=setup["auditor"], audit=audit, criterion_code="ACC-1.2", result="major"
        )
    assert Finding.objects.get(criterion__code="ACC-1.2").result == "conform"


def test_auditor_of_another_site_writes_nothing(setup, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    audit = _plan(setup)
    outsider = staff(Role.AUDITOR, site=setup["thies"])
    with pytest.raises(PermissionDenied):
        audits.finding_record(
            actor=outsider,
            audit=audit,
            criterion_code="ACC-1.2",
            result="major",
            uploads=[SimpleUploadedFile("x.pdf", PDF)],
        )
    assert not Finding.objects.exists() and not Evidence.objects.exists()
    assert Audit.objects.get().status == Audit.Status.PLANNED


def test_bad_criterion_result_or_file_leave_nothing(setup, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    audit = _plan(setup)
    with pytest.raises(Invalid, match="ZZZ"):
        audits.finding_record(
            actor=setup["auditor"], audit=audit, criterion_code="ZZZ", result="minor"
        )
    with pytest.raises(Invalid, match="conform, minor or major"):
        audits.finding_record(
            actor=setup["auditor"], audit=audit, criterion_code="ACC-1.2", result="bad"
        )
    with pytest.raises(Invalid, match="PDF"):
        audits.finding_record(
            actor=setup["auditor"],
            audit=audit,
            criterion_code="ACC-1.2",
            result="minor",
            uploads=[SimpleUploadedFile("x.pdf", b"<html>")],
        )
    assert not Finding.objects.exists() and Audit.objects.get().status == "planned"
    assert not list(tmp_path.rglob("*.*"))


def test_observations_come_from_the_latest_completed_audit_over_mystery(setup):
    s = setup
    assert audits.observations([s["dakar"].pk], s["referential"])[s["dakar"].pk] == {}
    campaign = mystery_campaign_create(
        actor=s["admin"],
        title="Visites",
        channel="visit",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    points = {item.pk: 4 for item in campaign.items.all()}
    mystery_check_record(
        actor=s["admin"],
        campaign=campaign,
        site=s["dakar"],
        performed_at=timezone.make_aware(timezone.datetime(2026, 2, 3, 10)),
        points=points,
    )
    mystery = audits.observations([s["dakar"].pk], s["referential"])[s["dakar"].pk]
    assert mystery["ACC-1.2"] == "major" and mystery["ACC-1.1"] == "major"
    first = _complete_all(s, _plan(s), {"ACC-1.2": "minor"})
    second = _plan(s, kind="follow_up")
    audits.finding_record(
        actor=s["auditor"], audit=second, criterion_code="ACC-1.2", result="major"
    )
    found = audits.observations([s["dakar"].pk], s["referential"])[s["dakar"].pk]
    # The completed audit wins; the in-progress one does not count yet; mystery fills the rest.
    assert found["ACC-1.2"] == "minor" and found["INFO-2.2"] == "conform"
    assert found["ACC-1.1"] == "major"
    assert audits.observations([s["thies"].pk], s["referential"])[s["thies"].pk] == {}
    assert first.status == "completed"
    # The live pre-score and the campaigns read the same observations.
    live = live_score(s["dakar"], s["referential"], date(2026, 1, 1), date(2026, 3, 31))
    assert (live.criteria["ACC-1.2"].reason, live.criteria["ACC-1.2"].score) == ("minor", 0.5)
    assert live.criteria["INFO-2.2"].reason == "conform"


def test_a_grant_opens_a_cycle_and_the_status_follows_it(setup):
    s = setup
    audit = _complete_all(s, _plan(s))
    assert audits.label_status(s["dakar"]).state == "never"
    decided = audits.label_decide(
        actor=s["admin"],
        site=s["dakar"],
        decision="granted",
        decided_on=date(2024, 8, 31),
        audit=audit,
        note="Audit favorable.",
    )
    assert decided.follow_up_on == date(2026, 2, 28) and decided.valid_until == date(2027, 8, 31)
    assert AuditEntry.objects.filter(action="quality.label_decide").count() == 1
    status = audits.label_status(s["dakar"], today=date(2026, 1, 10))
    assert status.state == "labelled" and status.follow_up_due == date(2026, 2, 28)
    assert not status.follow_up_late
    assert audits.label_status(s["dakar"], today=date(2026, 3, 1)).follow_up_late
    assert audits.label_status(s["dakar"], today=date(2027, 9, 1)).state == "expired"
    audits.label_decide(actor=s["admin"], site=s["dakar"], decision="suspended")
    assert audits.label_status(s["dakar"]).state == "suspended"
    cycles = dict(audits.label_cycles())
    assert cycles[s["dakar"]].state == "suspended" and cycles[s["thies"]].state == "never"


def test_a_completed_follow_up_audit_clears_the_follow_up(setup):
    s = setup
    audits.label_decide(
        actor=s["admin"], site=s["dakar"], decision="granted", decided_on=date(2024, 1, 10)
    )
    follow = _plan(s, kind="follow_up")
    _complete_all(s, follow)
    status = audits.label_status(s["dakar"])
    assert status.state == "labelled" and status.follow_up_due is None


def test_decisions_are_checked(setup):
    s = setup
    planned = _plan(s)
    with pytest.raises(Invalid, match="completed audit"):
        audits.label_decide(actor=s["admin"], site=s["dakar"], decision="granted", audit=planned)
    with pytest.raises(Invalid, match="another site"):
        audits.label_decide(actor=s["admin"], site=s["thies"], decision="granted", audit=planned)
    with pytest.raises(Invalid, match="future"):
        audits.label_decide(
            actor=s["admin"],
            site=s["dakar"],
            decision="granted",
            decided_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        audits.label_decide(actor=s["auditor"], site=s["dakar"], decision="granted")
    assert not LabelDecision.objects.exists()


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(120, None), (90, 90), (60, 90), (30, 30), (20, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_reminder_due_is_the_shortest_lead_whose_day_has_come(days_left, expected):
    today = date(2026, 5, 1)
    assert reminder_due(today + timedelta(days=days_left), today, [7, 30, 90]) == expected


def test_reminders_are_sent_once_to_the_site_and_national_staff(setup):
    s = setup
    manager = staff(Role.SITE_MANAGER, site=s["dakar"])
    officer = staff(Role.QUALITY_OFFICER, site=s["dakar"])
    other = staff(Role.QUALITY_OFFICER, site=s["thies"])
    for user in (manager, officer, other, s["admin"]):
        user.email = f"{user.username}@example.sn"
        user.save(update_fields=["email"])
    decided = audits.label_decide(
        actor=s["admin"], site=s["dakar"], decision="granted", decided_on=date(2024, 1, 10)
    )
    follow_up = decided.follow_up_on  # 2025-07-10
    # The job was down: 20 days before the follow-up only the 30-day reminder still makes sense.
    assert audits.label_reminders_send(today=follow_up - timedelta(days=20)) == 1
    reminder = LabelReminder.objects.get()
    assert (reminder.kind, reminder.days_before) == ("follow_up", 30)
    assert sorted(CaseEmail.objects.values_list("to", flat=True)) == sorted(
        f"{u.username}@example.sn" for u in (manager, officer, s["admin"])
    )
    assert audits.label_reminders_send(today=follow_up - timedelta(days=19)) == 0
    assert audits.label_reminders_send(today=follow_up - timedelta(days=7)) == 1
    assert CaseEmail.objects.count() == 6
    # Once the date is past, nothing more about it; the expiry reminders come in their time.
    assert audits.label_reminders_send(today=follow_up + timedelta(days=40)) == 0
    assert audits.label_reminders_send(today=decided.valid_until - timedelta(days=89)) == 1
    assert LabelReminder.objects.filter(kind="expiry", days_before=90).exists()


def test_no_reminder_for_a_withdrawn_label(setup):
    s = setup
    decided = audits.label_decide(
        actor=s["admin"], site=s["dakar"], decision="granted", decided_on=date(2024, 1, 10)
    )
    audits.label_decide(
        actor=s["admin"], site=s["dakar"], decision="withdrawn", decided_on=date(2024, 6, 1)
    )
    assert audits.label_reminders_send(today=decided.follow_up_on - timedelta(days=5)) == 0


def test_observed_criteria_have_a_finding_list_and_grid_queries_are_bounded(
    setup, django_assert_max_num_queries
):
    audit = _plan(setup)
    assert audits.missing_findings(audit) == OBSERVED
    with django_assert_max_num_queries(5):
        grid = audits.audit_grid(audit)
        codes = [row["criterion"].code for theme in grid for row in theme["criteria"]]
    assert len(codes) == Criterion.objects.count()


def test_the_worker_sends_due_reminders_once(setup):
    s = setup
    today = timezone.localdate()
    decided = audits.label_decide(
        actor=s["admin"],
        site=s["dakar"],
        decision="granted",
        decided_on=add_months(today, -18) + timedelta(days=20),
    )
    assert 7 < (decided.follow_up_on - today).days <= 30
    call_command("run_worker", "--once", stdout=io.StringIO())
    call_command("run_worker", "--once", stdout=io.StringIO())
    assert list(LabelReminder.objects.values_list("kind", "days_before")) == [("follow_up", 30)]
