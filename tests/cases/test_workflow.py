from datetime import timedelta

import pytest
from django.utils import timezone

from teranga.cases import services
from teranga.cases.models import Case, CaseEmail, CaseEvent, Notification, Status
from teranga.lib.errors import Conflict, Forbidden, Invalid
from teranga.messaging.models import OutboundSms
from teranga.network.selectors import working_calendar

pytestmark = pytest.mark.django_db


def test_an_agent_takes_a_case_and_only_the_manager_gives_it_to_someone_else(file_case, office):
    case = file_case().case
    services.case_assign(case=case, actor=office["agent"], assignee=office["agent"])
    case.refresh_from_db()
    assert (case.assignee, case.status) == (office["agent"], Status.IN_PROGRESS)
    with pytest.raises(Forbidden):
        services.case_assign(case=case, actor=office["agent"], assignee=office["manager"])
    services.case_assign(case=case, actor=office["manager"], assignee=office["agent"])
    with pytest.raises(Invalid):
        services.case_assign(case=case, actor=office["manager"], assignee=office["other_agent"])


def test_the_answer_is_signed_saved_and_announced_to_the_user(file_case, office):
    filed = file_case(phone="771234567", contact_consent=True)
    case = services.case_answer(
        case=filed.case, actor=office["agent"], text="We opened a second counter."
    )
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.public_answer.startswith("We opened a second counter.")
    assert "Awa Diop" in case.public_answer and office["dakar"].name in case.public_answer
    assert case.first_reply_on_time is True and case.resolved_on_time is True
    texts = list(OutboundSms.objects.values_list("text", flat=True))
    assert len(texts) == 2 and case.reference in texts[1]
    transition = CaseEvent.objects.get(case=case, type="status")
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "received",
        "answered",
        office["agent"],
    )


