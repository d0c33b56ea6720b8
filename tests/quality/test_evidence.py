"""Evidence files: recognised by content, limited in size, served only to authorised staff."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from teranga.lib import files
from teranga.lib.errors import Invalid
from teranga.network.models import AuditEntry, Role
from teranga.quality.evidence import evidence_add
from teranga.quality.models import Action, Evidence
from teranga.quality.services import referential_publish_default
from tests.factories import staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, files.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 20, files.PNG),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, files.JPEG),
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}), files.XLSX),
        (_zip({"word/document.xml": b"<d/>"}), files.DOCX),
        (_zip({"mimetype": files.ODT.encode(), "content.xml": b"<c/>"}), files.ODT),
        (_zip({"a.txt": b"hello"}), None),  # a zip that is no office document
        (b"MZ\x90\x00 an executable", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_content(content, expected):
    upload = SimpleUploadedFile("claimed.pdf", content, content_type="application/pdf")
    assert files.sniff(upload, frozenset(files.EXTENSIONS)) == expected
    assert upload.tell() == 0


@pytest.fixture
def action(two_sites):
    dakar, _ = two_sites
    referential_publish_default()
    manager = staff(Role.SITE_MANAGER, site=dakar)
    return Action.objects.create(
        site=dakar, title="Affichage", origin="other", owner=manager, due_date=date(2026, 12, 31)
    )


def test_evidence_is_stored_out_of_sight_and_audited(action, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("photo affichage.pdf", PDF)
    evidence = evidence_add(actor=action.owner, upload=upload, action=action)
    assert evidence.content_type == files.PDF and evidence.name == "photo affichage.pdf"
    assert "affichage" not in evidence.file.path and str(tmp_path) in evidence.file.path
    assert AuditEntry.objects.filter(action="quality.evidence_add").count() == 1


def test_refused_files_leave_nothing(action, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.QUALITY_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(Invalid, match=r"\(0 M"):
        evidence_add(
            actor=action.owner, upload=SimpleUploadedFile("a.pdf", PDF * 10), action=action
        )
    with pytest.raises(Invalid, match="PDF, JPEG"):
        evidence_add(
            actor=action.owner, upload=SimpleUploadedFile("a.pdf", b"<html>"), action=action
        )
    assert not Evidence.objects.exists() and not list(tmp_path.rglob("*"))


def test_evidence_is_served_only_to_quality_staff_of_the_site(
    action, two_sites, login, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    dakar, thies = two_sites
    evidence = evidence_add(
        actor=action.owner, upload=SimpleUploadedFile("a.pdf", PDF), action=action
    )
    url = f"/espace-pro/sites/DKR/qualite/preuves/{evidence.token}/"
    for user, status in [
        (staff(Role.QUALITY_OFFICER, site=dakar), 200),
        (staff(Role.AUDITOR, site=dakar), 200),
        (staff(Role.NATIONAL_ADMIN), 200),
        (staff(Role.AGENT, site=dakar), 403),
        (staff(Role.PARTNER), 403),
        (staff(Role.QUALITY_OFFICER, site=thies), 403),
    ]:
        response = login(user).get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Cache-Control"] == "private, no-store"
    assert (
        login(staff(Role.NATIONAL_ADMIN)).get(url.replace(evidence.token, "x" * 32)).status_code
        == 404
    )
