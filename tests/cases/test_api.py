import uuid

import pytest

from teranga.cases import services
from teranga.cases.models import Case
from teranga.network.services import api_token_create

pytestmark = pytest.mark.django_db


def _bearer(user):
    _token, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _complaint(**extra):
    return {
        "site": "DKR",
        "kind": "complaint",
        "message": "Nobody answered the phone.",
        "client_id": str(uuid.uuid4()),
        **extra,
    }


def test_filing_a_complaint_returns_reference_code_and_due_date(client, office):
    response = client.post("/api/v1/complaints", _complaint(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("R-DKR-") and len(body["tracking_code"]) == 8
    assert body["status"] == "received" and body["due_date"]
    retry = client.post(
        "/api/v1/complaints",
        {**_complaint(), "client_id": Case.objects.get().client_id.hex},
        content_type="application/json",
    )
    assert retry.status_code == 200 and retry.json() == body


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"message": ""}, 422),
        ({"message": "x" * 20000}, 422),
        ({"message": "x" * 20001}, 422),
        ({"site": "NOPE"}, 404),
        ({"procedure": "NOPE"}, 422),
        ({"phone": "77123", "contact_consent": True}, 422),
        ({"email": "nope", "contact_consent": True}, 422),
        ({"phone": "771234567"}, 422),
        ({"kind": "request"}, 422),
        ({"channel": "letter"}, 422),
    ],
)
def test_bad_complaints_get_a_clear_4xx_and_write_nothing(client, office, extra, status):
    response = client.post(
        "/api/v1/complaints", _complaint(**extra), content_type="application/json"
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert Case.objects.count() == 0


def test_submissions_are_rate_limited(client, office, settings):
    settings.CASES_SUBMIT_LIMIT_PER_HOUR = 2
    codes = [
        client.post("/api/v1/complaints", _complaint(), content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]


def test_tracking_shows_the_answer_and_no_personal_data(client, office):
    filed = services.case_file(
        site=office["dakar"],
        kind="complaint",
        message="Secret detail about my family.",
        name="Fatou Ndiaye",
        phone="771234567",
        email="fatou.ndiaye@example.sn",
        contact_consent=True,
    )
    services.case_comment(case=filed.case, actor=office["agent"], text="Internal: VIP user")
    services.case_answer(case=filed.case, actor=office["agent"], text="A second counter opens.")
    response = client.get(
        "/api/v1/complaints/track",
        {"reference": filed.case.reference, "code": filed.tracking_code},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "answered" and "A second counter opens." in body["public_answer"]
    text = response.content.decode()
    for secret in (
        "Fatou",
        "Ndiaye",
        "771234567",
        "+221771234567",
        "fatou.ndiaye",
        "VIP",
        "Secret detail",
    ):
        assert secret not in text


def test_a_wrong_code_and_an_unknown_reference_get_the_same_404(client, file_case):
    filed = file_case()
    wrong = client.get(
        "/api/v1/complaints/track", {"reference": filed.case.reference, "code": "AAAAAAAA"}
    )
    unknown = client.get(
        "/api/v1/complaints/track", {"reference": "R-DKR-2026-99999", "code": "AAAAAAAA"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    # A complaint is not tracked as a request.
    other = client.get(
        "/api/v1/requests/track", {"reference": filed.case.reference, "code": filed.tracking_code}
    )
    assert other.status_code == 404


@pytest.mark.parametrize("reference", ["R-DKR\x00", "R-DKR'; --", ""])
def test_malformed_references_are_refused_before_the_database(client, reference):
    """PostgreSQL refuses NUL bytes in text: they never reach it (found by schemathesis)."""
    for path in ("/api/v1/complaints/track", "/api/v1/requests/track"):
        response = client.get(path, {"reference": reference, "code": "ABCD2345"})
        assert response.status_code == 422, (path, response.content)


def test_tracking_attempts_are_rate_limited(client, file_case, settings):
    settings.CASES_TRACK_LIMIT_PER_HOUR = 3
    filed = file_case()
    params = {"reference": filed.case.reference, "code": "BADCODE2"}
    codes = [client.get("/api/v1/complaints/track", params).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    good = {"reference": filed.case.reference, "code": filed.tracking_code}
    assert client.get("/api/v1/complaints/track", good).status_code == 429


def test_staff_open_a_request_and_the_public_tracks_it(client, office):
    response = client.post(
        "/api/v1/requests",
        {"site": "DKR", "procedure": "TRANSCR", "client_id": str(uuid.uuid4())},
        content_type="application/json",
        **_bearer(office["agent"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    tracked = client.get(
        "/api/v1/requests/track", {"reference": body["reference"], "code": body["tracking_code"]}
    )
    assert tracked.status_code == 200 and tracked.json()["procedure"] == "TRANSCR"


def test_a_request_needs_staff_of_the_site(client, office):
    payload = {"site": "DKR", "procedure": "TRANSCR"}
    assert (
        client.post("/api/v1/requests", payload, content_type="application/json").status_code == 401
    )
    refused = client.post(
        "/api/v1/requests",
        payload,
        content_type="application/json",
        **_bearer(office["other_agent"]),
    )
    assert refused.status_code == 403 and Case.objects.count() == 0


def test_staff_list_assign_answer_and_change_status_through_the_api(client, file_case, office):
    case = file_case().case
    auth = _bearer(office["agent"])
    listing = client.get("/api/v1/sites/DKR/cases", {"due": ""}, **auth)
    assert listing.status_code == 200 and listing.json()["items"][0]["reference"] == case.reference
    assigned = client.post(
        f"/api/v1/cases/{case.pk}/assign", {}, content_type="application/json", **auth
    )
    assert assigned.json()["assignee"] == "awa"
    answered = client.post(
        f"/api/v1/cases/{case.pk}/answer",
        {"text": "Done."},
        content_type="application/json",
        **auth,
    )
    assert answered.json()["status"] == "answered"
    closed = client.post(
        f"/api/v1/cases/{case.pk}/status",
        {"status": "closed"},
        content_type="application/json",
        **auth,
    )
    assert closed.json()["status"] == "closed"
    forbidden = client.post(
        f"/api/v1/cases/{case.pk}/status",
        {"status": "in_progress"},
        content_type="application/json",
        **auth,
    )
    assert forbidden.status_code == 409 and "ne peut pas passer" in forbidden.json()["detail"]


def test_staff_endpoints_refuse_another_sites_staff(client, file_case, office):
    case = file_case().case
    auth = _bearer(office["other_agent"])
    assert client.get("/api/v1/sites/DKR/cases", **auth).status_code == 403
    for path, body in (
        ("assign", {}),
        ("answer", {"text": "x"}),
        ("status", {"status": "in_progress"}),
    ):
        response = client.post(
            f"/api/v1/cases/{case.pk}/{path}", body, content_type="application/json", **auth
        )
        assert response.status_code == 403, path
    quality = _bearer(office["quality"])
    assert client.get("/api/v1/sites/DKR/cases", **quality).status_code == 403
    case.refresh_from_db()
    assert case.status == "received" and case.assignee is None


def test_behind_nginx_the_limit_counts_per_user_address(client, office, settings):
    settings.CASES_SUBMIT_LIMIT_PER_HOUR = 1
    settings.AXES_IPWARE_PROXY_COUNT = 1

    def post(address):
        return client.post(
            "/api/v1/complaints",
            _complaint(),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=address,
        ).status_code

    assert [post("41.82.1.1"), post("41.82.1.2"), post("41.82.1.1")] == [201, 201, 429]
