from django.urls import path

from teranga.steering import dashboards

app_name = "steering"

urlpatterns = [
    path("espace-pro/pilotage/", dashboards.national, name="national"),
    path("espace-pro/pilotage/region/<slug:slug>/", dashboards.region, name="region"),
    path("espace-pro/sites/<str:code>/pilotage/", dashboards.site, name="site"),
    path("espace-pro/sites/<str:code>/pilotage/tickets/", dashboards.tickets, name="tickets"),
]
