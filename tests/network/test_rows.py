"""teranga.lib.rows: the instances read and written in plain SQL are those of the ORM."""

from decimal import Decimal

import pytest
from django.utils import timezone

from teranga.network.auth import principal_from_token
from teranga.network.models import Device, Role, Site, User
from teranga.network.services import api_token_create, device_create
from tests.factories import staff

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_device_and_its_site_read_in_sql_equal_the_orms(two_sites):
    dkr, _ = two_sites
    Site.objects.filter(pk=dkr.pk).update(
        latitude=Decimal("14.69370"), longitude=Decimal("-17.44406"), opened_on="2024-05-02"
    )
    device, raw = device_create(site=dkr, kind="kiosk")
    Device.objects.filter(pk=device.pk).update(last_used_at=timezone.now())

    found = principal_from_token(raw).device

    assert _values(found) == _values(Device.objects.get(pk=device.pk))
    assert _values(found.site) == _values(Site.objects.get(pk=dkr.pk))
    assert found.last_used_at.tzinfo is not None
    assert isinstance(found.site.latitude, Decimal)
    assert found._state.adding is False


def test_a_staff_token_and_its_user_read_in_sql_equal_the_orms(two_sites):
    user = staff(Role.AGENT, site=two_sites[0], username="awa")
    _, raw = api_token_create(user=user)

    found = principal_from_token(raw).user

    assert _values(found) == _values(User.objects.get(pk=user.pk))
    assert found.is_authenticated and found.is_active
