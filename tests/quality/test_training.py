"""Training: sessions, attendance, and the share of a site's staff trained on the referential
(who counts as staff, which sessions count, the validity window's edges)."""

from datetime import date

import pytest

from teranga.lib.errors import Forbidden, Invalid
from teranga.network.models import AuditEntry, Role, RoleAssignment
from teranga.quality import training
from teranga.quality.models import Attendance, TrainingSession
from tests.factories import staff

ON = date(2026, 6, 15)


@pytest.fixture
def people(two_sites, national_admin):
    dakar, thies = two_sites
    return {
        "dakar": dakar,
        "thies": thies,
        "admin": national_admin,
        "officer": staff(Role.QUALITY_OFFICER, site=dakar, username="qualite"),
        "manager": staff(Role.SITE_MANAGER, site=dakar, username="chef"),
        "agent1": staff(Role.AGENT, site=dakar, username="agent1"),
        "agent2": staff(Role.AGENT, site=dakar, username="agent2"),
        "auditor": staff(Role.AUDITOR, site=dakar, username="auditeur"),
        "thies_agent": staff(Role.AGENT, site=thies, username="agent.ths"),
        "thies_officer": staff(Role.QUALITY_OFFICER, site=thies, username="qualite.ths"),
    }


def _session(p, held_on=ON, site=None, on_referential=True, actor=None):
    return training.session_create(
        actor=actor or p["admin"], topic="Le référentiel ESS", trainer="Cabinet Qualis",
        held_on=held_on, place="Dakar", on_referential=on_referential, site=site,
    )  # fmt: skip


def test_the_validity_window_goes_back_the_label_validity_in_months(settings):
    settings.QUALITY_LABEL_VALIDITY_MONTHS = 36
    assert training.valid_since(date(2026, 6, 15)) == date(2023, 6, 15)
    assert training.valid_since(date(2028, 2, 29)) == date(2025, 2, 28)
    settings.QUALITY_LABEL_VALIDITY_MONTHS = 1
    assert training.valid_since(date(2026, 3, 31)) == date(2026, 2, 28)


def test_staff_trained_by_hand(people, django_assert_num_queries):
    """Dakar's staff: officer, manager, agent1, agent2 (the auditor is not staff) → 4.
    - officer: present at a national referential session 36 months ago to the day → trained
    - manager: present at a Dakar session on a day after `on` → not (yet) trained
    - agent1: present at a Thiès-held referential session → trained (it follows the person)
    - agent2: absent from one session, present only at a session not on the referential → not
    Thiès: the agent trained at the Thiès session; the officer's only session is one day too
    old → 1 of 2."""
    p = people
    national_old = _session(p, held_on=date(2023, 6, 15))
    too_old = _session(p, held_on=date(2023, 6, 14))
    future = _session(p, held_on=date(2026, 6, 16), site=p["dakar"])
    at_thies = _session(p, held_on=date(2025, 1, 10), site=p["thies"])
    other_topic = _session(p, held_on=date(2026, 1, 1), on_referential=False)
    for session, user, present in [
        (national_old, "officer", True),
        (future, "manager", True),
        (at_thies, "agent1", True),
        (at_thies, "agent2", False),
        (other_topic, "agent2", True),
        (at_thies, "thies_agent", True),
        (too_old, "thies_officer", True),
        (national_old, "auditor", True),
    ]:
        Attendance.objects.create(session=session, user=p[user], present=present)
    ids = [p["dakar"].pk, p["thies"].pk]
    with django_assert_num_queries(2):
        shares = training.staff_trained(ids, ON)
    assert shares == {p["dakar"].pk: (2, 4), p["thies"].pk: (1, 2)}
    rows = training.site_training(p["dakar"], ON)
    assert [(r.user.username, r.trained_on) for r in rows] == [
        ("agent2", None),
        ("chef", None),
        ("agent1", date(2025, 1, 10)),
        ("qualite", date(2023, 6, 15)),
    ]
    # The next day the officer's session is too old, the manager's has been held, and an
    # inactive user has left the staff.
    p["agent2"].is_active = False
    p["agent2"].save()
    assert training.staff_trained(ids, date(2026, 6, 16))[p["dakar"].pk] == (2, 3)
    assert training.site_training(p["dakar"], date(2026, 6, 16))[0].user == p["officer"]


def test_someone_with_two_roles_counts_once(people):
    p = people
    RoleAssignment.objects.create(user=p["agent1"], role=Role.QUALITY_OFFICER, site=p["dakar"])
    assert training.staff_trained([p["dakar"].pk], ON)[p["dakar"].pk] == (0, 4)


def test_who_may_record_sessions(people):
    p = people
    with pytest.raises(Forbidden):
        _session(p, actor=p["officer"])  # a national session: the national team only
    with pytest.raises(Forbidden):
        _session(p, actor=p["officer"], site=p["thies"])
    with pytest.raises(Forbidden):
        _session(p, actor=p["agent1"], site=p["dakar"])
    session = _session(p, actor=p["officer"], site=p["dakar"])
    assert session.created_by == p["officer"]
    assert AuditEntry.objects.filter(action="quality.training_create").count() == 1
    with pytest.raises(Invalid):
        training.session_create(actor=p["admin"], topic=" ", trainer="x", held_on=ON, place="Dakar")
    assert TrainingSession.objects.count() == 1


def test_attendance_is_recorded_for_staff_of_the_site_and_audited(people):
    p = people
    session = _session(p)
    officer = p["officer"]
    training.attendance_set(
        session=session, actor=officer, site=p["dakar"],
        marks={p["agent1"].pk: True, p["agent2"].pk: False},
    )  # fmt: skip
    training.attendance_set(
        session=session, actor=officer, site=p["dakar"], marks={p["agent2"].pk: True}
    )
    assert dict(session.attendances.values_list("user__username", "present")) == {
        "agent1": True,
        "agent2": True,
    }
    entries = AuditEntry.objects.filter(action="quality.training_attendance").order_by("pk")
    assert [e.changes for e in entries] == [
        {"agent1": [None, True], "agent2": [None, False]},
        {"agent2": [False, True]},
    ]


def test_bad_attendance_is_refused_whole(people):
    p = people
    national = _session(p)
    at_thies = _session(p, site=p["thies"])
    with pytest.raises(Invalid):  # the Thiès agent is not staff of Dakar
        training.attendance_set(
            session=national, actor=p["officer"], site=p["dakar"],
            marks={p["agent1"].pk: True, p["thies_agent"].pk: True},
        )  # fmt: skip
    with pytest.raises(Forbidden):  # Dakar's officer does not mark Thiès staff
        training.attendance_set(
            session=national, actor=p["officer"], site=p["thies"],
            marks={p["thies_agent"].pk: True},
        )  # fmt: skip
    with pytest.raises(Invalid):  # a Thiès session takes Thiès staff only
        training.attendance_set(
            session=at_thies, actor=p["admin"], site=p["dakar"], marks={p["agent1"].pk: True}
        )
    assert not Attendance.objects.exists()
