"""The durable outbox of outgoing SMS.

A message is written in the same transaction as the change that causes it, so a rolled-back
change sends nothing and a committed one is never lost; the worker sends what is due."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboundSms(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")

    to = models.CharField(_("to"), max_length=16)
    text = models.CharField(_("text"), max_length=480)
    dedupe_key = models.CharField(_("key"), max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway id"), max_length=80, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing SMS")
        verbose_name_plural = _("outgoing SMS")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="sms_due", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} → {self.status}"
