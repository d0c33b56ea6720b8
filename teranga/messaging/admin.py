from django.contrib import admin

from teranga.messaging.models import OutboundSms
from teranga.network.admin import ReadOnlyAdmin


@admin.register(OutboundSms)
class OutboundSmsAdmin(ReadOnlyAdmin):
    """Read-only view of the outbox, to see what waits and why it failed."""

    list_display = ["dedupe_key", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status"]
    exclude = ["to"]
