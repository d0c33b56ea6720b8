from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data of every capability (seed_demo). Sits above the other apps."""

    name = "teranga.demo"
    label = "demo"
