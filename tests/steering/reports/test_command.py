"""`manage.py report`: writes the site's or the network's report, shows its steps on stderr,
and refuses bad input with a clear message."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader


def run(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_writes_the_site_pdf_and_reports_its_progress(october, tmp_path):
    target = tmp_path / "dakar.pdf"
    out, err = run(site="DKR", month="2026-10", fmt="pdf", output=str(target))
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Espace Sénégal Services de Dakar" in text
    for step in ("figures", "rendering PDF", "writing", "done in"):
        assert step in err
    assert f"Wrote {target}" in out and "KB" in out


def test_the_command_writes_the_national_workbook(october, tmp_path):
    target = tmp_path / "national.xlsx"
    run(national=True, month="2026-10", fmt="xlsx", output=str(target))
    sheet = load_workbook(target)["Par espace"]
    assert [row[1].value for row in sheet.iter_rows(2)] == ["DKR", "THS"]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"site": "XYZ", "month": "2026-10"}, "Unknown site"),
        ({"site": "DKR", "month": "2026-13"}, "YYYY-MM"),
        ({"site": "DKR", "month": "10/2026"}, "YYYY-MM"),
        ({"national": True, "month": "2099-01"}, "has not started yet"),
    ],
)
def test_the_command_refuses_bad_input(october, tmp_path, options, message):
    target = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match=message):
        run(output=str(target), **options)
    assert not target.exists()


def test_the_command_refuses_an_output_it_cannot_write(october, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run(site="DKR", month="2026-10", output=str(tmp_path / "missing" / "r.pdf"))
    with pytest.raises(CommandError, match="Cannot write"):
        run(site="DKR", month="2026-10", output=str(tmp_path))


def test_the_command_needs_a_site_or_the_nation(october, tmp_path):
    with pytest.raises(CommandError):
        run(month="2026-10", output=str(tmp_path / "r.pdf"))
