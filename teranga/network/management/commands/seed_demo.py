from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from teranga.network.services import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Load the reference network and one demo user per role (demo mode only)."

    def handle(self, *args, **options):
        if not settings.TERANGA_DEMO:
            raise CommandError(
                "Demo data is refused outside demo mode: set TERANGA_DEMO=1 "
                "(make run does) on a machine that is not in production."
            )
        counts = demo_seed()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username in dict.fromkeys(u for u, *_ in DEMO_USERS):
            roles = [
                f"{role.label}" + (f" {site}" if site else f" {region}" if region else "")
                for u, role, site, region in DEMO_USERS
                if u == username
            ]
            self.stdout.write(f"  {username:<18} {', '.join(roles)}")
