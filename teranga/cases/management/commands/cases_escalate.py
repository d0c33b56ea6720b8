from django.core.management.base import BaseCommand

from teranga.cases.alerts import cases_escalate


class Command(BaseCommand):
    help = (
        "Daily: alert the assignee of cases due soon, the site manager of late ones and the "
        "regional supervisor of those that stay late (each alert once). run_worker runs it."
    )

    def handle(self, *args, **options):
        counts = cases_escalate()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
