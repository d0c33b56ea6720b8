import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from teranga.demo.history import DEFAULT_SEED, Progress, history_generate
from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Site


class Command(BaseCommand):
    help = (
        "Write a synthetic history of the N days before today (never today): tickets with "
        "realistic arrivals, waits and service times, users' ratings, complaints and tracked "
        "requests. Deterministic for a seed; (site, day) pairs that already have tickets are "
        "skipped; the indicators' rollups of those months are rebuilt (demo mode only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, required=True, help="days of history, up to yesterday"
        )
        parser.add_argument(
            "--sites", default="", help="comma-separated site codes (default: every site)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")
        parser.add_argument(
            "--no-rollups",
            action="store_true",
            help="do not rebuild the indicators' rollups of the generated months afterwards",
        )

    def handle(self, *args, days, sites, seed, quiet, no_rollups, verbosity, **options):
        if not settings.TERANGA_DEMO:
            raise CommandError(
                "Synthetic history is refused outside demo mode: set TERANGA_DEMO=1 "
                "(make run does) on a machine that is not in production."
            )
        if days < 1:
            raise CommandError("--days must be at least 1.")
        selected = None
        if sites:
            codes = [c.strip().upper() for c in sites.split(",") if c.strip()]
            selected = list(Site.objects.filter(code__in=codes))
            unknown = sorted(set(codes) - {s.code for s in selected})
            if unknown:
                raise CommandError(f"Unknown site code(s): {', '.join(unknown)}.")
        show = not quiet and verbosity > 0
        last_shown = [0.0]

        def progress(p: Progress) -> None:
            if show and (time.monotonic() - last_shown[0] >= 3 or p.days_done == p.days):
                last_shown[0] = time.monotonic()
                self.stderr.write(_line(p))

        totals = history_generate(days=days, sites=selected, seed=seed, progress=progress)
        if verbosity > 0:
            self.stdout.write(_summary(totals))
        if not no_rollups:
            today = timezone.localdate()
            run = rollups_rebuild(today - timedelta(days=days), today)
            if verbosity > 0:
                seconds = (run.finished_at - run.started_at).total_seconds()
                self.stdout.write(f"Indicators' rollups rebuilt in {seconds:.1f} s.")


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "–"


def _line(p: Progress) -> str:
    return (
        f"{p.last_day}: {p.days_done}/{p.days} days, {p.tickets:,} tickets "
        f"({_rate(p.tickets, p.seconds)}), {p.ratings:,} ratings, {p.cases:,} cases"
    )


def _summary(p: Progress) -> str:
    lines = [
        f"{p.tickets:,} tickets, {p.ratings:,} ratings and {p.cases:,} cases over {p.days} days "
        f"in {p.seconds:.1f} s ({_rate(p.tickets, p.seconds)} tickets overall; "
        f"CPU of this process {p.cpu_seconds:.1f} s)."
    ]
    for name, count in (("tickets", p.tickets), ("ratings", p.ratings), ("cases", p.cases)):
        wall, cpu = p.phases[name]
        lines.append(
            f"  {name}: {wall:.1f} s, {_rate(count, wall)} (CPU {cpu:.1f} s, {_rate(count, cpu)})"
        )
    wall, cpu = p.phases["commit"]
    lines.append(f"  commits: {wall:.1f} s (CPU {cpu:.1f} s)")
    return "\n".join(lines)
