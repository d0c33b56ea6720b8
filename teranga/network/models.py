"""The network: regions, departments, sites, counters, procedures, staff roles, devices,
the working-day calendar overrides and the audit trail of staff changes."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", _("Use 2 to 10 capital letters or digits, starting with a letter.")
)


class TranslatedNameMixin:
    """Rows that carry name_fr / name_wo / name_en: `name` follows the active language."""

    @property
    def name(self) -> str:
        lang = (get_language() or "fr")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_fr


class User(AbstractUser):
    """A staff member. Roles and their scope live in RoleAssignment."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Region(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=60, unique=True)
    capital = models.CharField(_("capital town"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Category(TranslatedNameMixin, models.Model):
    """A family of procedures; its letter prefixes the kiosk ticket numbers (B-042)."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[CODE_VALIDATOR])
    letter = models.CharField(
        _("ticket letter"),
        max_length=1,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]$", _("One capital letter."))],
    )
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_wo = models.CharField(_("name (Wolof)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    pictogram = models.CharField(_("pictogram"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("procedure category")
        verbose_name_plural = _("procedure categories")

    def __str__(self) -> str:
        return f"{self.letter} · {self.name_fr}"


class Procedure(TranslatedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[CODE_VALIDATOR])
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="procedures", verbose_name=_("category")
    )
    name_fr = models.CharField(_("name (French)"), max_length=160)
    name_wo = models.CharField(_("name (Wolof)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    deadline_min_days = models.PositiveSmallIntegerField(
        _("announced deadline, minimum (working days)"), default=0
    )
    deadline_max_days = models.PositiveSmallIntegerField(
        _("announced deadline, maximum (working days)"), default=0
    )
    fee_fcfa = models.PositiveIntegerField(_("fee (FCFA)"), default=0)
    documents = models.TextField(_("documents to bring"), blank=True, help_text=_("One per line."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__position", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_max_days__gte=F("deadline_min_days")),
                name="procedure_deadline_min_le_max",
                violation_error_message=_(
                    "The maximum deadline cannot be shorter than the minimum."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_fr}"

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class Site(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("temporarily closed")

    code = models.CharField(_("code"), max_length=10, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=120)
    department = models.OneToOneField(
        Department, models.PROTECT, related_name="site", verbose_name=_("department")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_pilot = models.BooleanField(_("pilot site"), default=False)
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    procedures = models.ManyToManyField(
        Procedure, related_name="sites", blank=True, verbose_name=_("procedures offered")
    )
    target_wait_minutes = models.PositiveSmallIntegerField(
        _("target wait (minutes)"),
        default=20,
        help_text=_("Users should be called within this time."),
    )
    sms_notice_ahead = models.PositiveSmallIntegerField(
        _("SMS when this many people are ahead"),
        default=3,
        help_text=_("Users who gave their phone get one SMS when their turn is this close."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    site = models.ForeignKey(Site, models.CASCADE, related_name="hours", verbose_name=_("site"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="hours_close_after_open",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
            models.UniqueConstraint(fields=["site", "weekday", "opens"], name="hours_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Counter(models.Model):
    site = models.ForeignKey(Site, models.CASCADE, related_name="counters", verbose_name=_("site"))
    code = models.CharField(_("code"), max_length=10, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=80)
    procedures = models.ManyToManyField(
        Procedure,
        related_name="counters",
        blank=True,
        verbose_name=_("procedures served"),
        help_text=_("Leave empty for a counter that serves every procedure of the site."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "code"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="counter_unique_code_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.code}/{self.code} · {self.name}"


class Role(models.TextChoices):
    AGENT = "agent", _("agent")
    SITE_MANAGER = "site_manager", _("site manager")
    QUALITY_OFFICER = "quality_officer", _("quality officer")
    REGIONAL_SUPERVISOR = "regional_supervisor", _("regional supervisor")
    NATIONAL_ADMIN = "national_admin", _("national administrator")
    PARTNER = "partner", _("partner")
    AUDITOR = "auditor", _("auditor")


# Tuples, not sets: their order ends up in a migration and must not vary between runs.
SITE_ROLES = (Role.AGENT, Role.SITE_MANAGER, Role.QUALITY_OFFICER, Role.AUDITOR)
REGION_ROLES = (Role.REGIONAL_SUPERVISOR,)
NATIONAL_ROLES = (Role.NATIONAL_ADMIN, Role.PARTNER)


class RoleAssignment(models.Model):
    """One role of one person on one scope: a site, a region or the whole network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role)
    site = models.ForeignKey(
        Site,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("site"),
    )
    region = models.ForeignKey(
        Region,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("region"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                violation_error_message=_(
                    "Agents, site managers, quality officers and auditors need a site; a "
                    "regional supervisor needs a region; national roles need neither."
                ),
                condition=(
                    Q(
                        role__in=[r.value for r in SITE_ROLES],
                        site__isnull=False,
                        region__isnull=True,
                    )
                    | Q(
                        role__in=[r.value for r in REGION_ROLES],
                        site__isnull=True,
                        region__isnull=False,
                    )
                    | Q(
                        role__in=[r.value for r in NATIONAL_ROLES],
                        site__isnull=True,
                        region__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "site"],
                condition=Q(site__isnull=False),
                name="role_unique_per_site",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_unique_per_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(site__isnull=True, region__isnull=True),
                name="role_unique_national",
            ),
        ]

    def __str__(self) -> str:
        scope = self.site or self.region or _("national")
        return f"{self.user} · {self.get_role_display()} · {scope}"


class Credential(models.Model):
    """A bearer token shown once at creation; only its SHA-256 is kept."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token start"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        abstract = True


class ApiToken(Credential):
    """A staff member's bearer token for the API."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"


class Device(Credential):
    """A kiosk, display screen or rating tablet bound to one site by its bearer token."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("ticket kiosk")
        DISPLAY = "display", _("display screen")
        TABLET = "tablet", _("rating tablet")

    site = models.ForeignKey(Site, models.CASCADE, related_name="devices", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["site__code", "kind", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.site.code} · {self.get_kind_display()} · {self.name}"


class HolidayOverride(models.Model):
    """An administrator's correction of the computed calendar: a decreed extra day off, or an
    estimated holiday that did not fall on that date (a move is one of each)."""

    date = models.DateField(_("date"), unique=True)
    is_holiday = models.BooleanField(
        _("day off"),
        default=True,
        help_text=_(
            "Checked: a public holiday on this date. Unchecked: a working day, even if "
            "the calendar estimated a holiday."
        ),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.name}"


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        REVOKE = "revoke", _("revoked")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (label)"), max_length=150)
    # One of Action for plain changes, or "<app>.<verb>" for a step of a process
    # (e.g. "quality.assessment_submit").
    action = models.CharField(_("action"), max_length=40)
    model = models.CharField(_("record type"), max_length=60, db_index=True)
    object_id = models.CharField(_("record id"), max_length=40)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
