from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from teranga.demo.cases import demo_cases
from teranga.demo.listening import demo_listening
from teranga.demo.quality_actions import demo_quality_actions
from teranga.demo.quality_audits import demo_quality_audits
from teranga.demo.quality_campaigns import demo_campaigns
from teranga.demo.reception import demo_reception
from teranga.indicators.services import rollups_rebuild
from teranga.lib.days import day_start
from teranga.network.models import RoleAssignment, Site
from teranga.network.services import DEMO_PASSWORD, DEMO_USERS, demo_seed
from teranga.quality.services import referential_publish_default

# The past every demo writes, history or not: four weeks of ratings, complaints, requests.
DEMO_PAST_DAYS = 28


class Command(BaseCommand):
    help = (
        "Load the reference network, one demo user per role and, at the pilot sites, a "
        "morning of activity, four weeks of users' ratings, complaints and tracked requests, "
        "the quality referential shipped with Teranga, then the indicators' rollups and two "
        "self-assessment campaigns at the pilots (demo mode only; idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history-days",
            type=int,
            default=0,
            help="also generate this many days of synthetic history at every site (see "
            "generate_history) before the quality demo, so that its campaigns are scored from it",
        )

    def handle(self, *args, history_days, **options):
        if not settings.TERANGA_DEMO:
            raise CommandError(
                "Demo data is refused outside demo mode: set TERANGA_DEMO=1 "
                "(make run does) on a machine that is not in production."
            )
        counts = demo_seed()
        referential_publish_default()
        for site in Site.objects.filter(is_pilot=True).order_by("code"):
            demo_reception(site)
            demo_cases(site)
            demo_listening(site)
            demo_quality_actions(site)
        if history_days:
            call_command("generate_history", days=history_days, stdout=self.stdout)
        demo_quality_audits()
        # The demo's staff held their roles through the past the demo writes: the staff
        # indicators count a person from the day of their role (else every past month of
        # the demo would show no staff at all, and 0 % trained).
        start = timezone.localdate() - timedelta(days=max(history_days, DEMO_PAST_DAYS))
        RoleAssignment.objects.filter(created_at__date__gt=start).update(
            created_at=day_start(start)
        )
        rollups_rebuild()
        demo_campaigns()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username in dict.fromkeys(u for u, *_ in DEMO_USERS):
            roles = [
                f"{role.label}" + (f" {site}" if site else f" {region}" if region else "")
                for u, role, site, region in DEMO_USERS
                if u == username
            ]
            self.stdout.write(f"  {username:<18} {', '.join(roles)}")
        self.stdout.write("  agent1.dkr … agent3.slo: agents at the counters open at each pilot")
