from django.urls import path  # noqa: F401  (the steering pages are added below)

app_name = "steering"

urlpatterns: list = []

# Monthly reports (PDF, XLSX).
from teranga.steering import reports  # noqa: E402

urlpatterns += [
    path("espace-pro/rapports/", reports.reports_page, name="reports"),
    path(
        "espace-pro/rapports/<str:code>/<str:month>.<str:fmt>",
        reports.report_download,
        name="report-download",
    ),
]
