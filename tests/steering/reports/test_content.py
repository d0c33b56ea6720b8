"""Monthly reports built from the rollups and read back: the PDF's text (pypdf) and the
workbook's cells (openpyxl) hold the figures computed by hand on a small dataset."""

import io
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from teranga.indicators.selectors import site_area
from teranga.indicators.services import rollups_rebuild
from teranga.steering.reports import (
    national_report,
    report_pdf,
    report_xlsx,
    site_report,
)
from tests.factories import SiteFactory
from tests.indicators.data import ticket
from tests.steering.reports.conftest import OCT5

OCTOBER = date(2026, 10, 1)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def rows_by_code(sheet) -> dict:
    header = [c.value for c in sheet[1]]
    return {row[1].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def test_the_site_report_holds_the_figures_of_the_month_beside_last_month_and_last_year(october):
    report = site_report(site_area(october["dakar"]), OCTOBER)
    rows = {row.indicator.code: row for row in report.rows}
    assert rows["tickets"].figure.value == 7
    assert rows["wait_median_min"].figure.value == 10
    assert rows["wait_median_min"].previous.value == 40  # September: 5, 40, 45 min
    assert rows["wait_median_min"].last_year.value == 4  # October 2025: 3, 4, 6 min
    assert rows["served_within_target_pct"].figure.value == 57.1  # 4 of 6 called + 1 expired
    assert rows["satisfaction_pct"].figure.value == 50.0
    assert rows["requests_on_time_pct"].figure.lacks_data  # no request due
    assert [row.indicator.code for row in report.gaps] == [
        "served_within_target_pct",
        "no_show_pct",
        "satisfaction_pct",
        "net_satisfaction",
        "complaints_answered_on_time_pct",
    ]
    assert [
        (m.month, f.value) for m, f in zip(report.trend_months, report.trend[0][1], strict=True)
    ][-2:] == [
        (9, 3),
        (10, 7),
    ]
    assert len(report.trend_months) == 12 and report.trend_months[0] == date(2025, 11, 1)


def test_the_site_report_breaks_the_month_down_by_procedure_and_rating_channel(october):
    report = site_report(site_area(october["dakar"]), OCTOBER)
    procedures = {row.name: [f.value for f in row.figures] for row in report.procedures}
    # Civil status: waits 1, 2, 10, 15, 25 min, 4 of 5 within 20 min; land: 2 tickets, too few.
    assert procedures == {"État civil": [5, 10, 80.0], "Foncier": [2, None, None]}
    channels = {row.name: [f.value for f in row.figures] for row in report.channels}
    assert channels == {"tablette d’avis": [5, 60.0, 40.0], "SMS": [1, None, None]}


def test_the_site_pdf_is_a4_in_french_with_the_figures_and_not_enough_data(october):
    report = site_report(site_area(october["dakar"]), OCTOBER)
    content = report_pdf(report)
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(content)
    assert "Espace Sénégal Services de Dakar" in text and "DKR" in text
    assert "Octobre 2026" in text
    assert "Indicateurs du mois" in text
    assert "57,1 %" in text and "10 min" in text and "40 min" in text and "4 min" in text
    assert "pas assez de données" in text
    assert "État civil" in text and "Foncier" in text
    assert "Écarts aux cibles" in text and "Usagers satisfaits : 50,0 %" in text
    assert "Tendance 12 mois" in text


def test_a_site_below_the_minimum_sample_shows_not_enough_data_instead_of_a_median(october):
    report = site_report(site_area(october["thies"]), OCTOBER)
    rows = {row.indicator.code: row for row in report.rows}
    assert rows["wait_median_min"].figure.lacks_data and rows["wait_median_min"].figure.sample == 2
    text = pdf_text(report_pdf(report))
    assert "Espace Sénégal Services de Thiès" in text
    assert "25 min" not in text  # the median of 0 and 50 minutes is not published
    assert "pas assez de données" in text


def test_the_site_workbook_has_typed_cells_formats_and_properties(october):
    book = load_workbook(io.BytesIO(report_xlsx(site_report(site_area(october["dakar"]), OCTOBER))))
    assert book.sheetnames == [
        "Indicateurs",
        "Tendance 12 mois",
        "Par démarche",
        "Par canal",
        "À propos",
    ]
    assert book.properties.creator == "Teranga"
    assert (
        book.properties.title == "Rapport mensuel — Espace Sénégal Services de Dakar — Octobre 2026"
    )
    sheet = book["Indicateurs"]
    assert sheet.freeze_panes == "B2"
    assert sheet["A1"].value == "Indicateur" and sheet["C1"].value == "Mois"
    rows = rows_by_code(sheet)
    tickets = rows["tickets"]
    assert tickets["Mois"].value == 7 and tickets["Mois"].data_type == "n"
    within = rows["served_within_target_pct"]
    assert within["Mois"].value == 0.571 and within["Mois"].number_format == "0.0%"
    assert within["Objectif"].value == 0.8 and within["Objectif atteint"].value == "non"
    assert rows["wait_median_min"]["Mois précédent"].value == 40
    assert rows["wait_median_min"]["Même mois l'an dernier"].value == 4
    assert rows["wait_median_min"]["Objectif atteint"].value == "oui"
    requests = rows["requests_on_time_pct"]
    assert requests["Mois"].value is None and requests["Remarque"].value == "pas assez de données"
    assert sheet.column_dimensions["A"].width == 34
    trend = book["Tendance 12 mois"]
    assert trend["B1"].value == "2025-11" and trend["M1"].value == "2026-10"
    assert trend["M2"].value == 7 and trend["L2"].value == 3
    procedures = {r[0].value: [c.value for c in r[1:]] for r in book["Par démarche"].iter_rows(2)}
    assert procedures["État civil"] == [5, 10, 0.8, 5, 5]  # values, then the samples
    assert procedures["Foncier"][1:3] == [None, None]


def test_the_national_report_ranks_only_sites_with_enough_data(october):
    report = national_report(OCTOBER)
    assert [(row.code, row.rank) for row in report.sites] == [("DKR", 1), ("THS", None)]
    rows = {row.indicator.code: row for row in report.rows}
    assert rows["tickets"].figure.value == 9
    groups = {row.name: row.figures[0].value for row in report.groups}
    assert groups == {"Espaces pilotes": 7, "Autres espaces": 2}
    assert {row.name: row.figures[0].value for row in report.regions} == {"Dakar": 7, "Thiès": 2}


def test_the_national_pdf_and_workbook_show_the_sites_side_by_side(october):
    report = national_report(OCTOBER)
    text = pdf_text(report_pdf(report))
    assert "Rapport mensuel du réseau" in text and "Octobre 2026" in text
    assert "Les espaces côte à côte" in text
    assert "Espace Sénégal Services de Dakar" in text and "Espace Sénégal Services de Thiès" in text
    assert "Espaces pilotes" in text
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == [
        "Indicateurs",
        "Tendance 12 mois",
        "Par espace",
        "Par région",
        "Pilotes et autres",
        "À propos",
    ]
    sites = book["Par espace"]
    header = [c.value for c in sites[1]]
    assert header[:6] == ["Espace", "Code", "Région", "Pilote", "Rang", "Tickets délivrés"]
    dakar, thies = (list(r) for r in sites.iter_rows(2))
    assert [c.value for c in dakar[:6]] == [
        "Espace Sénégal Services de Dakar",
        "DKR",
        "Dakar",
        "oui",
        1,
        7,
    ]
    assert thies[4].value is None  # not ranked
    assert dakar[7].value == 0.571 and dakar[7].number_format == "0.0%"


def test_the_national_report_reads_all_sites_in_a_fixed_number_of_queries(
    october, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as two:
        national_report(OCTOBER)
    for n in range(10):
        site = SiteFactory(code=f"X{n:02d}")
        ticket(site, october["civil"], OCT5, wait=60, service=60)
    rollups_rebuild(OCTOBER, date(2026, 10, 31))
    with django_assert_max_num_queries(len(two.captured_queries)):
        report = national_report(OCTOBER)
    assert len(report.sites) == 12
    assert len(two.captured_queries) <= 7 + 16  # + the quality figures, 5 or 6 per level


def test_the_site_report_takes_a_fixed_number_of_queries(october, django_assert_max_num_queries):
    with django_assert_max_num_queries(4 + 5):  # + the quality figures
        site_report(site_area(october["dakar"]), OCTOBER)


def test_reports_are_in_french_whatever_the_language_of_the_request(october):
    with translation.override("en"):
        text = pdf_text(report_pdf(site_report(site_area(october["dakar"]), OCTOBER)))
    assert "Indicateurs du mois" in text and "Median wait" not in text
