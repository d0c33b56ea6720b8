"""The back office of the national team: the Django admin, in French, restricted to national
administrators, with every change written to the audit trail."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from teranga.lib.tokens import DEVICE_PREFIX, USER_PREFIX, token_display_prefix, token_new
from teranga.network import services
from teranga.network.models import (
    ApiToken,
    AuditEntry,
    Category,
    Counter,
    Department,
    Device,
    HolidayOverride,
    OpeningHours,
    Procedure,
    Region,
    RoleAssignment,
    Site,
    User,
)
from teranga.network.permissions import is_national_admin


def _value(value) -> str | None:
    """A JSON-friendly rendering of a form value for the audit trail."""
    if value is None:
        return None
    if hasattr(value, "all") and hasattr(value, "model"):  # a queryset (many-to-many)
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def _form_changes(form) -> dict:
    return {
        name: [_value(form.initial.get(name)), _value(form.cleaned_data.get(name))]
        for name in form.changed_data
        if name not in ("password", "password1", "password2")
    }


# Roles replace Django's groups: one way to grant access.
admin.site.unregister(Group)


class NationalAdminOnly:
    """The back office answers to the national-admin role, not to Django's model permissions."""

    def has_view_permission(self, request, obj=None):
        return is_national_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return is_national_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_national_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_national_admin(request.user)

    def has_module_permission(self, request):
        return is_national_admin(request.user)


class ReadOnlyAdmin(NationalAdminOnly, admin.ModelAdmin):
    """Records that change only through the services (or never): shown, not edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin(NationalAdminOnly):
    """Admin writes of national administrators are recorded in the audit trail, inlines too."""

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._pending_audit = (obj, change, _form_changes(form))

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, change, changes = self._pending_audit
        if changes or not change:
            services.audit_record(
                actor=request.user,
                instance=obj,
                changes=changes,
                action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            )

    def save_formset(self, request, form, formset, change):
        # Deletions are recorded before they happen, while the rows still have their ids;
        # the admin wraps the whole save in one transaction.
        changes = {f.instance.pk: _form_changes(f) for f in formset.initial_forms}
        for deleted_form in formset.deleted_forms:
            if deleted_form.instance.pk is not None:
                _audit_deletion(request, deleted_form.instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            services.audit_record(
                actor=request.user,
                action=AuditEntry.Action.CREATE,
                instance=obj,
                changes={"record": [None, str(obj)]},
            )
        for obj, _fields in formset.changed_objects:
            services.audit_record(
                actor=request.user,
                action=AuditEntry.Action.UPDATE,
                instance=obj,
                changes=changes.get(obj.pk, {}),
            )

    @transaction.atomic
    def delete_model(self, request, obj):
        _audit_deletion(request, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit_deletion(request, obj)
        super().delete_queryset(request, queryset)


def _audit_deletion(request, obj) -> None:
    services.audit_record(
        actor=request.user,
        action=AuditEntry.Action.DELETE,
        instance=obj,
        changes={"record": [str(obj), None]},
    )


class NetworkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


class DepartmentInline(NationalAdminOnly, admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name", "capital"]


@admin.register(Region)
class RegionAdmin(NetworkAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(NetworkAdmin):
    list_display = ["name", "capital", "region"]
    list_filter = ["region"]
    search_fields = ["name", "capital"]
    list_select_related = ["region"]


class OpeningHoursInline(NationalAdminOnly, admin.TabularInline):
    model = OpeningHours
    extra = 0


class CounterInline(NationalAdminOnly, admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["code", "name", "is_active"]


@admin.register(Site)
class SiteAdmin(NetworkAdmin):
    list_display = ["code", "name", "department", "region", "is_pilot", "status"]
    list_filter = ["is_pilot", "status", "department__region"]
    search_fields = ["code", "name", "department__name"]
    list_select_related = ["department__region"]
    filter_horizontal = ["procedures"]
    inlines = [OpeningHoursInline, CounterInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "department", "status", "is_pilot", "opened_on"]}),
        (_("Contact"), {"fields": ["address", "phone", "latitude", "longitude"]}),
        (_("Procedures offered"), {"fields": ["procedures"]}),
    ]

    @admin.display(description=_("region"), ordering="department__region__name")
    def region(self, obj):
        return obj.department.region


@admin.register(Counter)
class CounterAdmin(NetworkAdmin):
    list_display = ["site", "code", "name", "is_active"]
    list_filter = ["is_active", "site__is_pilot", "site"]
    search_fields = ["code", "name", "site__code"]
    list_select_related = ["site"]
    filter_horizontal = ["procedures"]


@admin.register(Category)
class CategoryAdmin(NetworkAdmin):
    list_display = ["letter", "code", "name_fr", "name_wo", "name_en", "position"]
    ordering = ["position"]


@admin.register(Procedure)
class ProcedureAdmin(NetworkAdmin):
    list_display = [
        "code",
        "name_fr",
        "category",
        "deadline_min_days",
        "deadline_max_days",
        "fee_fcfa",
        "is_active",
    ]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name_fr", "name_wo", "name_en"]
    list_select_related = ["category"]


class RoleAssignmentInline(NationalAdminOnly, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["role", "site", "region"]
    autocomplete_fields = ["site"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "roles"]
    list_filter = ["is_active", "roles__role"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles__site", "roles__region")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return "; ".join(
            f"{a.get_role_display()} ({a.site or a.region or _('national')})"
            for a in obj.roles.all()
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(NetworkAdmin):
    list_display = ["user", "role", "site", "region", "created_at"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "site__code"]
    list_select_related = ["user", "site", "region"]
    autocomplete_fields = ["user", "site"]


class CredentialAdmin(NetworkAdmin):
    """Devices and staff tokens: the token is generated on creation and shown once."""

    token_prefix: str
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["prefix", "created_at", "last_used_at", "revoked_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            raw, obj.token_hash = token_new(self.token_prefix)
            obj.prefix = token_display_prefix(raw)
            messages.warning(
                request,
                _("Copy this token now, it will not be shown again: %(token)s") % {"token": raw},
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected credentials"))
    def revoke(self, request, queryset):
        count = sum(services.credential_revoke(credential=c, actor=request.user) for c in queryset)
        messages.success(request, _("%(count)d revoked.") % {"count": count})


@admin.register(Device)
class DeviceAdmin(CredentialAdmin):
    token_prefix = DEVICE_PREFIX
    list_display = ["name", "site", "kind", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", "site", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "site__code", "prefix"]
    list_select_related = ["site"]
    autocomplete_fields = ["site"]


@admin.register(ApiToken)
class ApiTokenAdmin(CredentialAdmin):
    token_prefix = USER_PREFIX
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(NetworkAdmin):
    list_display = ["date", "name", "is_holiday"]
    list_filter = ["is_holiday"]
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
