from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The background worker (run_worker): the recurring jobs of every app. Sits above them."""

    name = "teranga.jobs"
    label = "jobs"
