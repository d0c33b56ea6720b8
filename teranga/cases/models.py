"""Cases: complaints, suggestions and compliments from users, and tracked requests (dossiers)
for catalogue procedures. One model for both, so that the inbox, the deadlines, the escalation
and the public tracking are written once.

Each case keeps every status change (who, when, from, to) in CaseEvent and whether its
deadlines were met, the raw material of the "answered on time" indicators.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teranga.network.models import Procedure, Site


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    SUGGESTION = "suggestion", _("suggestion")
    COMPLIMENT = "compliment", _("compliment")
    REQUEST = "request", _("tracked request")


FEEDBACK_KINDS = (Kind.COMPLAINT, Kind.SUGGESTION, Kind.COMPLIMENT)


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    COUNTER = "counter", _("at the counter")
    LETTER = "letter", _("letter")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("phone call")


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING_USER = "waiting_user", _("waiting for the user")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    READY = "ready", _("ready")
    HANDED_OVER = "handed_over", _("handed over")
    REFUSED = "refused", _("refused")


# Statuses in which the answer (or the request's outcome) is still due.
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.WAITING_USER)


class CaseSequence(models.Model):
    """The last reference number given at a site in a year, per prefix (R, D)."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year", "prefix"], name="case_sequence_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.site_id}-{self.year}: {self.last}"


class Case(models.Model):
    site = models.ForeignKey(Site, models.PROTECT, related_name="cases", verbose_name=_("site"))
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    # Only a keyed digest of the tracking code is kept: a leaked table reveals no code.
    tracking_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    procedure = models.ForeignKey(
        Procedure,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("procedure"),
    )
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    # Personal data: staff only, never on a public page or in an aggregate.
    name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_consent = models.BooleanField(_("consents to be contacted"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.RECEIVED)
    # Derived from status (a constraint keeps them together), stored so that the inbox's
    # "open, by due date" is read in index order instead of sorted.
    is_open = models.BooleanField(_("open"), default=True)
    filed_at = models.DateTimeField(_("filed at"))
    due_on_initial = models.DateField(_("first due date"))
    due_on = models.DateField(_("due date"))
    first_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("answered or completed at"), null=True, blank=True)
    # Set when the first reply (answer or holding reply) and the resolution happen.
    first_reply_on_time = models.BooleanField(_("first reply on time"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating of the answer"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        help_text=_("0 none, 1 assignee warned, 2 site manager, 3 regional supervisor."),
    )
    escalated_to_region = models.BooleanField(_("escalated to the region"), default=False)
    client_id = models.UUIDField(_("client id"), unique=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(is_open=True, status__in=OPEN_STATUSES)
                | (Q(is_open=False) & ~Q(status__in=OPEN_STATUSES)),
                name="case_is_open_follows_status",
            ),
            models.CheckConstraint(
                condition=Q(phone="", email="") | Q(contact_consent=True),
                name="case_contact_needs_consent",
                violation_error_message=_("A phone or e-mail is kept only with consent."),
            ),
        ]
        indexes = [
            # The inbox: a site's cases, open first, by due date.
            # A partial index: Django writes `is_open=True` as a bare column, which SQLite
            # matches with this condition but could not use as a key of a plain index.
            models.Index(fields=["site", "due_on"], name="case_inbox", condition=Q(is_open=True)),
            models.Index(fields=["site", "status", "due_on"], name="case_site_status"),
            models.Index(fields=["site", "filed_at"], name="case_site_filed"),
            models.Index(fields=["status", "due_on"], name="case_due"),
            # Indicators: a site's complaints and requests by due date (open or not).
            models.Index(fields=["site", "due_on"], name="case_site_due"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_request(self) -> bool:
        return self.kind == Kind.REQUEST

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class CaseEvent(models.Model):
    """One change of a case: who, when, from which status to which, and what."""

    class Type(models.TextChoices):
        FILED = "filed", _("filed")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        HOLDING = "holding", _("holding reply, new date")
        REASSIGNED = "reassigned", _("sent to another site")
        ESCALATED = "escalated", _("escalated to the region")
        TAGGED = "tagged", _("tags changed")
        RATED = "rated", _("answer rated")
        ALERTED = "alerted", _("deadline alert")

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    type = models.CharField(max_length=12, choices=Type)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.from_status}→{self.to_status}"

    @property
    def from_status_label(self) -> str:
        return Status(self.from_status).label if self.from_status else ""

    @property
    def to_status_label(self) -> str:
        return Status(self.to_status).label if self.to_status else ""


class CaseComment(models.Model):
    """An internal note between staff: never shown to the user."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.at:%Y-%m-%d %H:%M}"


def _attachment_path(instance, filename: str) -> str:
    # The user's file name is kept in the row only: the path on disk is not guessable.
    return f"cases/{instance.case.site_id}/{instance.case_id}/{instance.token}"


class CaseAttachment(models.Model):
    """A scanned letter or a photo. Stored under MEDIA_ROOT (var/, outside the web root),
    served only through a view that checks the staff member's site."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, editable=False)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReplyTemplate(models.Model):
    """A reply text staff start from; national when it names no site."""

    site = models.ForeignKey(
        Site,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="reply_templates",
        verbose_name=_("site"),
    )
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(
        _("text"), help_text=_("{reference} and {site} are replaced. The signature is added.")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """An in-app alert for one staff member about one case; e-mailed through CaseEmail."""

    class Type(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")
        OVERDUE_REGION = "overdue_region", _("overdue, escalated to the region")
        ESCALATED = "escalated", _("escalated to the region")
        ASSIGNED = "assigned", _("assigned to you")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="case_notifications"
    )
    case = models.ForeignKey(Case, models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=16, choices=Type)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The daily job may run twice: each alert is given once.
            models.UniqueConstraint(fields=["case", "user", "type"], name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type} {self.case_id}"


class CaseEmail(models.Model):
    """The durable outbox of e-mails (acknowledgements, answers, alerts): written in the
    transaction of the change that causes it, sent by the worker, retried until sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="case_email_due", condition=Q(status="pending")
            )
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} → {self.status}"
