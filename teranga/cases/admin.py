from django.contrib import admin

from teranga.cases.models import Case, CaseEmail, ReplyTemplate
from teranga.network.admin import NetworkAdmin, ReadOnlyAdmin


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(NetworkAdmin):
    list_display = ["title", "site"]
    list_filter = ["site__is_pilot"]
    autocomplete_fields = ["site"]
    list_select_related = ["site"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through the staff pages and their services."""

    list_display = ["reference", "site", "kind", "channel", "status", "filed_at", "due_on"]
    list_filter = ["kind", "channel", "status"]
    search_fields = ["reference"]
    list_select_related = ["site"]
    show_full_result_count = False
    exclude = ["name", "phone", "email", "message", "tracking_hash"]


@admin.register(CaseEmail)
class CaseEmailAdmin(ReadOnlyAdmin):
    list_display = ["dedupe_key", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status"]
    exclude = ["to", "body"]
