"""The one answer to "may this user do X on this site", used by every staff view and API handler.

A role grants a set of actions on a scope: the sites it names (site roles), every site of a
region (regional supervisor) or every site (national roles). A Django superuser counts as a
national administrator.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from teranga.network.models import Role, RoleAssignment, Site


class Action(StrEnum):
    VIEW = "view"  # see the site's staff pages and figures
    SERVE = "serve"  # work a counter, record requests and complaints for users
    MANAGE = "manage"  # run the site: assign, escalate, staffing, validate
    QUALITY = "quality"  # self-assessment, evidence, action plans, training
    AUDIT = "audit"  # record audit findings
    ADMINISTER = "administer"  # change the network itself


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.AGENT: frozenset({Action.VIEW, Action.SERVE}),
    Role.SITE_MANAGER: frozenset({Action.VIEW, Action.SERVE, Action.MANAGE, Action.QUALITY}),
    Role.QUALITY_OFFICER: frozenset({Action.VIEW, Action.QUALITY}),
    Role.REGIONAL_SUPERVISOR: frozenset({Action.VIEW, Action.MANAGE}),
    Role.NATIONAL_ADMIN: frozenset(Action),
    Role.PARTNER: frozenset({Action.VIEW}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.AUDIT}),
}


def _grants(user) -> list[tuple[str, int | None, int | None]]:
    """(role, site_id, region_id) of the user, read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_teranga_grants", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user).values_list("role", "site_id", "region_id")
        )
        if user.is_superuser:
            cached.append((Role.NATIONAL_ADMIN, None, None))
        user._teranga_grants = cached
    return cached


def user_roles(user) -> set[str]:
    return {role for role, _, _ in _grants(user)}


def is_national_admin(user) -> bool:
    return Role.NATIONAL_ADMIN in user_roles(user)


def is_staff_member(user) -> bool:
    return bool(_grants(user))


def _scope_filter(user, action: Action) -> Q | None:
    """A filter on Site for the sites where `user` may do `action`; None when it is everywhere."""
    site_ids, region_ids = set(), set()
    for role, site_id, region_id in _grants(user):
        if action not in ROLE_ACTIONS[role]:
            continue
        if site_id is None and region_id is None:
            return None
        if site_id is not None:
            site_ids.add(site_id)
        if region_id is not None:
            region_ids.add(region_id)
    return Q(pk__in=site_ids) | Q(department__region_id__in=region_ids)


def sites_for(user, action: Action) -> QuerySet[Site]:
    """The sites where `user` may do `action`."""
    if not _grants(user):
        return Site.objects.none()
    scope = _scope_filter(user, action)
    return Site.objects.all() if scope is None else Site.objects.filter(scope)


def user_can(user, action: Action, site: Site) -> bool:
    grants = _grants(user)
    return any(
        action in ROLE_ACTIONS[role]
        and (
            (site_id is None and region_id is None)
            or site_id == site.pk
            or (region_id is not None and region_id == site.department.region_id)
        )
        for role, site_id, region_id in grants
    )


def site_for_user(user, code: str, action: Action) -> Site:
    """The site `code` if `user` may do `action` there.

    Raises Http404 for an unknown code and PermissionDenied outside the user's scope.
    """
    site = Site.objects.select_related("department__region").filter(code=code).first()
    if site is None:
        raise Http404("Unknown site")
    if not user_can(user, action, site):
        raise PermissionDenied
    return site
