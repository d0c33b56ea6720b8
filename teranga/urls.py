from django.contrib import admin
from django.urls import include, path

from teranga.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("teranga.steering.urls")),
    path("", include("teranga.quality.urls")),
    path("", include("teranga.listening.urls")),
    path("", include("teranga.reception.urls")),
    path("", include("teranga.cases.urls")),
    path("", include("teranga.network.urls")),
]

handler404 = "teranga.network.views.not_found"
handler500 = "teranga.network.views.server_error"
