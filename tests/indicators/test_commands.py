"""The rebuild command, and the worker keeping today's figures live."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from teranga.indicators.models import Level, Refresh, Rollup
from teranga.indicators.selectors import last_update
from tests.factories import ProcedureFactory
from tests.indicators.data import ticket


def test_rebuild_command_reports_and_refuses_bad_dates(two_sites, capsys):
    dakar, _ = two_sites
    ticket(dakar, ProcedureFactory(), date(2026, 10, 5), wait=60, service=60)
    call_command("indicators_rebuild", "--from", "2026-09-01", "--to", "2026-10-31")
    out = capsys.readouterr()
    assert "Rollups rebuilt from 2026-09-01 to 2026-10-31: 1 site-days" in out.out
    assert "2026-10" in out.err  # progress, month by month
    assert Rollup.objects.get(level=Level.NATIONAL, grain="month", dim="").tickets == 1
    with pytest.raises(CommandError, match="Not a date"):
        call_command("indicators_rebuild", "--from", "yesterday")
    with pytest.raises(CommandError, match="must not be after"):
        call_command("indicators_rebuild", "--from", "2026-10-02", "--to", "2026-10-01")


def test_worker_round_refreshes_today(two_sites):
    dakar, _ = two_sites
    assert last_update() is None
    ticket(dakar, ProcedureFactory(), timezone.localdate(), wait=60, service=60)
    call_command("run_worker", "--once")
    today = Rollup.objects.get(
        level=Level.NATIONAL, grain="day", dim="", period=timezone.localdate()
    )
    assert today.tickets == 1
    assert last_update() == Refresh.objects.get().finished_at
