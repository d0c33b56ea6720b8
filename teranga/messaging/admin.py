from django.contrib import admin

from teranga.messaging.models import OutboundSms
from teranga.network.admin import NationalAdminOnly


@admin.register(OutboundSms)
class OutboundSmsAdmin(NationalAdminOnly, admin.ModelAdmin):
    """Read-only view of the outbox, to see what waits and why it failed."""

    list_display = ["dedupe_key", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status"]
    exclude = ["to"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
