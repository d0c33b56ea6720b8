from django.contrib import admin

from teranga.network.admin import NetworkAdmin, ReadOnlyAdmin
from teranga.reception.models import Ticket, WaitTarget


@admin.register(WaitTarget)
class WaitTargetAdmin(NetworkAdmin):
    list_display = ["site", "procedure", "minutes"]
    list_filter = ["site__is_pilot"]
    autocomplete_fields = ["site"]
    list_select_related = ["site", "procedure"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only: tickets change only through the reception's services."""

    list_display = [
        "number",
        "site",
        "day",
        "procedure",
        "priority",
        "status",
        "outcome",
        "wait_seconds",
        "service_seconds",
    ]
    list_filter = ["status", "priority", "outcome", "day"]
    search_fields = ["site__code", "feedback_code"]
    list_select_related = ["site", "procedure"]
    show_full_result_count = False
    ordering = ["-id"]
    exclude = ["phone"]
