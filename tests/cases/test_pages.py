import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from teranga.cases import alerts, selectors, services
from teranga.cases.models import Case, CaseAttachment, Notification

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%fake but with the right magic\n"


def _form(**extra):
    return {
        "kind": "complaint",
        "message": "Le guichet était fermé.",
        "client_id": str(uuid.uuid4()),
        **extra,
    }


def test_the_site_page_links_to_the_form_and_the_form_files_a_complaint(client, office):
    page = client.get(reverse("site-detail", args=["DKR"])).content.decode()
    url = reverse("cases-complaint-new", args=["DKR"])
    assert url in page and reverse("cases-track") in page
    response = client.post(url, _form(procedure="TRANSCR"))
    case = Case.objects.get()
    body = response.content.decode()
    assert case.reference in body and case.channel == "web" and case.procedure.code == "TRANSCR"
    assert 'id="tracking-code"' in body


def test_the_form_speaks_wolof_and_records_the_language(client, office):
    client.get("/?lang=wo")
    page = client.get(reverse("cases-complaint-new", args=["DKR"])).content.decode()
    assert '<html lang="wo">' in page
    client.post(reverse("cases-complaint-new", args=["DKR"]), _form())
    assert Case.objects.get().language == "wo"


def test_the_form_shows_errors_and_writes_nothing(client, office):
    url = reverse("cases-complaint-new", args=["DKR"])
    page = client.post(url, _form(message="")).content.decode()
    assert "errorlist" in page
    page = client.post(url, _form(phone="771234567")).content.decode()
    assert "si vous acceptez" in page
    assert Case.objects.count() == 0
    assert client.get(reverse("cases-complaint-new", args=["NOPE"])).status_code == 404


def test_the_tracking_page_shows_the_answer_but_no_personal_data(client, office):
    filed = services.case_file(
        site=office["dakar"],
        kind="complaint",
        message="My neighbour Ibrahima was rude.",
        name="Fatou Ndiaye",
        phone="771234567",
        email="fatou.ndiaye@example.sn",
        contact_consent=True,
    )
    services.case_comment(case=filed.case, actor=office["agent"], text="Internal: call back")
    services.case_answer(case=filed.case, actor=office["agent"], text="We apologise.")
    data = {"reference": filed.case.reference, "code": filed.tracking_code}
    page = client.post(reverse("cases-track"), data).content.decode()
    assert "We apologise." in page and "Awa Diop" in page
    for secret in ("Fatou", "Ndiaye", "771234567", "fatou.ndiaye", "Ibrahima", "Internal"):
        assert secret not in page
    client.post(reverse("cases-track"), {**data, "rating": "5"})
    assert Case.objects.get().rating == 5


def test_the_tracking_page_gives_one_message_for_a_wrong_code_or_reference(client, file_case):
    filed = file_case()
    wrong = client.post(
        reverse("cases-track"), {"reference": filed.case.reference, "code": "WRONG234"}
    ).content.decode()
    unknown = client.post(
        reverse("cases-track"), {"reference": "R-DKR-2026-77777", "code": "WRONG234"}
    ).content.decode()
    assert "Aucun message ne correspond" in wrong and "Aucun message ne correspond" in unknown
    assert 'id="case-status"' not in wrong


def test_staff_pages_need_a_login(client, file_case):
    case = file_case().case
    for url in (
        reverse("cases-sites"),
        reverse("cases-alerts"),
        reverse("cases-inbox", args=["DKR"]),
        reverse("cases-new", args=["DKR"]),
        reverse("cases-case", args=["DKR", case.pk]),
    ):
        assert client.get(url).status_code == 302


def test_another_sites_staff_is_refused_on_every_staff_page(login, file_case, office):
    case = file_case().case
    attachment = services.attachment_add(
        case=case, actor=office["agent"], upload=SimpleUploadedFile("letter.pdf", PDF)
    )
    for intruder in (office["other_agent"], office["other_manager"], office["other_supervisor"]):
        client = login(intruder)
        assert client.get(reverse("cases-inbox", args=["DKR"])).status_code == 403
        assert client.get(reverse("cases-new", args=["DKR"])).status_code == 403
        assert client.get(reverse("cases-case", args=["DKR", case.pk])).status_code == 403
        # Their own site's address does not reach another site's case either.
        assert client.get(reverse("cases-case", args=["THS", case.pk])).status_code in (403, 404)
        response = client.post(
            reverse("cases-case-action", args=["DKR", case.pk]),
            {"action": "answer", "text": "hijack"},
        )
        assert response.status_code == 403
        url = reverse("cases-attachment", args=["DKR", case.pk, attachment.pk])
        assert client.get(url).status_code == 403
        listing = client.get(reverse("cases-sites"))
        assert case.reference not in listing.content.decode()
    case.refresh_from_db()
    assert case.status == "received" and not case.public_answer


