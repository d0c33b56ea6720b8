from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from teranga.network.models import Region, Role, Site
from teranga.network.services import role_grant, user_ensure


class Command(BaseCommand):
    help = (
        "Give USERNAME a ROLE on a site or a region (national roles take neither), creating "
        "the user when needed. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--site", help="site code, e.g. DKR")
        scope.add_argument("--region", help="region name or slug, e.g. Saint-Louis")
        parser.add_argument(
            "--password",
            help="set this password (else one is generated for a new user and printed once)",
        )

    def handle(self, *args, username, role, site, region, password, **options):
        site_obj = region_obj = None
        if site:
            site_obj = Site.objects.filter(code=site).first()
            if site_obj is None:
                raise CommandError(f"Unknown site {site!r}.")
        if region:
            region_obj = (
                Region.objects.filter(slug=region.lower()).first()
                or Region.objects.filter(name__iexact=region).first()
            )
            if region_obj is None:
                raise CommandError(f"Unknown region {region!r}.")
        try:
            with transaction.atomic():
                user, generated = user_ensure(username=username, password=password)
                _, created = role_grant(user=user, role=role, site=site_obj, region=region_obj)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        scope = site_obj or region_obj or "national"
        self.stdout.write(
            f"{username}: {role} on {scope} " + ("granted." if created else "already held.")
        )
        if generated:
            self.stdout.write("Generated password (shown once):")
            self.stdout.write(generated)
