import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from teranga.indicators.selectors import site_area
from teranga.network.models import Site
from teranga.steering.reports import (
    FORMATS,
    ReportError,
    month_parse,
    national_report,
    report_render,
    site_report,
)


class Command(BaseCommand):
    help = (
        "Write the monthly report of a site (--site DKR) or of the network (--national) as PDF "
        "or XLSX, in French, from the rollups. Progress goes to stderr."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--site", help="the site's code, e.g. DKR")
        scope.add_argument("--national", action="store_true", help="the network's report")
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument("--format", dest="fmt", choices=list(FORMATS), default="pdf")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    @no_translations  # messages in English like the other commands; the report is in French
    def handle(self, *args, site, national, month, fmt, output, **options):
        try:
            first = month_parse(month)
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        area = None
        if site:
            found = Site.objects.filter(code=site.upper()).first()
            if found is None:
                raise CommandError(f"Unknown site: {site!r}.")
            area = site_area(found)
        path = Path(output)
        # Checked before the work, so a typo does not cost a whole generation.
        folder = path.parent
        if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise CommandError(f"Cannot write {output}: not a writable file path.")
        if path.exists() and not os.access(path, os.W_OK):
            raise CommandError(f"Cannot write {output}: the file is read-only.")

        clock = time.monotonic()
        self._step("figures", clock)
        report = national_report(first) if national else site_report(area, first)
        self._step(f"rendering {fmt.upper()}", clock)
        body = report_render(report, fmt)
        self._step("writing", clock)
        try:
            path.write_bytes(body)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        seconds = time.monotonic() - clock
        self.stderr.write(f"done in {seconds:.1f} s")
        self.stdout.write(f"Wrote {output} ({len(body) / 1024:.0f} KB) in {seconds:.1f} s.")

    def _step(self, name: str, clock: float) -> None:
        self.stderr.write(f"{time.monotonic() - clock:5.1f} s  {name}…")
