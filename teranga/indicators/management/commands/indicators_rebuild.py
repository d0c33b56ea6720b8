from datetime import date

from django.core.management.base import BaseCommand, CommandError

from teranga.indicators.services import rollups_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = (
        "Recompute the indicators' daily and monthly rollups from the raw data (tickets, "
        "ratings, cases), month by month. Without dates: from the first datum to today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", type=_day, help="last day (YYYY-MM-DD)")

    def handle(self, *args, first, last, verbosity, **options):
        if first and last and first > last:
            raise CommandError("--from must not be after --to.")

        def progress(chunk, end, first, last, seconds):
            done = (end - first).days + 1
            total = (last - first).days + 1
            self.stderr.write(f"  {end:%Y-%m}  {done}/{total} days  {seconds:.0f} s")

        run = rollups_rebuild(first, last, progress=progress if verbosity > 0 else None)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"Rollups rebuilt from {run.first_day} to {run.last_day}: "
            f"{run.days} site-days in {seconds:.1f} s."
        )
