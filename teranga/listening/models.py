"""Listening: users' ratings of their visit, from every channel, and the SMS survey.

A response is written once per `client_id` (the device's UUID, or one derived from the
aggregator's session or message id), so a replayed delivery never counts twice; a ticket is
rated at most once whatever the channel.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teranga.network.models import Counter, Device, Procedure, Site
from teranga.reception.models import Ticket


class Channel(models.TextChoices):
    TABLET = "tablet", _("rating tablet")
    QR = "qr", _("QR poster")
    TICKET = "ticket", _("ticket link")
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")
    WEB = "web", _("web form")


class Response(models.Model):
    class Moderation(models.TextChoices):
        PENDING = "pending", _("to read")
        PUBLISHED = "published", _("publishable")
        HIDDEN = "hidden", _("hidden")

    # Foreign keys without an index of their own are covered by one of Meta (see there).
    site = models.ForeignKey(
        Site, models.PROTECT, related_name="+", verbose_name=_("site"), db_index=False
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    ticket = models.ForeignKey(
        Ticket,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
        db_index=False,
    )
    procedure = models.ForeignKey(
        Procedure, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counter = models.ForeignKey(Counter, models.SET_NULL, null=True, blank=True, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    device = models.ForeignKey(
        Device, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    wait_ok = models.BooleanField(_("wait acceptable"), null=True, blank=True)
    courteous = models.BooleanField(_("received courteously"), null=True, blank=True)
    resolved = models.BooleanField(_("got what they came for"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The comment with phone numbers and names masked; only this ever leaves the staff pages.
    comment_masked = models.TextField(_("comment (masked)"), blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation, default=Moderation.PENDING
    )
    language = models.CharField(_("language"), max_length=5, default="fr")
    answered_at = models.DateTimeField(_("answered at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    day = models.DateField(_("day"), help_text=_("Local date (Africa/Dakar) of the answer."))
    # Keyed hash of the caller's phone (SMS, USSD): rate limits and de-duplication only.
    phone_hash = models.CharField(max_length=64, blank=True)
    client_id = models.UUIDField(_("client id"), unique=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="rating_1_5"),
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ticket__isnull=False), name="one_rating_per_ticket"
            ),
        ]
        # Every rating writes each of these (and millions do in a history load): the ticket
        # is led by one_rating_per_ticket, the site by response_site_day; keys often empty
        # (device, agent, phone) have partial indexes, which a query's equality on the
        # column implies (a phone hash: only with its `NOT (phone_hash = '')` repeated).
        indexes = [
            models.Index(fields=["site", "day"], name="response_site_day"),
            models.Index(
                fields=["device", "answered_at"],
                name="response_device_time",
                condition=Q(device__isnull=False),
            ),
            models.Index(fields=["agent"], name="response_agent", condition=Q(agent__isnull=False)),
            models.Index(
                fields=["phone_hash", "day"],
                name="response_phone_day",
                condition=~Q(phone_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.channel} {self.rating} ({self.day})"


class SmsInvitation(models.Model):
    """The one SMS inviting a served user (who consented) to rate the visit by reply."""

    ticket = models.OneToOneField(Ticket, models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    response = models.OneToOneField(
        Response, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "expires_at"], name="invitation_phone")]

    def __str__(self) -> str:
        return f"invitation for ticket {self.ticket_id}"


class InboundSms(models.Model):
    """Each inbound SMS once, by the aggregator's id: a redelivery gets the same outcome."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("rating recorded")
        DUPLICATE = "duplicate", _("already rated")
        UNMATCHED = "unmatched", _("no visit to rate")
        LIMITED = "limited", _("too many from this phone")
        CASE = "case", _("filed as a complaint or suggestion")
        INVALID = "invalid", _("not understood")

    message_id = models.CharField(max_length=100, unique=True)
    phone_hash = models.CharField(max_length=64)
    text = models.CharField(max_length=480)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome)
    response = models.ForeignKey(Response, models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.outcome}"
