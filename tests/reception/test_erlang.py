import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from teranga.lib.erlang import counters_needed, erlang_c, service_level
from teranga.reception.models import Ticket
from teranga.reception.selectors import staffing_advice


def test_erlang_c_matches_a_textbook_value():
    # 10 erlangs offered to 11 servers: P(wait) ≈ 0.6821 (standard tables).
    assert erlang_c(11, 10) == pytest.approx(0.6821, abs=1e-3)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)


def test_counters_needed_for_a_busy_hour():
    # 60 arrivals/h, 6 min each = 6 erlangs; 80 % within 20 min needs 7 counters.
    assert counters_needed(60, 6, 20, 0.8) == 7
    assert service_level(7, 60, 6, 20) >= 0.8 > service_level(6, 60, 6, 20)
    assert counters_needed(0, 6, 20, 0.8) == 0


@given(
    arrivals=st.floats(1, 300),
    service=st.floats(1, 30),
    target=st.floats(1, 60),
    share=st.floats(0.5, 0.95),
)
def test_the_advised_number_meets_the_target_and_one_less_does_not(
    arrivals, service, target, share
):
    n = counters_needed(arrivals, service, target, share)
    assert service_level(n, arrivals, service, target) >= share
    assert n * 60 / service > arrivals  # the queue is stable
    if n > 1:
        assert service_level(n - 1, arrivals, service, target) < share


@given(n=st.integers(1, 40), load=st.floats(0.01, 39.9))
def test_erlang_c_is_a_probability(n, load):
    assert 0 <= erlang_c(n, load) <= 1


@pytest.mark.django_db
def test_staffing_advice_reads_the_same_weekday_of_past_weeks(desk, issue):
    today = timezone.localdate()
    ticket = issue()
    rows = []
    for weeks_ago in (1, 2):
        day = today - timedelta(weeks=weeks_ago)
        for i in range(30):
            rows.append(
                Ticket(
                    site=desk["site"],
                    day=day,
                    letter="A",
                    sequence=i + 1,
                    procedure=desk["birth"],
                    issued_at=timezone.now() - timedelta(weeks=weeks_ago),
                    issued_hour=9,
                    service_seconds=600,
                    status="finished",
                    client_id=uuid.uuid4(),
                    feedback_code=f"{weeks_ago}{i:07d}",
                )
            )
    Ticket.objects.bulk_create(rows)
    advice = staffing_advice(desk["site"], weeks=2, today=today)
    assert advice == [
        {
            "hour": 9,
            "arrivals_per_hour": 30.0,
            "service_minutes": 10.0,
            "counters": counters_needed(30, 10, 20, 0.8),
        }
    ]
    assert ticket.day == today  # today's own tickets do not count
