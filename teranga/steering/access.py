"""Who may read the indicators of which area: a site's staff its site, a regional supervisor
its region and its sites, national roles (administrators, partners) everything."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from teranga.indicators.models import Level
from teranga.indicators.selectors import Area, national_area, site_area
from teranga.network.models import NATIONAL_ROLES, Region, Site
from teranga.network.permissions import Action, site_for_user, sites_for, user_roles


def sees_nation(user) -> bool:
    return bool(user_roles(user) & set(NATIONAL_ROLES))


def region_area(region: Region) -> Area:
    return Area(Level.REGION, region.pk, region.name, region.slug)


def area_for_user(user, level: str, code: str = "") -> Area:
    """The area `level`/`code` (site code, region slug, nothing for the nation) if `user` may
    read it. Raises Http404 for an unknown area and PermissionDenied outside the user's scope."""
    if level == Level.SITE:
        return site_area(site_for_user(user, code, Action.VIEW))
    if level == Level.REGION:
        region = Region.objects.filter(slug=code).first()
        if region is None:
            raise Http404(_("Unknown region."))
        region_sites = Site.objects.filter(department__region=region)
        visible = sites_for(user, Action.VIEW).filter(department__region=region)
        if not sees_nation(user) and visible.count() < region_sites.count():
            raise PermissionDenied
        return region_area(region)
    if level == Level.NATIONAL:
        if not sees_nation(user):
            raise PermissionDenied
        return national_area()
    raise Http404(_("Unknown level."))
