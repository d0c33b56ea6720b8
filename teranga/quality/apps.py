from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "teranga.quality"
    label = "quality"
    verbose_name = _("Quality referential")

    def ready(self):
        from teranga.indicators.facts import contributor
        from teranga.quality.figures import contribute

        contributor(contribute)
