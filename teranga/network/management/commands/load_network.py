from django.core.management.base import BaseCommand

from teranga.network.services import network_load


class Command(BaseCommand):
    help = (
        "Load or refresh the 14 regions, 46 departments and sites and the procedure "
        "catalogue from the data files. Idempotent; safe in production."
    )

    def handle(self, *args, **options):
        counts = network_load()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
