from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from teranga.quality.services import (
    DEFAULT_REFERENTIAL,
    InvalidReferential,
    referential_parse,
    referential_publish,
)


class Command(BaseCommand):
    help = (
        "Publish a quality referential version from a JSON file (default: the referential "
        "shipped with Teranga) and make it current. An existing version is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_REFERENTIAL))
        parser.add_argument("--not-current", action="store_true", help="publish, keep the current")

    def handle(self, *args, file, not_current, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            referential, created = referential_publish(
                referential_parse(text), make_current=not not_current
            )
        except InvalidReferential as exc:
            raise CommandError("Invalid referential:\n- " + "\n- ".join(exc.problems)) from None
        state = "published" if created else "already published"
        self.stdout.write(f"Referential {referential.version} {state}.")
