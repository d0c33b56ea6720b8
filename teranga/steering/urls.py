from django.urls import path  # noqa: F401  (the steering pages are added below)

app_name = "steering"

urlpatterns: list = []