def test_a_quality_officer_does_not_handle_cases(login, file_case, office):
    case = file_case().case
    client = login(office["quality"])
    assert client.get(reverse("cases-inbox", args=["DKR"])).status_code == 403
    assert client.get(reverse("cases-case", args=["DKR", case.pk])).status_code == 403


def test_an_agent_answers_from_the_case_page_with_a_template(login, file_case, office):
    from teranga.cases.models import ReplyTemplate

    template = ReplyTemplate.objects.create(title="Apology", body="About {reference}: sorry.")
    case = file_case().case
    client = login(office["agent"])
    page = client.get(
        reverse("cases-case", args=["DKR", case.pk]), {"template": template.pk}
    ).content.decode()
    assert f"About {case.reference}: sorry." in page and "Awa Diop" in page
    response = client.post(
        reverse("cases-case-action", args=["DKR", case.pk]),
        {"action": "answer", "text": "Sorry."},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "answered"


def test_the_inbox_filters_by_status_deadline_kind_and_channel(login, file_case, office):
    complaint = file_case().case
    suggestion = file_case(kind="suggestion", channel="letter", user=office["agent"]).case
    Case.objects.filter(pk=suggestion.pk).update(due_on="2020-01-06")
    client = login(office["agent"])
    url = reverse("cases-inbox", args=["DKR"])
    page = client.get(url).content.decode()
    assert complaint.reference in page and suggestion.reference in page
    page = client.get(url, {"due": "overdue"}).content.decode()
    assert suggestion.reference in page and complaint.reference not in page
    page = client.get(url, {"kind": "complaint"}).content.decode()
    assert complaint.reference in page and suggestion.reference not in page
    page = client.get(url, {"channel": "letter"}).content.decode()
    assert suggestion.reference in page and complaint.reference not in page
    page = client.get(url, {"status": "answered"}).content.decode()
    assert complaint.reference not in page
    Case.objects.filter(pk=suggestion.pk).update(filed_at="2026-01-15T10:00:00Z")
    page = client.get(url, {"status": "", "from": "2026-01-01", "to": "2026-01-31"}).content
    assert suggestion.reference in page.decode() and complaint.reference not in page.decode()
    page = client.get(url, {"status": "", "from": "2026-01-16", "to": "nonsense"}).content
    assert suggestion.reference not in page.decode()  # a day it was not filed; junk ignored


def test_the_inbox_query_count_does_not_grow_with_the_cases(
    file_case, office, django_assert_max_num_queries
):
    for _ in range(5):
        file_case()
    with django_assert_max_num_queries(1):
        rows, _more = selectors.inbox(office["dakar"], selectors.InboxFilters())
        [(r.assignee, r.procedure) for r in rows]
    for _ in range(20):
        file_case()
    with django_assert_max_num_queries(1):
        rows, _more = selectors.inbox(office["dakar"], selectors.InboxFilters())
        [(r.assignee, r.procedure) for r in rows]


def test_staff_record_a_letter_with_its_scan(login, office, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = login(office["agent"])
    response = client.post(
        reverse("cases-new", args=["DKR"]),
        {
            "kind": "complaint",
            "channel": "letter",
            "message": "Lettre reçue le 2 décembre.",
            "client_id": str(uuid.uuid4()),
            "attachment": SimpleUploadedFile("lettre.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.channel == "letter"
    attachment = CaseAttachment.objects.get()
    assert str(tmp_path) in attachment.file.path and "lettre" not in attachment.file.path
    download = client.get(reverse("cases-attachment", args=["DKR", case.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"MZ\x90\x00 an executable", "Seuls les fichiers PDF"), (PDF + b"x" * 2048, "trop gros")],
)
def test_attachments_of_the_wrong_type_or_size_are_refused(
    login, file_case, office, settings, tmp_path, content, message
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.CASES_ATTACHMENT_MAX_BYTES = 1024
    case = file_case().case
    client = login(office["agent"])
    response = client.post(
        reverse("cases-case-action", args=["DKR", case.pk]),
        {"action": "attach", "file": SimpleUploadedFile("x.pdf", content)},
        follow=True,
    )
    assert message in response.content.decode()
    assert CaseAttachment.objects.count() == 0 and not any(tmp_path.rglob("*"))


def test_the_manager_sees_alerts_on_the_inbox_and_the_alerts_page(login, file_case, office):
    case = file_case().case
    Case.objects.filter(pk=case.pk).update(due_on="2020-01-06")
    alerts.cases_escalate()
    client = login(office["manager"])
    page = client.get(reverse("cases-inbox", args=["DKR"])).content.decode()
    assert case.reference in page.split('id="alerts-title"')[1]
    page = client.get(reverse("cases-alerts")).content.decode()
    assert case.reference in page
    client.post(reverse("cases-alerts"))
    assert not Notification.objects.filter(user=office["manager"], read_at__isnull=True).exists()
    # Another site's manager has none of them.
    other = login(office["other_manager"]).get(reverse("cases-alerts")).content.decode()
    assert case.reference not in other


def test_the_manager_reassigns_and_escalates_from_the_case_page(login, file_case, office):
    case = file_case().case
    client = login(office["manager"])
    action = reverse("cases-case-action", args=["DKR", case.pk])
    client.post(action, {"action": "escalate", "note": "help"})
    client.post(action, {"action": "reassign", "site": "THS"})
    case.refresh_from_db()
    assert case.escalated_to_region and case.site.code == "THS"
    # Now the case belongs to Thiès: Dakar's manager no longer reaches it.
    assert client.get(reverse("cases-case", args=["DKR", case.pk])).status_code == 404


def test_a_letter_with_a_refused_scan_files_nothing(login, office, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = login(office["agent"])
    response = client.post(
        reverse("cases-new", args=["DKR"]),
        {
            "kind": "complaint",
            "channel": "letter",
            "message": "Lettre.",
            "phone": "771234567",
            "contact_consent": "on",
            "client_id": str(uuid.uuid4()),
            "attachment": SimpleUploadedFile("virus.exe", b"MZ\x90\x00"),
        },
    )
    assert "Seuls les fichiers PDF" in response.content.decode()
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0
    from teranga.messaging.models import OutboundSms

    assert OutboundSms.objects.count() == 0


def test_a_wolof_user_reads_errors_and_messages_in_wolof(client, office):
    from teranga.messaging.models import OutboundSms

    client.get("/?lang=wo")
    url = reverse("cases-complaint-new", args=["DKR"])
    page = client.post(url, _form(message="")).content.decode()
    assert "Fii war nga ko bind." in page
    client.post(url, _form(phone="771234567", contact_consent="on"))
    assert "agsi na" in OutboundSms.objects.get().text


def test_the_case_page_says_what_each_action_did_in_plain_words(login, file_case, office):
    case = file_case(language="wo").case
    client = login(office["manager"])
    url = reverse("cases-case", args=["DKR", case.pk])
    action = reverse("cases-case-action", args=["DKR", case.pk])
    page = client.get(url).content.decode()
    assert '<select id="reassign-site" name="site" required><option value="">—</option>' in page
    assert "Wolof" in page and " · wo</p>" not in page  # the language by name, not its code
    said = client.post(action, {"action": "reassign", "site": ""}, follow=True).content.decode()
    assert "Choisissez un espace." in said and '<li class="error">' in said
    case.refresh_from_db()
    assert case.site == office["dakar"]  # an empty choice sends the case nowhere
    steps = [
        (
            {"action": "assign", "assignee": office["agent"].pk},
            "Le dossier est attribué à Awa Diop",
        ),
        ({"action": "tags", "tags": "accueil"}, "Les étiquettes sont enregistrées."),
        ({"action": "comment", "text": "Vu."}, "Le commentaire est ajouté."),
        ({"action": "escalate", "note": "aide"}, "Le dossier est transmis à la région."),
    ]
    for data, message in steps:
        assert message in client.post(action, data, follow=True).content.decode()
    page = client.get(url).content.decode()
    assert "(reçue → en cours)" in page  # the history names statuses as the page does
    # A complaint in progress can only be answered (by the answer form): no empty status list,
    # no refusal reason for a complaint, which is never refused.
    assert 'id="status-select"' not in page and 'id="status-reason"' not in page


def test_a_refused_contact_is_shown_once_beside_its_field(client, office):
    url = reverse("cases-complaint-new", args=["DKR"])
    page = client.post(url, _form(phone="12ab", contact_consent="on")).content.decode()
    assert page.count("numéro de téléphone n&#x27;est pas valide") == 1
    assert page.index("pas valide") > page.index('name="phone"') - 400  # beside the field
    page = client.post(url, _form(message="")).content.decode()
    assert "Vérifiez les champs signalés ci-dessous." in page  # said at the top of the page
    assert 'type="tel"' in page and 'type="email"' in page  # the phone's own keyboards
    assert Case.objects.count() == 0


def test_the_code_shown_once_in_wolof_with_wolof_dates_and_no_way_to_lose_it(client, office):
    client.get("/?lang=wo")
    page = client.post(reverse("cases-complaint-new", args=["DKR"]), _form()).content.decode()
    case = Case.objects.get()
    assert 'id="tracking-code"' in page
    assert 'hreflang="fr"' not in page  # no language link that would drop the code
    months = ["Sa", "Few", "Mar", "Awr", "Me", "Suw", "Sul", "Ut", "Sàt", "Okt", "Now", "Des"]
    assert f"{case.due_on.day} {months[case.due_on.month - 1]}" in page


def test_tracking_forgives_spaces_and_missing_zeros(client, file_case):
    filed = file_case()
    reference = filed.case.reference  # e.g. R-DKR-2026-00001
    short = reference.rsplit("-", 1)[0] + "-" + str(int(reference.rsplit("-", 1)[1]))
    code = filed.tracking_code[:4] + " " + filed.tracking_code[4:]
    page = client.post(reverse("cases-track"), {"reference": short, "code": code})
    assert 'id="case-status"' in page.content.decode()
