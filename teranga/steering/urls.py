from django.urls import path

from teranga.steering import opendata, public

app_name = "steering"

urlpatterns: list = [
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
]
