"""Daily rollups: the additive facts of each day, kept per site (and per procedure and rating
channel), per region and for the nation, by day and by month.

Every indicator of the catalogue is a function of these counts and of the two histograms
(wait and service in whole minutes, see teranga/lib/histograms.py), so a year of the national
figures reads twelve rows, and medians stay exact because histograms add up. The rows are
rebuilt from the raw data (reception, listening, cases) by the services; they are never edited
by hand.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from teranga.network.models import Site


class Level(models.TextChoices):
    SITE = "site", _("site")
    REGION = "region", _("region")
    NATIONAL = "national", _("national")


class Grain(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")


# The additive counts of a rollup, in the order of the raw queries.
COUNTS = (
    "tickets",  # tickets issued
    "called",  # tickets called, whose wait is known
    "expired",  # tickets never called before closing
    "within_target",  # called within the site's target wait for the procedure
    "served",  # finished at a counter
    "no_show",  # called, did not come
    "responses",  # ratings received
    "satisfied",  # ratings 4–5
    "dissatisfied",  # ratings 1–2
    "complaints",  # complaints filed
    "complaints_due",  # complaints due that day, answered or overdue
    "complaints_on_time",  # of which answered by the due date
    "requests_due",  # tracked requests due that day, completed or overdue
    "requests_on_time",  # of which completed by the due date
)


class Rollup(models.Model):
    level = models.CharField(max_length=8, choices=Level)
    # The site's or the region's primary key; 0 for the nation.
    area = models.PositiveIntegerField()
    grain = models.CharField(max_length=5, choices=Grain)
    period = models.DateField(help_text="The day, or the first day of the month.")
    # "" for everything; "p<procedure pk>" or "c<rating channel>" for a slice (site days only).
    dim = models.CharField(max_length=16, blank=True, default="")
    tickets = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    within_target = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    complaints_due = models.PositiveIntegerField(default=0)
    complaints_on_time = models.PositiveIntegerField(default=0)
    requests_due = models.PositiveIntegerField(default=0)
    requests_on_time = models.PositiveIntegerField(default=0)
    wait_hist = models.TextField(blank=True, default="")
    service_hist = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area", "grain", "period", "dim"], name="rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.area} {self.grain} {self.period} {self.dim}"


class StaleDay(models.Model):
    """A past day of a site whose rollup must be recomputed (a late rating, a moved due date).
    The refresh job consumes these rows; today and yesterday are recomputed anyway."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="stale_day_unique")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"


class Refresh(models.Model):
    """One run of the refresh or the rebuild: what was recomputed, and when."""

    class Kind(models.TextChoices):
        REFRESH = "refresh", _("refresh")
        REBUILD = "rebuild", _("rebuild")

    kind = models.CharField(max_length=8, choices=Kind)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    first_day = models.DateField()
    last_day = models.DateField()
    days = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["finished_at"], name="refresh_finished")]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_day}…{self.last_day} ({self.finished_at:%Y-%m-%d %H:%M})"
