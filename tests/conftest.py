import pytest
from django.core.cache import cache
from django.utils import translation

from teranga.network.models import Role, Site
from teranga.network.services import network_load
from tests.factories import DepartmentFactory, SiteFactory, staff


@pytest.fixture
def network(db):
    """The real reference network: 14 regions, 46 sites, 30 procedures."""
    network_load()
    return {site.code: site for site in Site.objects.select_related("department__region")}


@pytest.fixture
def two_sites(db):
    """Two sites in two regions, for isolation tests."""
    dakar = DepartmentFactory(region__name="Dakar", region__slug="dakar", name="Dakar")
    thies = DepartmentFactory(region__name="Thiès", region__slug="thies", name="Thiès")
    return (
        SiteFactory(code="DKR", department=dakar, with_hours=True),
        SiteFactory(code="THS", department=thies, with_hours=True),
    )


@pytest.fixture
def login(client):
    """The test client, logged in as `user` (the login form itself is tested separately)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def national_admin(db):
    return staff(Role.NATIONAL_ADMIN, username="national")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The process cache keeps short-lived figures per site id; ids are reused across tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in Wolof leaves Wolof active in the thread, as in a worker until its
    next request; the tests run in one thread, so each one ends back on the default."""
    yield
    translation.deactivate()
