from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from teranga.network.models import AuditEntry, Device, RoleAssignment

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


def test_create_device_prints_a_working_token_alone_on_the_last_line(client, network):
    lines = run("create_device", "--site", "DKR", "--kind", "kiosk")
    token = lines[-1]
    assert token.startswith("tgd_") and " " not in token
    device = Device.objects.get()
    assert (device.site.code, device.kind, device.name) == ("DKR", "kiosk", "Borne de tickets 1")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["sites"] == ["DKR"]
    assert AuditEntry.objects.filter(model="network.Device", action="create").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "NOPE", "--kind", "kiosk"], "Unknown site"),
    ],
)
def test_create_device_refuses_an_unknown_site(network, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_device", *args)
    assert not Device.objects.exists()


def test_create_device_refuses_an_unknown_kind(network):
    with pytest.raises(CommandError):
        run("create_device", "--site", "DKR", "--kind", "toaster")


def test_create_api_token_prints_the_token_last(client, network):
    run("grant_role", "fatou", "partner", "--password", "une-phrase-longue")
    token = run("create_api_token", "fatou")[-1]
    assert token.startswith("tgu_")
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert body["username"] == "fatou"
    assert len(body["sites"]) == 46


def test_create_api_token_for_an_unknown_user_fails_cleanly(db):
    with pytest.raises(CommandError, match="Unknown user"):
        run("create_api_token", "ghost")


def test_grant_role_creates_the_user_with_a_generated_password_printed_once(network):
    lines = run("grant_role", "moussa", "agent", "--site", "THS")
    password = lines[-1]
    request = RequestFactory().post("/connexion/")
    assert authenticate(request, username="moussa", password=password) is not None
    again = run("grant_role", "moussa", "agent", "--site", "THS")
    assert password not in again  # not regenerated, not shown again
    assert RoleAssignment.objects.filter(user__username="moussa").count() == 1


def test_grant_role_adds_roles_and_accepts_a_region_by_name(network):
    run(
        "grant_role",
        "aida",
        "regional_supervisor",
        "--region",
        "Saint-Louis",
        "--password",
        "une-phrase-longue",
    )
    run("grant_role", "aida", "auditor", "--site", "DKR")
    roles = set(
        RoleAssignment.objects.filter(user__username="aida").values_list(
            "role", "site__code", "region__slug"
        )
    )
    assert roles == {("regional_supervisor", None, "saint-louis"), ("auditor", "DKR", None)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agent"], "needs a site"),
        (["partner", "--site", "DKR"], "national"),
        (["regional_supervisor", "--site", "DKR"], "needs a region"),
        (["agent", "--site", "NOPE"], "Unknown site"),
        (["regional_supervisor", "--region", "Atlantis"], "Unknown region"),
    ],
)
def test_grant_role_refuses_a_wrong_scope_and_writes_nothing(network, args, message):
    with pytest.raises(CommandError, match=message):
        run("grant_role", "wrong", *args)
    assert not get_user_model().objects.filter(username="wrong").exists()


def test_seed_demo_is_refused_outside_demo_mode(settings, db):
    settings.TERANGA_DEMO = False
    with pytest.raises(CommandError, match="refused"):
        run("seed_demo")
    assert not get_user_model().objects.exists()