def test_a_complaint_cannot_be_closed_before_it_is_answered(file_case, office):
    case = file_case().case
    with pytest.raises(Conflict):
        services.case_status_set(case=case, actor=office["agent"], to="closed")
    with pytest.raises(Invalid):
        services.case_status_set(case=case, actor=office["agent"], to="answered")
    with pytest.raises(Invalid):
        services.case_status_set(case=case, actor=office["agent"], to="teleported")
    services.case_answer(case=case, actor=office["agent"], text="Done.")
    services.case_status_set(case=case, actor=office["agent"], to="closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    with pytest.raises(Conflict):
        services.case_status_set(case=case, actor=office["agent"], to="in_progress")


def test_a_holding_reply_gives_a_new_working_day_and_counts_as_a_first_reply(file_case, office):
    filed = file_case(email="fatou@example.sn", contact_consent=True)
    case = filed.case
    calendar = working_calendar()
    with pytest.raises(Invalid):
        services.case_holding_reply(
            case=case, actor=office["agent"], new_due_on=case.due_on, text="Later."
        )
    new_due = calendar.add_working_days(case.due_on, 5)
    services.case_holding_reply(
        case=case, actor=office["agent"], new_due_on=new_due, text="We need the ministry."
    )
    case.refresh_from_db()
    assert case.due_on == new_due and case.due_on_initial < new_due
    assert case.first_reply_on_time is True and case.status == Status.IN_PROGRESS
    assert "We need the ministry." in CaseEmail.objects.get(dedupe_key__contains="holding").body


def test_a_request_goes_through_its_statuses_and_the_user_gets_an_sms_when_ready(
    open_request, office
):
    case = open_request(phone="771234567", contact_consent=True).case
    agent = office["agent"]
    services.case_status_set(case=case, actor=agent, to="waiting_user")
    services.case_status_set(case=case, actor=agent, to="in_progress")
    with pytest.raises(Conflict):
        services.case_status_set(case=case, actor=agent, to="handed_over")
    services.case_status_set(case=case, actor=agent, to="ready")
    assert OutboundSms.objects.filter(text__contains="est prêt").count() == 1
    services.case_status_set(case=case, actor=agent, to="handed_over")
    case.refresh_from_db()
    assert case.status == Status.HANDED_OVER and case.resolved_on_time is True
    steps = list(
        CaseEvent.objects.filter(case=case, type="status").values_list("from_status", "to_status")
    )
    assert steps == [
        ("received", "waiting_user"),
        ("waiting_user", "in_progress"),
        ("in_progress", "ready"),
        ("ready", "handed_over"),
    ]
    with pytest.raises(Conflict):
        services.case_answer(case=case, actor=agent, text="no")


def test_a_refusal_needs_a_reason(open_request, office):
    case = open_request().case
    with pytest.raises(Invalid):
        services.case_status_set(case=case, actor=office["agent"], to="refused")
    services.case_status_set(
        case=case, actor=office["agent"], to="refused", reason="Birth certificate missing."
    )
    case.refresh_from_db()
    assert case.refusal_reason == "Birth certificate missing."


def test_staff_of_another_site_cannot_touch_a_case(file_case, office):
    case = file_case().case
    intruder = office["other_agent"]
    for call in (
        lambda: services.case_answer(case=case, actor=intruder, text="x"),
        lambda: services.case_assign(case=case, actor=intruder, assignee=intruder),
        lambda: services.case_comment(case=case, actor=intruder, text="x"),
        lambda: services.case_tags_set(case=case, actor=intruder, tags="x"),
        lambda: services.case_status_set(case=case, actor=intruder, to="in_progress"),
        lambda: services.case_escalate(case=case, actor=office["other_manager"]),
        lambda: services.case_reassign(
            case=case, actor=office["other_manager"], site=office["thies"]
        ),
    ):
        with pytest.raises(Forbidden):
            call()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and not case.tags


def test_the_manager_reassigns_to_another_site_and_escalates_to_the_region(file_case, office):
    case = file_case().case
    with pytest.raises(Forbidden):
        services.case_escalate(case=case, actor=office["agent"])
    services.case_escalate(case=case, actor=office["manager"], note="Needs the prefecture.")
    note = Notification.objects.get(case=case)
    assert (note.user, note.type) == (office["supervisor"], "escalated")
    assert CaseEmail.objects.filter(to="sup@example.sn").exists()
    services.case_reassign(case=case, actor=office["manager"], site=office["thies"])
    case.refresh_from_db()
    assert case.site == office["thies"] and case.reference.startswith("R-DKR-")
    assert Notification.objects.filter(case=case, user=office["other_manager"]).exists()


def test_tags_and_comments(file_case, office):
    case = file_case().case
    services.case_tags_set(case=case, actor=office["agent"], tags="Accueil, attente,accueil")
    case.refresh_from_db()
    assert case.tag_list == ["accueil", "attente"]
    with pytest.raises(Invalid):
        services.case_comment(case=case, actor=office["agent"], text="  ")
    services.case_comment(case=case, actor=office["agent"], text="Called the user.")
    assert case.comments.get().author == office["agent"]


def test_the_user_rates_the_answer_once(file_case, office):
    case = file_case().case
    with pytest.raises(Conflict):
        services.case_rate(case=case, rating=4)
    services.case_answer(case=case, actor=office["agent"], text="Done.")
    with pytest.raises(Invalid):
        services.case_rate(case=case, rating=9)
    services.case_rate(case=case, rating=4)
    with pytest.raises(Conflict):
        services.case_rate(case=case, rating=5)
    assert Case.objects.get(pk=case.pk).rating == 4


def test_an_answer_after_the_due_date_is_recorded_as_late(file_case, office):
    case = file_case().case
    Case.objects.filter(pk=case.pk).update(
        due_on=timezone.localdate() - timedelta(days=1),
        due_on_initial=timezone.localdate() - timedelta(days=1),
    )
    case.refresh_from_db()
    services.case_answer(case=case, actor=office["agent"], text="Sorry for the delay.")
    case.refresh_from_db()
    assert case.first_reply_on_time is False and case.resolved_on_time is False
