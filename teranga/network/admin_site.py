from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from teranga.network.permissions import is_national_admin


class TerangaAdminSite(admin.AdminSite):
    """The back office of the national team: national administrators only."""

    site_header = _("Teranga — back office")
    site_title = _("Teranga back office")
    index_title = _("Network administration")

    def has_permission(self, request):
        return request.user.is_active and is_national_admin(request.user)
