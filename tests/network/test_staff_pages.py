import pytest
from django.urls import reverse

from teranga.network.models import AuditEntry, Device, Role, Site
from tests.factories import PASSWORD, UserFactory, staff

pytestmark = pytest.mark.django_db


def test_staff_pages_require_login(client, two_sites):
    for url in (
        reverse("staff-home"),
        reverse("staff-site", args=["DKR"]),
        reverse("staff-calendar"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_login_form_lands_on_the_staff_home(client, two_sites):
    staff(Role.AGENT, site=two_sites[0], username="binta")
    response = client.post("/connexion/", {"username": "binta", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-home")
    assert "Espace Sénégal Services DKR" in response.content.decode()


def test_a_wrong_password_shows_an_error_and_repeated_failures_lock_the_account(client, two_sites):
    staff(Role.AGENT, site=two_sites[0], username="binta")
    response = client.post("/connexion/", {"username": "binta", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    for _ in range(5):
        response = client.post("/connexion/", {"username": "binta", "password": "nope"})
    assert response.status_code == 429
    response = client.post("/connexion/", {"username": "binta", "password": PASSWORD})
    assert response.status_code == 429  # locked even with the right password


def test_staff_home_lists_the_roles_and_the_sites_in_scope(login, two_sites):
    dkr, ths = two_sites
    supervisor = staff(Role.REGIONAL_SUPERVISOR, region=dkr.department.region)
    page = login(supervisor).get(reverse("staff-home")).content.decode()
    assert reverse("staff-site", args=["DKR"]) in page
    assert reverse("staff-site", args=["THS"]) not in page
    assert "back-office" not in page.lower() or "Administration nationale" not in page


def test_a_user_without_role_is_told_so(login, two_sites):
    page = login(UserFactory()).get(reverse("staff-home")).content.decode()
    assert 'class="notice"' in page


def test_an_agent_sees_their_site_but_is_refused_another(login, two_sites):
    dkr, ths = two_sites
    client = login(staff(Role.AGENT, site=dkr))
    assert client.get(reverse("staff-site", args=["DKR"])).status_code == 200
    assert client.get(reverse("staff-site", args=["THS"])).status_code == 403
    assert client.get(reverse("staff-site", args=["NOPE"])).status_code == 404


def test_only_managers_see_staff_and_devices_of_a_site(login, two_sites, client):
    dkr, _ = two_sites
    Device.objects.create(
        site=dkr, kind="kiosk", name="Borne entrée", token_hash="x" * 64, prefix="tgd_x"
    )
    agent_page = (
        login(staff(Role.AGENT, site=dkr)).get(reverse("staff-site", args=["DKR"])).content.decode()
    )
    assert "Borne entrée" not in agent_page
    client.logout()
    manager_page = (
        login(staff(Role.SITE_MANAGER, site=dkr))
        .get(reverse("staff-site", args=["DKR"]))
        .content.decode()
    )
    assert "Borne entrée" in manager_page


def test_a_partner_reads_every_site_without_the_management_section(login, two_sites):
    client = login(staff(Role.PARTNER))
    for code in ("DKR", "THS"):
        page = client.get(reverse("staff-site", args=[code])).content.decode()
        assert code in page
        assert "<h2>Appareils</h2>" not in page and "<h2>Personnel</h2>" not in page


def test_calendar_page_lists_holidays_and_refuses_a_bad_year(login, two_sites):
    client = login(staff(Role.AGENT, site=two_sites[0]))
    page = client.get(reverse("staff-calendar"), {"annee": "2026"}).content.decode()
    assert "Noël" in page and "Tabaski" in page
    assert client.get(reverse("staff-calendar"), {"annee": "deux"}).status_code == 400
    assert client.get(reverse("staff-calendar"), {"annee": "1900"}).status_code == 400


def test_only_national_admins_enter_the_back_office(login, two_sites, client):
    dkr, _ = two_sites
    response = login(staff(Role.SITE_MANAGER, site=dkr)).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.logout()
    response = login(staff(Role.NATIONAL_ADMIN)).get("/admin/network/site/")
    assert response.status_code == 200
    assert "DKR" in response.content.decode()


def test_a_national_admin_change_is_written_to_the_audit_trail(login, two_sites, national_admin):
    dkr, _ = two_sites
    client = login(national_admin)
    url = reverse("admin:network_site_change", args=[dkr.pk])
    form = {
        "code": "DKR",
        "name": "ESS Dakar Plateau",
        "department": dkr.department_id,
        "status": "open",
        "address": "Place de l'Indépendance",
        "phone": "",
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
        "counters-TOTAL_FORMS": "0",
        "counters-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    dkr.refresh_from_db()
    assert dkr.name == "ESS Dakar Plateau"
    entry = AuditEntry.objects.get(model="network.Site", action="update")
    assert entry.actor == national_admin
    assert entry.changes["name"] == ["Espace Sénégal Services DKR", "ESS Dakar Plateau"]
    assert entry.changes["address"] == ["Rue 1", "Place de l'Indépendance"]


def test_a_device_added_in_the_back_office_shows_its_token_once(login, two_sites, national_admin):
    dkr, _ = two_sites
    client = login(national_admin)
    response = client.post(
        reverse("admin:network_device_add"),
        {"site": dkr.pk, "kind": "display", "name": "Écran salle"},
        follow=True,
    )
    page = response.content.decode()
    device = Device.objects.get(name="Écran salle")
    assert "tgd_" in page
    token = page[page.index("tgd_") :].split("<")[0].split()[0]
    assert len(token) == 47
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()[
        "sites"
    ] == ["DKR"]
    again = client.get(reverse("admin:network_device_change", args=[device.pk]))
    assert token not in again.content.decode()
    client.post(
        reverse("admin:network_device_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert AuditEntry.objects.filter(model="network.Device", action="revoke").count() == 1


def test_staff_site_page_names_the_site(login, two_sites):
    site = Site.objects.get(code="DKR")
    page = (
        login(staff(Role.AGENT, site=site))
        .get(reverse("staff-site", args=["DKR"]))
        .content.decode()
    )
    assert site.name in page


def test_a_role_without_its_scope_is_refused_by_the_back_office_form(login, national_admin):
    client = login(national_admin)
    response = client.post(
        reverse("admin:network_roleassignment_add"),
        {"user": national_admin.pk, "role": "agent", "site": "", "region": ""},
    )
    assert response.status_code == 200
    assert "need a site" in response.content.decode() or "besoin d" in response.content.decode()
    assert national_admin.roles.count() == 1


def test_staff_site_page_queries_do_not_grow_with_the_site(
    login, network, django_assert_max_num_queries
):
    client = login(staff(Role.SITE_MANAGER, site=network["DKR"]))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staff-site", args=["DKR"])).status_code == 200


def test_inline_changes_of_a_site_are_audited_with_before_and_after(
    login, two_sites, national_admin
):
    dkr, _ = two_sites
    monday = dkr.hours.get(weekday=0)
    counter = dkr.counters.create(code="G1", name="Guichet 1")
    form = {
        "code": "DKR",
        "name": dkr.name,
        "department": dkr.department_id,
        "status": "open",
        "address": dkr.address,
        "phone": "",
        "hours-TOTAL_FORMS": "5",
        "hours-INITIAL_FORMS": "5",
        "counters-TOTAL_FORMS": "1",
        "counters-INITIAL_FORMS": "1",
        "counters-0-id": counter.pk,
        "counters-0-site": dkr.pk,
        "counters-0-code": "G1",
        "counters-0-name": "Guichet 1",
        "counters-0-is_active": "on",
        "counters-0-DELETE": "on",
    }
    for i, slot in enumerate(dkr.hours.order_by("weekday")):
        form |= {
            f"hours-{i}-id": slot.pk,
            f"hours-{i}-site": dkr.pk,
            f"hours-{i}-weekday": slot.weekday,
            f"hours-{i}-opens": "08:00",
            f"hours-{i}-closes": "13:00" if slot == monday else "17:00",
        }
    response = login(national_admin).post(reverse("admin:network_site_change", args=[dkr.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not dkr.counters.exists()
    hours_entry = AuditEntry.objects.get(model="network.OpeningHours")
    assert hours_entry.object_id == str(monday.pk)
    assert hours_entry.changes == {"closes": ["17:00:00", "13:00:00"]}
    counter_entry = AuditEntry.objects.get(model="network.Counter", action="delete")
    assert counter_entry.object_id == str(counter.pk)
