from django.contrib.auth import views as auth_views
from django.urls import path

from teranga.network import views

urlpatterns = [
    path("", views.home, name="home"),
    path("espaces/<str:code>/", views.site_detail, name="site-detail"),
    path(
        "connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("espace-pro/", views.staff_home, name="staff-home"),
    path("espace-pro/sites/<str:code>/", views.staff_site, name="staff-site"),
    path("espace-pro/calendrier/", views.staff_calendar, name="staff-calendar"),
]
