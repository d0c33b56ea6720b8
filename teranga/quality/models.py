"""The quality referential as versioned data: themes → engagements → criteria.

A version is never edited once a campaign uses it: the national team publishes a new version
instead (campaigns keep the version they were launched with). One version is current.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Titled(models.Model):
    """A title in French and English (Wolof optional: staff pages fall back to French)."""

    title_fr = models.CharField(_("title (French)"), max_length=240)
    title_wo = models.CharField(_("title (Wolof)"), max_length=240, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=240)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        lang = (get_language() or "fr")[:2]
        if lang == "en":
            return self.title_en
        if lang == "wo" and self.title_wo:
            return self.title_wo
        return self.title_fr


class Referential(Titled):
    version = models.CharField(_("version"), max_length=30, unique=True)
    is_current = models.BooleanField(_("current version"), default=False)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quality referential")
        verbose_name_plural = _("quality referentials")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_referential"
            )
        ]

    def __str__(self) -> str:
        return self.version


class Theme(Titled):
    referential = models.ForeignKey(Referential, models.CASCADE, related_name="themes")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["referential", "code"], name="theme_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Engagement(Titled):
    theme = models.ForeignKey(Theme, models.CASCADE, related_name="engagements")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code


class Criterion(Titled):
    class Kind(models.TextChoices):
        MEASURED = "measured", _("measured")
        DECLARED = "declared", _("declared")
        OBSERVED = "observed", _("observed")

    class Comparison(models.TextChoices):
        AT_LEAST = ">=", _("at least")
        AT_MOST = "<=", _("at most")

    engagement = models.ForeignKey(Engagement, models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    indicator = models.CharField(_("indicator"), max_length=40, blank=True)
    comparison = models.CharField(_("comparison"), max_length=2, choices=Comparison, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    min_sample = models.PositiveIntegerField(_("minimum sample"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    mandatory = models.BooleanField(_("mandatory for the label"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="measured", threshold__isnull=False) & ~Q(indicator="")
                | (~Q(kind="measured") & Q(indicator="", threshold__isnull=True)),
                name="criterion_measured_has_indicator",
            )
        ]

    def __str__(self) -> str:
        return self.code
