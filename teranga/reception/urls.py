from django.urls import path

from teranga.reception import views

urlpatterns = [
    path("accueil/ticket/<uuid:public_id>/", views.ticket_public, name="ticket-public"),
    path("accueil/ticket/<uuid:public_id>/qr.svg", views.ticket_qr, name="ticket-qr"),
    path("accueil/<str:code>/borne/", views.kiosk, name="reception-kiosk"),
    path("accueil/<str:code>/ecran/", views.display, name="reception-display"),
    path("accueil/<str:code>/guichet/", views.console, name="reception-console"),
    path(
        "accueil/<str:code>/guichet/action/", views.console_action, name="reception-console-action"
    ),
    path("accueil/<str:code>/direct/", views.live, name="reception-live"),
]
