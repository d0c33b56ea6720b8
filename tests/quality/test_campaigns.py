"""Self-assessment campaigns: launching, answering, submitting, deciding, closing, scoring."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.network.models import AuditEntry, Role, Site
from teranga.quality import campaigns
from teranga.quality.campaigns import Status
from teranga.quality.evidence import evidence_add
from teranga.quality.models import (
    Answer,
    Assessment,
    AssessmentTransition,
    Audit,
    Campaign,
    Criterion,
    Finding,
)
from teranga.quality.services import referential_publish_default
from tests.factories import staff
from tests.quality.campaign_data import quarter_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(two_sites, national_admin):
    dakar, thies = two_sites
    referential, _ = referential_publish_default()
    first, last = quarter_data(dakar)
    return {
        "dakar": dakar,
        "thies": thies,
        "referential": referential,
        "first": first,
        "last": last,
        "admin": national_admin,
        "officer": staff(Role.QUALITY_OFFICER, site=dakar),
        "manager": staff(Role.SITE_MANAGER, site=dakar),
    }


def launch(setup, **kwargs):
    params = {
        "actor": setup["admin"],
        "title": "Auto-évaluation",
        "period_start": setup["first"],
        "period_end": setup["last"],
        "due_date": timezone.localdate() + timedelta(days=30),
    }
    params.update(kwargs)
    return campaigns.campaign_launch(**params)


def answer(assessment, code) -> Answer:
    row = assessment.answers.select_related("criterion", "assessment__campaign").get(
        criterion__code=code
    )
    row.assessment = Assessment.objects.select_related("campaign", "site__department").get(
        pk=assessment.pk
    )
    return row


def answer_all_declared(assessment, actor, choice="yes"):
    for row in assessment.answers.filter(criterion__kind="declared").values_list(
        "criterion__code", flat=True
    ):
        campaigns.answer_save(actor=actor, answer=answer(assessment, row), choice=choice)


def test_launch_creates_a_grid_per_site_prefilled_from_the_period(setup):
    campaign = launch(setup)
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.referential == setup["referential"]
    assessments = {a.site.code: a for a in campaign.assessments.all()}
    assert set(assessments) == {"DKR", "THS"}
    criteria = Criterion.objects.filter(engagement__theme__referential=setup["referential"])
    assert assessments["DKR"].answers.count() == criteria.count()
    complaints = answer(assessments["DKR"], "REP-2.1")
    assert (complaints.value, complaints.sample) == (40.0, 10)
    assert (answer(assessments["DKR"], "INFO-3.2").value) == 35
    assert answer(assessments["THS"], "REP-2.1").sample == 0
    entry = AuditEntry.objects.get(action="quality.campaign_launch")
    assert entry.changes["sites"] == [None, ["DKR", "THS"]]


def test_launch_reads_the_data_of_all_sites_in_a_fixed_number_of_queries(network, national_admin):
    """The reads do not grow with the sites; the answers go in by batches (SQLite limits the
    parameters of one statement; PostgreSQL takes 2000 rows at a time)."""
    referential_publish_default()
    with CaptureQueriesContext(connection) as queries:
        campaign = campaigns.campaign_launch(
            actor=national_admin,
            title="Réseau",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            due_date=timezone.localdate() + timedelta(days=10),
        )
    sites = Site.objects.exclude(status=Site.Status.CLOSED).count()
    assert campaign.assessments.count() == sites >= 40
    answers = Answer.objects.filter(assessment__campaign=campaign).count()
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) <= 8 + 5  # + the quality figures (PIL-1.1 reads staff_trained_pct)
    assert len(queries) <= len(reads) + 4 + answers // 100


def test_launch_at_the_pilot_sites_or_chosen_ones(setup):
    campaign = launch(setup, sites=[setup["thies"]])
    assert [a.site.code for a in campaign.assessments.all()] == ["THS"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "title"),
        ({"period_end": date(2020, 1, 1)}, "ends before it starts"),
        ({"period_end": date.today() + timedelta(days=3)}, "must be over"),
        ({"due_date": date(2020, 1, 1)}, "already past"),
        ({"sites": []}, "at least one site"),
    ],
)
def test_bad_launch_is_refused_and_writes_nothing(setup, change, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(Invalid, match=message):
        launch(setup, **change)
    assert not Campaign.objects.exists() and not Answer.objects.exists()


def test_only_the_national_team_launches(setup):
    with pytest.raises(Forbidden):
        launch(setup, actor=setup["manager"])
    assert not Campaign.objects.exists()


def test_declared_answers_of_the_last_campaign_are_offered_without_their_evidence(
    setup, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    first = launch(setup, sites=[setup["dakar"]])
    assessment = first.assessments.get()
    row = answer(assessment, "INFO-1.1")
    campaigns.answer_save(actor=setup["officer"], answer=row, choice="partly", comment="Affiché")
    evidence_add(actor=setup["officer"], upload=SimpleUploadedFile("a.pdf", PDF), answer=row)
    second = launch(setup, title="Suivante", sites=[setup["dakar"]])
    carried = answer(second.assessments.get(), "INFO-1.1")
    assert (carried.choice, carried.comment) == ("partly", "Affiché")
    assert carried.updated_at is None and not carried.evidence.exists()
    assert answer(second.assessments.get(), "INFO-1.2").choice == ""


def test_the_officer_answers_declared_criteria_and_each_answer_is_audited(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    row = campaigns.answer_save(
        actor=setup["officer"], answer=answer(assessment, "ACC-1.1"), choice="yes", comment="Oui"
    )
    row.refresh_from_db()
    assert (row.choice, row.comment, row.updated_by) == ("yes", "Oui", setup["officer"])
    entry = AuditEntry.objects.get(action="quality.answer")
    assert entry.changes == {"choice": ["", "yes"], "comment": ["", "Oui"]}


def test_a_measured_result_is_disputed_never_overwritten(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    with pytest.raises(Invalid):
        campaigns.answer_save(
            actor=setup["officer"], answer=answer(assessment, "REP-2.1"), choice="yes"
        )
    row = campaigns.answer_save(
        actor=setup["officer"],
        answer=answer(assessment, "REP-2.1"),
        comment="Les réponses tardives datent d'une panne",
        disputed=True,
    )
    row.refresh_from_db()
    assert row.disputed and row.value == 40.0 and row.choice == ""
    with pytest.raises(Invalid):
        campaigns.answer_save(
            actor=setup["officer"], answer=answer(assessment, "ACC-1.2"), comment="Vu"
        )
    progress = {p.assessment.site.code: p for p in campaigns.campaign_progress(assessment.campaign)}
    assert progress["DKR"].disputed == 1 and progress["THS"].disputed == 0


def test_another_sites_officer_cannot_answer(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    other = staff(Role.QUALITY_OFFICER, site=setup["thies"])
    with pytest.raises(Forbidden):
        campaigns.answer_save(actor=other, answer=answer(assessment, "ACC-1.1"), choice="yes")
    assert not AuditEntry.objects.filter(action="quality.answer").exists()


def test_submission_lists_the_missing_declared_criteria(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    with pytest.raises(Invalid) as refused:
        campaigns.assessment_transition(
            actor=setup["manager"], assessment=assessment, to=Status.SUBMITTED
        )
    assert "INFO-1.1" in refused.value.message and "PIL-3.2" in refused.value.message
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT and not AssessmentTransition.objects.exists()


def test_the_manager_submits_and_the_score_is_frozen(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    answer_all_declared(assessment, setup["officer"])
    with pytest.raises(Forbidden):  # the officer fills, the manager submits
        campaigns.assessment_transition(
            actor=setup["officer"], assessment=assessment, to=Status.SUBMITTED
        )
    done = campaigns.assessment_transition(
        actor=setup["manager"], assessment=assessment, to=Status.SUBMITTED
    )
    assert done.status == Status.SUBMITTED and done.submitted_by == setup["manager"]
    grid = campaigns.grid(done)
    assert done.overall == grid.result.overall and done.label_ready is False
    assert grid.rows["REP-2.1"].result.reason == "not_met"
    assert "REP-2.1" in grid.result.gaps and "INFO-1.1" not in grid.result.gaps
    # More data of the period after submission does not move the frozen figures.
    quarter_data(setup["dakar"])
    frozen = campaigns.grid(Assessment.objects.get(pk=done.pk))
    assert frozen.rows["INFO-3.2"].answer.value == 35
    transition = AssessmentTransition.objects.get()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        Status.DRAFT,
        Status.SUBMITTED,
        setup["manager"],
    )
    assert AuditEntry.objects.filter(action="quality.assessment_submitted").exists()


def test_measured_values_follow_the_data_until_submission(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    quarter_data(setup["dakar"])  # late data for the same period
    grid = campaigns.grid(
        Assessment.objects.select_related("campaign", "site").get(pk=assessment.pk)
    )
    assert grid.rows["INFO-3.2"].answer.value == 70


def test_national_team_accepts_or_returns_with_remarks(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    with pytest.raises(Conflict):  # a draft is not accepted
        campaigns.assessment_transition(
            actor=setup["admin"], assessment=assessment, to=Status.ACCEPTED
        )
    answer_all_declared(assessment, setup["officer"])
    campaigns.assessment_transition(actor=setup["manager"], assessment=assessment, to="submitted")
    with pytest.raises(Forbidden):
        campaigns.assessment_transition(
            actor=setup["manager"], assessment=assessment, to=Status.ACCEPTED
        )
    with pytest.raises(Invalid):
        campaigns.assessment_transition(
            actor=setup["admin"], assessment=assessment, to=Status.RETURNED, remarks=" "
        )
    returned = campaigns.assessment_transition(
        actor=setup["admin"], assessment=assessment, to=Status.RETURNED, remarks="Preuves ?"
    )
    assert returned.remarks == "Preuves ?"
    # Returned: the site may change its grid again, then submits again.
    campaigns.answer_save(
        actor=setup["officer"], answer=answer(assessment, "INFO-1.1"), choice="partly"
    )
    campaigns.assessment_transition(actor=setup["manager"], assessment=assessment, to="submitted")
    accepted = campaigns.assessment_transition(
        actor=setup["admin"], assessment=assessment, to=Status.ACCEPTED
    )
    assert accepted.status == Status.ACCEPTED and accepted.decided_by == setup["admin"]
    assert list(assessment.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    with pytest.raises(Conflict):
        campaigns.answer_save(
            actor=setup["officer"], answer=answer(assessment, "INFO-1.1"), choice="yes"
        )


def test_a_closed_campaign_takes_no_answer(setup):
    campaign = launch(setup)
    with pytest.raises(Forbidden):
        campaigns.campaign_close(actor=setup["manager"], campaign=campaign)
    campaigns.campaign_close(actor=setup["admin"], campaign=campaign)
    with pytest.raises(Conflict):
        campaigns.campaign_close(actor=setup["admin"], campaign=campaign)
    assessment = campaign.assessments.get(site=setup["dakar"])
    with pytest.raises(Conflict, match="clôturée"):
        campaigns.answer_save(
            actor=setup["officer"], answer=answer(assessment, "ACC-1.1"), choice="yes"
        )
    assert Answer.objects.get(assessment=assessment, criterion__code="ACC-1.1").choice == ""
    assert not AuditEntry.objects.filter(action="quality.answer").exists()
    with pytest.raises(Conflict):
        campaigns.assessment_transition(
            actor=setup["manager"], assessment=assessment, to=Status.SUBMITTED
        )


def test_observed_criteria_come_from_the_latest_completed_audit(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    dakar, referential = setup["dakar"], setup["referential"]
    older = Audit.objects.create(
        site=dakar, referential=referential, kind="internal", planned_on=date(2025, 1, 5),
        performed_on=date(2025, 1, 5), status=Audit.Status.COMPLETED,
    )  # fmt: skip
    latest = Audit.objects.create(
        site=dakar, referential=referential, kind="internal", planned_on=date(2025, 6, 5),
        performed_on=date(2025, 6, 5), status=Audit.Status.COMPLETED,
    )  # fmt: skip
    planned = Audit.objects.create(
        site=dakar, referential=referential, kind="internal", planned_on=date(2025, 9, 5)
    )
    courtesy = Criterion.objects.get(code="ACC-1.2", engagement__theme__referential=referential)
    Finding.objects.create(audit=older, criterion=courtesy, result="major")
    Finding.objects.create(audit=latest, criterion=courtesy, result="minor", note="Badge absent")
    Finding.objects.create(audit=planned, criterion=courtesy, result="conform")
    row = campaigns.grid(assessment).rows["ACC-1.2"]
    assert row.finding.note == "Badge absent" and row.result.score == 0.5


def test_scores_per_theme_and_label_readiness(setup):
    assessment = launch(setup).assessments.get(site=setup["dakar"])
    answer_all_declared(assessment, setup["officer"])
    grid = campaigns.grid(assessment)
    assert grid.answered == (grid.answered[1], grid.answered[1])
    assert grid.result.themes["ECO"] > grid.result.themes["REP"]
    assert grid.result.label_ready is False  # REP-2.1 is mandatory and not met
    assert grid.rows["ECO-1.1"].result.reason == "met"
    assert grid.rows["ACC-2.1"].result.reason == "too_few"


def test_grid_and_progress_read_in_a_fixed_number_of_queries(setup, django_assert_max_num_queries):
    campaign = launch(setup)
    assessment = campaign.assessments.select_related("campaign", "site").get(site=setup["dakar"])
    with django_assert_max_num_queries(9 + 5):  # + the quality figures
        campaigns.grid(assessment)
    campaign = Campaign.objects.get(pk=campaign.pk)
    with django_assert_max_num_queries(9 + 5):  # + mystery checks, + the quality figures
        campaigns.campaign_progress(campaign)
