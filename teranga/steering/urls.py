from django.urls import path

from teranga.steering import dashboards, reports

app_name = "steering"

urlpatterns = [
    path("espace-pro/pilotage/", dashboards.national, name="national"),
    path("espace-pro/pilotage/region/<slug:slug>/", dashboards.region, name="region"),
    path("espace-pro/sites/<str:code>/pilotage/", dashboards.site, name="site"),
    path("espace-pro/sites/<str:code>/pilotage/tickets/", dashboards.tickets, name="tickets"),
    # Monthly reports (PDF, XLSX).
    path("espace-pro/rapports/", reports.reports_page, name="reports"),
    path(
        "espace-pro/rapports/<str:code>/<str:month>.<str:fmt>",
        reports.report_download,
        name="report-download",
    ),
]
