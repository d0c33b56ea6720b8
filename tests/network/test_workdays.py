from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teranga.lib.workdays import WorkingCalendar, calendar_from_overrides
from teranga.network.models import HolidayOverride
from teranga.network.selectors import working_calendar

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("filed", "n", "due"),
    [
        # The examples: the filing day never counts; 25 Dec and 1 Jan are holidays.
        (date(2026, 11, 29), 15, date(2026, 12, 18)),
        (date(2026, 12, 24), 15, date(2027, 1, 18)),
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        # Easter Monday 6 Apr 2026 (and 4 Apr, Independence Day, is a Saturday).
        (date(2026, 4, 2), 3, date(2026, 4, 8)),
        # Ascension Thursday 14 May 2026.
        (date(2026, 5, 13), 1, date(2026, 5, 15)),
        # Tabaski estimated on Wednesday 27 May 2026.
        (date(2026, 5, 26), 1, date(2026, 5, 28)),
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
    ],
)
def test_due_date_is_nth_working_day_after_filing(filed, n, due):
    assert CAL.add_working_days(filed, n) == due


def test_counting_working_days_across_christmas_and_new_year():
    assert CAL.count_working_days(date(2026, 12, 24), date(2027, 1, 18)) == 15
    assert CAL.count_working_days(date(2027, 1, 18), date(2026, 12, 24)) == -15
    assert CAL.count_working_days(date(2026, 12, 25), date(2026, 12, 25)) == 0


def test_weekends_and_holidays_are_not_working_days():
    assert not CAL.is_working_day(date(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(date(2026, 12, 25))  # Christmas
    assert not CAL.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert CAL.is_working_day(date(2026, 12, 24))


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 1, 5), -1)


@pytest.mark.django_db
def test_a_decreed_day_off_pushes_the_deadline():
    HolidayOverride.objects.create(date=date(2026, 5, 28), name="Lendemain de Tabaski")
    assert working_calendar().add_working_days(date(2026, 5, 26), 1) == date(2026, 5, 29)


@pytest.mark.django_db
def test_moving_an_estimated_holiday_moves_the_day_off():
    # Tabaski was estimated on 27 May; the authorities fixed it on 28 May.
    HolidayOverride.objects.create(
        date=date(2026, 5, 27), is_holiday=False, name="Tabaski (date estimée)"
    )
    HolidayOverride.objects.create(date=date(2026, 5, 28), name="Tabaski")
    calendar = working_calendar()
    assert calendar.add_working_days(date(2026, 5, 26), 1) == date(2026, 5, 27)
    assert calendar.add_working_days(date(2026, 5, 26), 2) == date(2026, 5, 29)
    holidays_2026 = calendar.holidays_of(2026)
    assert date(2026, 5, 28) in holidays_2026
    assert date(2026, 5, 27) not in holidays_2026


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_counting_undoes_adding(start, n):
    due = CAL.add_working_days(start, n)
    assert CAL.count_working_days(start, due) == n
    if n:
        assert CAL.is_working_day(due)
        assert due > start


@given(start=days, n=st.integers(min_value=1, max_value=30))
def test_an_override_never_shortens_a_deadline(start, n):
    extra_day = start + timedelta(days=1 + n // 2)
    calendar = calendar_from_overrides([(extra_day, True, "décret")])
    assert calendar.add_working_days(start, n) >= CAL.add_working_days(start, n)
