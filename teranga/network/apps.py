from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    default = True
    name = "teranga.network"
    label = "network"
    verbose_name = _("Network")


class TerangaAdminConfig(admin_apps.AdminConfig):
    """The Django admin, served by Teranga's own site (national administrators only)."""

    default = False
    default_site = "teranga.network.admin_site.TerangaAdminSite"
