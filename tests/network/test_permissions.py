import pytest

from teranga.network.models import Role
from teranga.network.permissions import Action, is_national_admin, sites_for, user_can
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def codes(user, action):
    return set(sites_for(user, action).values_list("code", flat=True))


def test_an_agent_serves_only_at_their_site(two_sites):
    dkr, ths = two_sites
    agent = staff(Role.AGENT, site=dkr)
    assert user_can(agent, Action.SERVE, dkr)
    assert not user_can(agent, Action.SERVE, ths)
    assert not user_can(agent, Action.MANAGE, dkr)
    assert codes(agent, Action.VIEW) == {"DKR"}


def test_a_site_manager_manages_their_site_only(two_sites):
    dkr, ths = two_sites
    manager = staff(Role.SITE_MANAGER, site=dkr)
    assert user_can(manager, Action.MANAGE, dkr)
    assert user_can(manager, Action.QUALITY, dkr)
    assert not user_can(manager, Action.VIEW, ths)


def test_a_quality_officer_works_on_quality_but_does_not_serve(two_sites):
    dkr, _ = two_sites
    officer = staff(Role.QUALITY_OFFICER, site=dkr)
    assert user_can(officer, Action.QUALITY, dkr)
    assert not user_can(officer, Action.SERVE, dkr)


def test_a_regional_supervisor_sees_every_site_of_the_region_and_no_other(two_sites):
    dkr, ths = two_sites
    supervisor = staff(Role.REGIONAL_SUPERVISOR, region=dkr.department.region)
    assert user_can(supervisor, Action.VIEW, dkr)
    assert user_can(supervisor, Action.MANAGE, dkr)
    assert not user_can(supervisor, Action.VIEW, ths)
    assert codes(supervisor, Action.VIEW) == {"DKR"}


def test_a_partner_reads_the_whole_network_and_changes_nothing(two_sites):
    dkr, ths = two_sites
    partner = staff(Role.PARTNER)
    assert codes(partner, Action.VIEW) == {"DKR", "THS"}
    for action in (Action.SERVE, Action.MANAGE, Action.QUALITY, Action.ADMINISTER):
        assert not user_can(partner, action, dkr)


def test_an_auditor_audits_only_assigned_sites(two_sites):
    dkr, ths = two_sites
    auditor = staff(Role.AUDITOR, site=ths)
    assert user_can(auditor, Action.AUDIT, ths)
    assert not user_can(auditor, Action.AUDIT, dkr)
    assert not user_can(auditor, Action.SERVE, ths)


def test_roles_add_up_for_a_person_holding_several(two_sites):
    dkr, ths = two_sites
    person = staff(Role.AGENT, site=dkr)
    person.roles.create(role=Role.QUALITY_OFFICER, site=ths)
    assert user_can(person, Action.SERVE, dkr)
    assert user_can(person, Action.QUALITY, ths)
    assert not user_can(person, Action.SERVE, ths)
    assert codes(person, Action.VIEW) == {"DKR", "THS"}


def test_national_admin_and_superuser_may_do_everything(two_sites):
    dkr, _ = two_sites
    admin = staff(Role.NATIONAL_ADMIN)
    superuser = UserFactory(is_superuser=True)
    for user in (admin, superuser):
        assert is_national_admin(user)
        assert all(user_can(user, action, dkr) for action in Action)


def test_a_user_without_role_or_inactive_may_do_nothing(two_sites):
    dkr, _ = two_sites
    nobody = UserFactory()
    assert not user_can(nobody, Action.VIEW, dkr)
    assert codes(nobody, Action.VIEW) == set()
    inactive = staff(Role.NATIONAL_ADMIN)
    inactive.is_active = False
    assert not user_can(inactive, Action.VIEW, dkr)
