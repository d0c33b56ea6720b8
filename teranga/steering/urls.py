from django.urls import path

from teranga.steering import dashboards, opendata, public, reports

app_name = "steering"

urlpatterns = [
    # Public results, their poster, open data.
    path("resultats/", public.results_national, name="results"),
    path("resultats/<str:code>/", public.results_site, name="results-site"),
    path(
        "resultats/<str:code>/affiche-<str:lang>.pdf",
        public.results_poster,
        name="results-poster",
    ),
    path("open-data/", opendata.documentation, name="open-data"),
    path("open-data/indicators.csv", opendata.indicators_csv, name="open-data-csv"),
    path("open-data/indicators.json", opendata.indicators_json, name="open-data-json"),
    # Staff dashboards.
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
