import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from teranga.network.models import (
    Counter,
    Department,
    Procedure,
    Region,
    Role,
    RoleAssignment,
    Site,
    User,
)
from teranga.network.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, Department, Site, Procedure, Counter, User, RoleAssignment)
    }


def test_seed_demo_loads_the_network_and_is_idempotent(settings, capsys):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert (first["Region"], first["Department"], first["Site"]) == (14, 46, 46)
    assert Site.objects.filter(is_pilot=True).count() == 6
    assert set(Site.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "DKR",
        "FTK",
        "KLK",
        "LGA",
        "SLO",
        "THS",
    }
    assert 28 <= first["Procedure"] <= 32
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_every_department_has_exactly_one_site_in_its_region(network):
    assert Department.objects.filter(site__isnull=True).count() == 0
    per_region = {r.name: r.departments.count() for r in Region.objects.all()}
    assert per_region["Dakar"] == 5
    assert per_region["Kaffrine"] == 4
    assert per_region["Tambacounda"] == 4
    assert sum(per_region.values()) == 46
    assert Site.objects.get(code="RNR").department.name == "Ranérou-Ferlo"


def test_every_demo_role_can_log_in(settings):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    request = RequestFactory().post("/connexion/")
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    for user in User.objects.all():
        assert authenticate(request, username=user.username, password=DEMO_PASSWORD) == user


def test_reloading_the_network_keeps_local_edits(network):
    site = network["KLD"]
    site.address = "Quartier Escale, Kolda"
    site.save()
    site.counters.all().delete()
    Counter.objects.create(site=site, code="A1", name="Accueil")
    call_command("load_network", stdout=None)
    site.refresh_from_db()
    assert site.address == "Quartier Escale, Kolda"
    assert list(site.counters.values_list("code", flat=True)) == ["A1"]
