"""Action plans: creation with its checks, the status workflow and its log, overdue flags,
the per-site counts, actions on time (by hand), recurring complaint themes, pre-filling."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from teranga.cases import services as cases
from teranga.indicators.models import Level
from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import AuditEntry, Role
from teranga.quality import actions, figures
from teranga.quality.actions import Source
from teranga.quality.models import (
    Action,
    ActionUpdate,
    Assessment,
    Audit,
    Campaign,
    Criterion,
    Finding,
    MysteryCampaign,
    MysteryCheck,
    MysteryItem,
    MysteryScore,
)
from teranga.quality.selectors import current_referential
from teranga.quality.services import referential_publish_default
from tests.factories import staff

TODAY = date(2026, 6, 15)


@pytest.fixture
def plan_sites(two_sites):
    referential_publish_default()
    dakar, thies = two_sites
    return {
        "dakar": dakar,
        "thies": thies,
        "manager": staff(Role.SITE_MANAGER, site=dakar, username="chef"),
        "officer": staff(Role.QUALITY_OFFICER, site=dakar, username="qualite"),
        "agent": staff(Role.AGENT, site=dakar, username="agent"),
        "thies_officer": staff(Role.QUALITY_OFFICER, site=thies, username="qualite.ths"),
        "partner": staff(Role.PARTNER, username="partner"),
    }


def _create(p, **extra):
    values = {
        "site": p["dakar"],
        "actor": p["officer"],
        "title": "Afficher les horaires",
        "owner": p["agent"],
        "due_date": TODAY + timedelta(days=30),
        "today": TODAY,
    }
    return actions.action_create(**{**values, **extra})


def test_quality_staff_create_an_action_and_the_audit_trail_records_it(plan_sites):
    action = _create(plan_sites, indicator="satisfaction_pct", expected_value=80)
    assert action.status == Action.Status.PLANNED and action.origin == Action.Origin.OTHER
    assert action.owner == plan_sites["agent"] and action.created_by == plan_sites["officer"]
    entry = AuditEntry.objects.get(action="quality.action_create")
    assert entry.changes["owner"] == [None, "agent"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": "  "}, "title"),
        ({"due_date": TODAY - timedelta(days=1)}, "due_date"),
        ({"indicator": "nope_pct"}, "indicator"),
        ({"expected_value": 3.0}, "expected_value"),
        ({"owner": "thies_officer"}, "owner"),
        ({"owner": "partner"}, "owner"),
        ({"origin": Source(Action.Origin.COMPLAINTS)}, "origin"),
    ],
)
def test_bad_actions_are_refused_and_nothing_is_written(plan_sites, extra, field):
    if "owner" in extra:
        extra = {"owner": plan_sites[extra["owner"]]}
    with pytest.raises(Invalid) as refused:
        _create(plan_sites, **extra)
    assert refused.value.field == field
    assert (
        not Action.objects.exists()
        and not AuditEntry.objects.filter(model="quality.Action").exists()
    )


def test_an_inactive_staff_member_cannot_own_an_action(plan_sites):
    plan_sites["agent"].is_active = False
    plan_sites["agent"].save()
    with pytest.raises(Invalid):
        _create(plan_sites)


@pytest.mark.parametrize("who", ["agent", "thies_officer", "partner"])
def test_only_quality_staff_of_the_site_write_the_plan(plan_sites, who):
    with pytest.raises(Forbidden):
        _create(plan_sites, actor=plan_sites[who])
    assert not Action.objects.exists()


def test_the_site_manager_writes_the_plan_too(plan_sites):
    assert _create(plan_sites, actor=plan_sites["manager"]).pk


def test_workflow_logs_each_change_with_its_note_and_done_sets_the_day(plan_sites):
    action = _create(plan_sites)
    officer = plan_sites["officer"]
    actions.action_progress(action=action, actor=officer, to="in_progress", note="Devis reçu")
    actions.action_progress(action=action, actor=officer, note="Affiche commandée")
    action = actions.action_progress(action=action, actor=officer, to="done", today=TODAY)
    assert action.status == "done" and action.done_on == TODAY
    assert action.progress == "Affiche commandée"
    log = list(ActionUpdate.objects.values_list("from_status", "to_status", "note"))
    assert log == [
        ("planned", "in_progress", "Devis reçu"),
        ("in_progress", "in_progress", "Affiche commandée"),
        ("in_progress", "done", ""),
    ]
    assert AuditEntry.objects.filter(action="quality.action_progress").count() == 3


@pytest.mark.parametrize(
    ("path", "to"),
    [
        (["done"], "in_progress"),
        (["cancelled"], "in_progress"),
        (["done"], "cancelled"),
        (["in_progress"], "planned"),
    ],
)
def test_illegal_transitions_are_conflicts_and_change_nothing(plan_sites, path, to):
    action = _create(plan_sites)
    for step in path:
        action = actions.action_progress(action=action, actor=plan_sites["officer"], to=step)
    updates = ActionUpdate.objects.count()
    with pytest.raises(Conflict):
        actions.action_progress(action=action, actor=plan_sites["officer"], to=to, note="x")
    action.refresh_from_db()
    assert action.status == path[-1] and ActionUpdate.objects.count() == updates


def test_a_note_is_needed_when_the_status_does_not_change(plan_sites):
    action = _create(plan_sites)
    with pytest.raises(Invalid):
        actions.action_progress(action=action, actor=plan_sites["officer"], note=" ")
    with pytest.raises(Invalid):
        actions.action_progress(action=action, actor=plan_sites["officer"], to="finished")


def test_editing_keeps_a_past_due_date_but_refuses_moving_it_into_the_past(plan_sites):
    action = _create(plan_sites)
    officer, later = plan_sites["officer"], TODAY + timedelta(days=60)
    action = actions.action_edit(
        action=action, actor=officer, title="Nouveau titre", owner=plan_sites["manager"],
        due_date=action.due_date, today=later,
    )  # fmt: skip
    assert action.title == "Nouveau titre" and action.owner == plan_sites["manager"]
    entry = AuditEntry.objects.get(action="quality.action_edit")
    assert entry.changes["owner"] == ["agent", "chef"]
    with pytest.raises(Invalid):
        actions.action_edit(
            action=action, actor=officer, title="x", owner=plan_sites["agent"],
            due_date=later - timedelta(days=1), today=later,
        )  # fmt: skip


def test_overdue_actions_are_flagged_and_counted(plan_sites):
    p = plan_sites
    late = _create(p, title="En retard", due_date=TODAY)
    _create(p, title="À venir")
    done = _create(p, title="Faite à temps", due_date=TODAY)
    actions.action_progress(action=done, actor=p["officer"], to="done", today=TODAY)
    done_late = _create(p, title="Faite en retard", due_date=TODAY)
    actions.action_progress(
        action=done_late, actor=p["officer"], to="done", today=TODAY + timedelta(days=3)
    )
    cancelled = _create(p, title="Annulée", due_date=TODAY)
    actions.action_progress(action=cancelled, actor=p["officer"], to="cancelled")
    later = TODAY + timedelta(days=5)
    rows = actions.plan(p["dakar"], today=later)
    assert [r.title for r in rows if r.overdue] == [late.title]
    assert [r.title for r in rows][:2] == ["En retard", "À venir"]  # open ones first
    counts = actions.plan_counts([p["dakar"].pk, p["thies"].pk], today=later)
    assert counts[p["dakar"].pk] == actions.PlanCounts(p["dakar"].pk, 2, 1, 1, 1)
    assert counts[p["thies"].pk] == actions.PlanCounts(p["thies"].pk, 0, 0, 0, 0)


def _action(p, due, status="planned", done_on=None, site=None):
    return Action.objects.create(
        site=site or p["dakar"], title=f"{due} {status}", origin="other", owner=p["agent"],
        due_date=due, status=status, done_on=done_on,
    )  # fmt: skip


def test_actions_on_time_by_hand(plan_sites):
    """June 2026 at Dakar, judged on 20 June:
    - due 2 June, done 1 June → counted, on time
    - due 5 June, done 5 June (the due day itself) → counted, on time
    - due 8 June, done 9 June → counted, late
    - due 10 June, still in progress → counted (past due), not on time
    - due 12 June, cancelled → not counted
    - due 25 June, planned → not counted: not due yet on 20 June
    - due 28 June, done 18 June → counted, on time (done counts as soon as it is done)
    - due 31 May and 1 July → outside the period
    So 3 on time out of 5. Thiès has one action due in June, done late: 0 of 1."""
    p = plan_sites
    _action(p, date(2026, 6, 2), "done", date(2026, 6, 1))
    _action(p, date(2026, 6, 5), "done", date(2026, 6, 5))
    _action(p, date(2026, 6, 8), "done", date(2026, 6, 9))
    _action(p, date(2026, 6, 10), "in_progress")
    _action(p, date(2026, 6, 12), "cancelled")
    _action(p, date(2026, 6, 25), "planned")
    _action(p, date(2026, 6, 28), "done", date(2026, 6, 18))
    _action(p, date(2026, 5, 31), "done", date(2026, 5, 31))
    _action(p, date(2026, 7, 1), "planned")
    _action(p, date(2026, 6, 3), "done", date(2026, 6, 30), site=p["thies"])
    ids = [p["dakar"].pk, p["thies"].pk, 999]
    june = [(date(2026, 6, 1), date(2026, 7, 1))]

    def counts(today):
        found = figures.contribute(Level.SITE, ids, june, today=today)
        return {pk: (c.get("actions_on_time", 0), c.get("actions_due", 0))
                for (pk, _), c in found.items()}  # fmt: skip

    assert counts(date(2026, 6, 20)) == {p["dakar"].pk: (3, 5), p["thies"].pk: (0, 1)}
    # Once the month is over, the action due on 25 June (never done) counts against it.
    assert counts(date(2026, 7, 2))[p["dakar"].pk] == (3, 6)


def _complaint(site, agent, n, tags):
    filed = cases.case_file(
        site=site, kind="complaint", message="Trop d'attente", channel="web",
        client_id=uuid.uuid4(), user=agent,
    )  # fmt: skip
    cases.case_tags_set(case=filed.case, actor=agent, tags=tags)
    return filed.case


def test_recurring_complaint_themes_of_the_last_three_months(plan_sites):
    p = plan_sites
    today = timezone.localdate()
    for tags in ["attente,accueil", "attente", "attente,horaires", "horaires", "accueil,bruit"]:
        _complaint(p["dakar"], p["agent"], 0, tags)
    old = _complaint(p["dakar"], p["agent"], 0, "bruit")
    type(old).objects.filter(pk=old.pk).update(filed_at=timezone.now() - timedelta(days=120))
    _create(
        p, origin=Source(Action.Origin.COMPLAINTS, complaint_theme="horaires"), today=today,
        due_date=today + timedelta(days=10),
    )  # fmt: skip
    themes = actions.complaint_themes(p["dakar"], today=today)
    assert [(t.name, t.complaints, t.has_open_action) for t in themes] == [
        ("attente", 3, False),
        ("accueil", 2, False),
        ("horaires", 2, True),
    ]
    assert actions.complaint_themes(p["thies"], today=today) == []


def test_a_gap_prefills_the_criterion_its_indicator_and_threshold(plan_sites):
    p = plan_sites
    found = actions.suggestion(p["dakar"], {"criterion": "ACC-2.1"})
    assert found.origin.origin == "criterion" and found.origin.criterion.code == "ACC-2.1"
    assert (found.indicator, found.expected_value) == ("served_within_target_pct", 80)
    declared = actions.suggestion(p["dakar"], {"criterion": "INFO-1.2"})
    assert declared.indicator == "" and declared.expected_value is None
    with pytest.raises(actions.OriginNotFound):
        actions.suggestion(p["dakar"], {"criterion": "NOPE-1"})


def test_an_assessment_finding_or_check_of_another_site_prefills_nothing(plan_sites):
    p = plan_sites
    referential = current_referential()
    campaign = Campaign.objects.create(
        title="2026", referential=referential, period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31), due_date=date(2026, 4, 30),
    )  # fmt: skip
    theirs = Assessment.objects.create(campaign=campaign, site=p["thies"])
    ours = Assessment.objects.create(campaign=campaign, site=p["dakar"])
    criterion = Criterion.objects.get(code="ACC-1.2", engagement__theme__referential=referential)
    audit = Audit.objects.create(
        site=p["thies"], referential=referential, kind="internal", planned_on=TODAY
    )
    finding = Finding.objects.create(audit=audit, criterion=criterion, result="major")
    mystery = MysteryCampaign.objects.create(
        title="Visites", channel="visit", period_start=TODAY, period_end=TODAY,
        referential=referential,
    )  # fmt: skip
    item = MysteryItem.objects.create(
        campaign=mystery, criterion=criterion, title_fr="Courtoisie", title_en="Courtesy"
    )
    check = MysteryCheck.objects.create(
        campaign=mystery, site=p["thies"], performed_at=timezone.now(), score=4
    )
    MysteryScore.objects.create(check_row=check, item=item, points=3)
    for params in (
        {"criterion": "ACC-2.1", "assessment": str(theirs.pk)},
        {"finding": str(finding.pk)},
        {"mystery": str(check.pk)},
        {"finding": "abc"},
    ):
        with pytest.raises(actions.OriginNotFound):
            actions.suggestion(p["dakar"], params)
    assert actions.suggestion(p["thies"], {"finding": str(finding.pk)}).origin.finding == finding
    from_check = actions.suggestion(p["thies"], {"mystery": str(check.pk)})
    assert from_check.origin.criterion == criterion and "Courtoisie" in from_check.title
    pair = actions.suggestion(p["dakar"], {"criterion": "ACC-2.1", "assessment": str(ours.pk)})
    assert pair.origin.assessment == ours
    # The service checks the origin's site too, whatever the caller passed.
    with pytest.raises(Invalid):
        _create(p, origin=Source(Action.Origin.FINDING, criterion=criterion, finding=finding))
    assert not Action.objects.exists()
