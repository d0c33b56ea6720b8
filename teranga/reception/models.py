"""Reception: tickets, their life at the counters, and the counters' opening sessions.

Measured data for every indicator: timestamps issued / called / serving started / finished,
counter, agent, procedure, priority, outcome, transfers. Wait and service durations are kept in
seconds when they become known, so that aggregates are plain SQL sums over indexed rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teranga.network.models import Counter, Procedure, Site


class Priority(models.TextChoices):
    NONE = "none", _("none")
    ELDERLY = "elderly", _("elderly person")
    DISABILITY = "disability", _("person with a disability")
    PREGNANCY = "pregnancy", _("pregnant woman")


class Outcome(models.TextChoices):
    DONE = "done", _("done")
    REDIRECTED = "redirected", _("redirected")
    INCOMPLETE = "incomplete", _("incomplete file")


class TicketSequence(models.Model):
    """The last number given today at a site for one ticket letter."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="+")
    day = models.DateField()
    letter = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)
    # The issue time of the last number: the next one is never earlier, so numbers increase
    # with issue time even when two kiosks read the clock in one order and lock the line in
    # the other.
    last_issued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "letter"], name="sequence_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day} {self.letter}: {self.last}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CALLED = "called", _("called")
        SERVING = "serving", _("being served")
        FINISHED = "finished", _("finished")
        NO_SHOW = "no_show", _("did not come")
        EXPIRED = "expired", _("not served before closing")

    ACTIVE = (Status.WAITING, Status.CALLED, Status.SERVING)

    site = models.ForeignKey(
        Site, models.PROTECT, related_name="tickets", verbose_name=_("site"), db_index=False
    )
    day = models.DateField(_("day"), help_text=_("Local date (Africa/Dakar) of issue."))
    letter = models.CharField(_("letter"), max_length=1)
    sequence = models.PositiveIntegerField(_("sequence"))
    procedure = models.ForeignKey(
        Procedure, models.PROTECT, related_name="tickets", verbose_name=_("procedure")
    )
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority, default=Priority.NONE
    )
    # Derived from priority, stored so that "priority first, then arrival" is one ORDER BY.
    is_priority = models.BooleanField(default=False)
    language = models.CharField(_("language"), max_length=5, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome, blank=True)
    # Where the ticket is expected next after a transfer to a given counter.
    # The foreign keys' own indexes are replaced by those of Meta.indexes (see there).
    target_counter = models.ForeignKey(
        Counter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred to counter"),
        db_index=False,
    )
    counter = models.ForeignKey(
        Counter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter"),
        db_index=False,
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
        db_index=False,
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_hour = models.PositiveSmallIntegerField(_("local hour of issue"))
    called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    serving_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("service (s)"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    sms_consent = models.BooleanField(_("SMS consent"), default=False)
    near_sms_sent = models.BooleanField(default=False)
    client_id = models.UUIDField(_("client id"), unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    feedback_code = models.CharField(_("feedback code"), max_length=8)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "letter", "sequence"], name="ticket_unique_number"
            ),
            # Unique within a day across the network: a code typed days later by SMS or USSD
            # names the most recent ticket that carries it. A global constraint would make
            # draws collide more and more as the history grows.
            models.UniqueConstraint(fields=["day", "feedback_code"], name="ticket_feedback_day"),
        ]
        # Every index is written by every ticket issued and by every row of a history load:
        # none repeats another's leading column (site is led by ticket_site_day and
        # ticket_queue), and those on a key still empty when a ticket is issued (counter,
        # agent, transfer target) are partial, so issuing a ticket does not write them. A
        # comparison on a column implies it is not null, so SQLite and PostgreSQL use them.
        indexes = [
            # The live queue: a site's waiting (or called) tickets of the day are one short
            # range of this index however long the history, and the people ahead of a ticket
            # (same line, priority, then arrival) are counted from the index alone. Not a
            # partial index: SQLite uses one only when a query repeats its condition word for
            # word.
            models.Index(
                fields=["site", "status", "day", "letter", "is_priority", "issued_at"],
                name="ticket_queue",
            ),
            # A counter's current ticket.
            models.Index(
                fields=["counter", "status"],
                name="ticket_counter_status",
                condition=Q(counter__isnull=False),
            ),
            models.Index(fields=["agent"], name="ticket_agent", condition=Q(agent__isnull=False)),
            models.Index(
                fields=["target_counter"],
                name="ticket_target_counter",
                condition=Q(target_counter__isnull=False),
            ),
            models.Index(fields=["feedback_code"], name="ticket_feedback_code"),
            # Daily figures and staffing (per site and day, then hour).
            models.Index(fields=["site", "day", "issued_hour"], name="ticket_site_day"),
            models.Index(fields=["phone"], name="ticket_phone_set", condition=~Q(phone="")),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.number} ({self.day:%Y-%m-%d})"

    @property
    def number(self) -> str:
        return f"{self.letter}-{self.sequence:03d}"


class TicketEvent(models.Model):
    """One transition of a ticket: who, when, from which status to which."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        CALLED = "called", _("called")
        RECALLED = "recalled", _("recalled")
        STARTED = "started", _("service started")
        FINISHED = "finished", _("finished")
        NO_SHOW = "no_show", _("no-show")
        TRANSFERRED = "transferred", _("transferred")
        EXPIRED = "expired", _("expired at the end of the day")

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    # Empty when a kiosk issues the ticket: partial indexes (Meta), not written then.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    counter = models.ForeignKey(
        Counter, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["actor"], name="ticketevent_actor", condition=Q(actor__isnull=False)
            ),
            models.Index(
                fields=["counter"], name="ticketevent_counter", condition=Q(counter__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_status}→{self.to_status}"


class CounterSession(models.Model):
    """A counter open with an agent behind it; closed_at is empty while it is open."""

    counter = models.ForeignKey(Counter, models.CASCADE, related_name="sessions")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["counter"],
                condition=Q(closed_at__isnull=True),
                name="one_open_session_per_counter",
            ),
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(closed_at__isnull=True),
                name="one_open_counter_per_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter} · {self.agent} · {self.opened_at:%Y-%m-%d %H:%M}"


class WaitTarget(models.Model):
    """A target wait for one procedure at one site, when it differs from the site's own."""

    site = models.ForeignKey(
        Site, models.CASCADE, related_name="wait_targets", verbose_name=_("site")
    )
    procedure = models.ForeignKey(
        Procedure, models.CASCADE, related_name="+", verbose_name=_("procedure")
    )
    minutes = models.PositiveSmallIntegerField(_("target wait (minutes)"))

    class Meta:
        verbose_name = _("target wait")
        verbose_name_plural = _("target waits")
        constraints = [
            models.UniqueConstraint(fields=["site", "procedure"], name="wait_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.procedure} · {self.minutes} min"
