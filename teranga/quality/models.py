"""The quality referential as versioned data: themes → engagements → criteria.

A version is never edited once a campaign uses it: the national team publishes a new version
instead (campaigns keep the version they were launched with). One version is current.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from teranga.network.models import Site


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


# --- self-assessment campaigns ------------------------------------------------------------


class Campaign(models.Model):
    """A self-assessment launched by the national team: one referential version, one period
    of data, a set of sites (one Assessment each) and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=160)
    referential = models.ForeignKey(
        Referential, models.PROTECT, related_name="campaigns", verbose_name=_("referential")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("launched at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-assessment campaign")
        verbose_name_plural = _("self-assessment campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="campaign_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """One site's grid in a campaign: filled by the quality officer, submitted by the site
    manager, accepted or returned with remarks by the national team."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in progress")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned with remarks")
        ACCEPTED = "accepted", _("accepted")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="assessments")
    site = models.ForeignKey(Site, models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    # The score frozen when the grid is submitted (null while in progress).
    overall = models.FloatField(_("score (%)"), null=True, blank=True)
    label_ready = models.BooleanField(_("ready for the label"), null=True, blank=True)
    remarks = models.TextField(_("remarks of the national team"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["campaign", "site__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site"], name="assessment_one_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.site_id}"


class AssessmentTransition(models.Model):
    """Who moved an assessment from one status to another, when, and why."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=Assessment.Status)
    to_status = models.CharField(max_length=10, choices=Assessment.Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    remarks = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class Answer(models.Model):
    """One criterion of one assessment. Declared: the officer's yes/partly/no. Measured: the
    figure of the period (value, sample) as scored — the officer comments and may dispute it,
    never overwrite it. Observed: filled from audits and mystery checks, not here."""

    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        PARTLY = "partly", _("partly")
        NO = "no", _("no")

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="answers")
    choice = models.CharField(_("answer"), max_length=6, choices=Choice, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    value = models.FloatField(_("measured value"), null=True, blank=True)
    sample = models.PositiveIntegerField(_("sample"), null=True, blank=True)
    disputed = models.BooleanField(_("disputed by the site"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["criterion__engagement__theme__position", "criterion__engagement__position",
                    "criterion__position"]  # fmt: skip
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="answer_one_each")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.criterion_id}"


# --- audits and the label cycle -----------------------------------------------------------


class Audit(models.Model):
    """An on-site audit, internal or by a certification body, against one referential version;
    recorded by an auditor assigned to the site."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("internal audit")
        CERTIFICATION = "certification", _("certification audit")
        FOLLOW_UP = "follow_up", _("follow-up audit")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")

    site = models.ForeignKey(Site, models.PROTECT, related_name="audits")
    referential = models.ForeignKey(Referential, models.PROTECT, related_name="audits")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind)
    body = models.CharField(_("audit body"), max_length=160, blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    planned_on = models.DateField(_("planned on"))
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    conclusion = models.TextField(_("conclusion"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return f"{self.site_id} · {self.planned_on}"


class Finding(models.Model):
    """The auditor's finding on one criterion."""

    class Result(models.TextChoices):
        CONFORM = "conform", _("conform")
        MINOR = "minor", _("minor non-conformity")
        MAJOR = "major", _("major non-conformity")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="findings")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="findings")
    result = models.CharField(_("finding"), max_length=8, choices=Result)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__engagement__theme__position", "criterion__engagement__position",
                    "criterion__position"]  # fmt: skip
        constraints = [
            models.UniqueConstraint(fields=["audit", "criterion"], name="finding_one_each")
        ]

    def __str__(self) -> str:
        return f"{self.audit_id} · {self.criterion_id}"


