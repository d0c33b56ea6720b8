from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from teranga.network.models import Device, Site
from teranga.network.services import device_create


class Command(BaseCommand):
    help = "Register a kiosk, display screen or rating tablet on a site; prints its token once."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="site code, e.g. DKR")
        parser.add_argument("--kind", required=True, choices=Device.Kind.values)
        parser.add_argument("--name", default="", help="a label, e.g. 'Borne entrée'")

    def handle(self, *args, site, kind, name, **options):
        site_obj = Site.objects.filter(code=site).first()
        if site_obj is None:
            raise CommandError(f"Unknown site {site!r}.")
        try:
            device, raw = device_create(site=site_obj, kind=kind, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"Device #{device.pk} '{device.name}' registered on {site_obj.code}. "
            "Copy the token below now: it will not be shown again."
        )
        self.stdout.write(raw)
