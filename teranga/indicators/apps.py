from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "teranga.indicators"
    verbose_name = "Indicators"

    def ready(self):
        from teranga.indicators import receivers  # noqa: F401  (connects the facts signal)