class LabelDecision(models.Model):
    """The label decision for a site. A grant opens a cycle: follow-up due at
    QUALITY_LABEL_FOLLOW_UP_MONTHS, expiry at QUALITY_LABEL_VALIDITY_MONTHS (settings)."""

    class Decision(models.TextChoices):
        GRANTED = "granted", _("label granted")
        REFUSED = "refused", _("label refused")
        SUSPENDED = "suspended", _("label suspended")
        WITHDRAWN = "withdrawn", _("label withdrawn")

    site = models.ForeignKey(Site, models.PROTECT, related_name="label_decisions")
    audit = models.ForeignKey(
        Audit, models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision)
    decided_on = models.DateField(_("decided on"))
    follow_up_on = models.DateField(_("follow-up due on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.site_id} · {self.decision} · {self.decided_on}"


class LabelReminder(models.Model):
    """A reminder sent before a follow-up or an expiry date: one per decision, date kind and
    lead time, so the scheduled job never sends it twice."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("follow-up audit due")
        EXPIRY = "expiry", _("label expires")

    decision = models.ForeignKey(LabelDecision, models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind)
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "days_before"], name="label_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} · {self.kind} · {self.days_before}"


# --- mystery checks -----------------------------------------------------------------------


class MysteryCampaign(models.Model):
    """Mystery visits, calls, e-mails or letters over a period with one scoring grid."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("visit")
        PHONE = "phone", _("phone call")
        EMAIL = "email", _("e-mail")
        LETTER = "letter", _("letter")

    title = models.CharField(_("title"), max_length=160)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    pass_level = models.FloatField(_("pass level (out of 10)"), default=7.0)
    referential = models.ForeignKey(Referential, models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title


class MysteryItem(Titled):
    """One line of a mystery campaign's grid, scored 0 to 10, tied to a criterion of the
    campaign's referential (usually an observed one)."""

    campaign = models.ForeignKey(MysteryCampaign, models.CASCADE, related_name="items")
    criterion = models.ForeignKey(
        Criterion, models.PROTECT, null=True, blank=True, related_name="mystery_items"
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class MysteryCheck(models.Model):
    """One visit, call, e-mail or letter at one site; its score is the weighted mean of its
    item scores, out of 10."""

    campaign = models.ForeignKey(MysteryCampaign, models.CASCADE, related_name="checks")
    site = models.ForeignKey(Site, models.PROTECT, related_name="mystery_checks")
    performed_at = models.DateTimeField(_("performed at"))
    checker = models.CharField(_("checker"), max_length=120, blank=True)
    score = models.FloatField(_("score (out of 10)"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site_id} · {self.performed_at:%Y-%m-%d}"


class MysteryScore(models.Model):
    check_row = models.ForeignKey(MysteryCheck, models.CASCADE, related_name="scores")
    item = models.ForeignKey(MysteryItem, models.PROTECT, related_name="scores")
    points = models.FloatField(
        _("points (0–10)"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_row", "item"], name="mystery_score_once"),
            models.CheckConstraint(
                condition=Q(points__gte=0, points__lte=10), name="mystery_points_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


# --- action plans -------------------------------------------------------------------------


class Action(models.Model):
    """One improvement action of a site's plan, from a gap, a finding, a mystery check, a
    recurring complaint theme, or freely."""

    class Origin(models.TextChoices):
        CRITERION = "criterion", _("unmet criterion")
        FINDING = "finding", _("audit finding")
        MYSTERY = "mystery", _("mystery check")
        COMPLAINTS = "complaints", _("recurring complaint theme")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    site = models.ForeignKey(Site, models.PROTECT, related_name="quality_actions")
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin)
    criterion = models.ForeignKey(
        Criterion, models.PROTECT, null=True, blank=True, related_name="actions"
    )
    assessment = models.ForeignKey(
        Assessment, models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    finding = models.ForeignKey(
        Finding, models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    mystery_check = models.ForeignKey(
        MysteryCheck, models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    complaint_theme = models.CharField(_("complaint theme"), max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="quality_actions",
        verbose_name=_("owner"),
    )  # fmt: skip
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    indicator = models.CharField(_("indicator expected to improve"), max_length=40, blank=True)
    expected_value = models.FloatField(_("expected value"), null=True, blank=True)
    progress = models.TextField(_("latest progress note"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["site", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def indicator_entry(self):
        """The catalogue's entry for `indicator` (its name and unit), or None."""
        from teranga.indicators.catalogue import by_code

        return by_code().get(self.indicator)


class ActionUpdate(models.Model):
    """A progress note or status change on an action, kept in order."""

    action = models.ForeignKey(Action, models.CASCADE, related_name="updates")
    from_status = models.CharField(max_length=12, choices=Action.Status)
    to_status = models.CharField(max_length=12, choices=Action.Status)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.from_status} → {self.to_status}"


# --- training -----------------------------------------------------------------------------


class TrainingSession(models.Model):
    """A training session; `on_referential` sessions count for the share of staff trained."""

    topic = models.CharField(_("topic"), max_length=200)
    on_referential = models.BooleanField(_("on the quality referential"), default=True)
    trainer = models.CharField(_("trainer organisation"), max_length=160)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=160)
    site = models.ForeignKey(
        Site, models.PROTECT, null=True, blank=True, related_name="training_sessions",
        help_text=_("Empty for a regional or national session."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class Attendance(models.Model):
    session = models.ForeignKey(TrainingSession, models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="trainings")
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.user_id}"


# --- evidence -----------------------------------------------------------------------------


def _evidence_path(instance, filename: str) -> str:
    # The uploaded name stays in the row: the path on disk is not guessable.
    return f"quality/{instance.site_id}/{instance.token}"


class Evidence(models.Model):
    """A file supporting an answer, a finding or an action; stored under MEDIA_ROOT and served
    only to staff allowed on its site."""

    site = models.ForeignKey(Site, models.PROTECT, related_name="quality_evidence")
    answer = models.ForeignKey(
        Answer, models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    finding = models.ForeignKey(
        Finding, models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    action = models.ForeignKey(
        Action, models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    token = models.CharField(max_length=32, editable=False, unique=True)
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__isnull=False, finding__isnull=True, action__isnull=True)
                | Q(answer__isnull=True, finding__isnull=False, action__isnull=True)
                | Q(answer__isnull=True, finding__isnull=True, action__isnull=False),
                name="evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name
