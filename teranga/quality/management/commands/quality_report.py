import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from teranga.network.models import Site
from teranga.quality.report import report_pdf, site_report


class Command(BaseCommand):
    help = (
        "Write the quality report of a site as PDF, in French: scores and label readiness "
        "(latest submitted self-assessment, else the live pre-score of the last quarter), "
        "gaps, action plan, training, evidence list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="the site's code, e.g. DKR")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    @no_translations  # messages in English like the other commands; the report is in French
    def handle(self, *args, site, output, **options):
        found = Site.objects.filter(code=site.upper()).first()
        if found is None:
            raise CommandError(f"Unknown site: {site!r}.")
        path = Path(output)
        if path.is_dir() or not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
            raise CommandError(f"Cannot write {output}: not a writable file path.")
        try:
            body = report_pdf(site_report(found))
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        try:
            path.write_bytes(body)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(f"Wrote {output} ({len(body) / 1024:.0f} KB).")
