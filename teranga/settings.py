"""Django settings for Teranga, read from the environment (see README, "Configuration").

TERANGA_ENV picks the defaults: "production" (the default: every secret required, HTTPS
enforced), "dev" (what `make run` uses: DEBUG on, demo data allowed) or "test" (chosen
automatically under pytest).
"""

import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from teranga.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"

TERANGA_ENV = env_str("TERANGA_ENV", default="test" if "pytest" in sys.modules else "production")
if TERANGA_ENV not in {"production", "dev", "test"}:
    raise ImproperlyConfigured("TERANGA_ENV must be production, dev or test.")
PRODUCTION = TERANGA_ENV == "production"

DEBUG = env_bool("DEBUG", default=TERANGA_ENV == "dev")
# Demo data (seed_demo, printed passwords) is refused unless this is on.
TERANGA_DEMO = env_bool("TERANGA_DEMO", default=DEBUG)

SECRET_KEY = env_str("SECRET_KEY", default="" if PRODUCTION else "insecure-dev-key-" + "x" * 40)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production (50+ random characters).")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "teranga.network.apps.TerangaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ninja",
    "teranga.network",
    "teranga.messaging",
    "teranga.reception",
    "teranga.cases",
    "teranga.listening",
    "teranga.indicators",
    "teranga.quality",
    "teranga.steering",
    "teranga.jobs",
    "teranga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "teranga.network.middleware.ApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "teranga.network.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "teranga.urls"
WSGI_APPLICATION = "teranga.wsgi.application"
AUTH_USER_MODEL = "network.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "teranga" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL through DATABASE_URL -------------------------
DATABASE_URL = env_str("DATABASE_URL", default="")
# Connections are kept between requests: opening one (and SQLite's PRAGMAs) costs more than
# a typical API request's queries.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)
# A health check is one more round trip (SELECT 1) at the start of every request. Without it,
# the first request of a worker after a database restart fails (nothing is written, the client
# retries) and Django drops the broken connection at the end of that request.
CONN_HEALTH_CHECKS = env_bool("CONN_HEALTH_CHECKS", default=False)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS
        )
    }
    # PostgreSQL parses and plans a statement again on every execution unless it is prepared:
    # psycopg prepares one run this many times on a connection (the values are then bound on
    # the server). The hot paths' planning cost more than their execution. 0 turns it off
    # (behind a connection pooler that does not keep prepared statements).
    PG_PREPARE_THRESHOLD = env_int("PG_PREPARE_THRESHOLD", 2)
    if PG_PREPARE_THRESHOLD and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=PG_PREPARE_THRESHOLD
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "NAME": env_str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait for the
                # busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not shared memory, so that concurrency tests see real SQLite locking.
            "TEST": {
                "NAME": env_str("SQLITE_TEST_PATH", default=str(BASE_DIR / "var" / "test.sqlite3"))
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and lockout -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TERANGA_ENV == "test":
    # Hashing strength is irrelevant in tests and PBKDF2 would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)

# --- HTTPS and cookies --------------------------------------------------------------------
HTTPS = env_bool("TERANGA_HTTPS", default=PRODUCTION)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("TERANGA_BEHIND_PROXY", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Keep request bodies small: the API takes short JSON documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "script-src": [SELF],
        "style-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Languages: French first, Wolof for every public page, English available ------------
LANG_INFO["wo"] = {"bidi": False, "code": "wo", "name": "Wolof", "name_local": "Wolof"}
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("wo", "Wolof"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "teranga_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = "Africa/Dakar"
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "teranga" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files (case attachments) live under var/, outside the web root: no URL serves
# them, only a view that checks the staff member's site.
MEDIA_ROOT = env_str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
WHITENOISE_MAX_AGE = 3600 * 24 * 30 if PRODUCTION else 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# --- Reception and SMS --------------------------------------------------------------------
RECEPTION_DEFAULT_SERVICE_MINUTES = env_int("RECEPTION_DEFAULT_SERVICE_MINUTES", 6)
TICKET_PHONE_RETENTION_DAYS = env_int("TICKET_PHONE_RETENTION_DAYS", 90)
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    default="teranga.lib.sms.ConsoleBackend" if PRODUCTION else "teranga.lib.sms.FileBackend",
)
SMS_FILE_PATH = env_str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl"))
SMS_SENDER_ID = env_str("SMS_SENDER_ID", default="")
AFRICASTALKING_USERNAME = env_str("AFRICASTALKING_USERNAME", default="")
AFRICASTALKING_API_KEY = env_str("AFRICASTALKING_API_KEY", default="")

# --- Listening: ratings, SMS survey, USSD ---------------------------------------------------
# Below this many answers a satisfaction figure is shown as "not enough answers".
FEEDBACK_MIN_SAMPLE = env_int("FEEDBACK_MIN_SAMPLE", 30)
# A rating tablet ignores a second press within this many seconds (button mashing).
FEEDBACK_TABLET_MIN_INTERVAL_SECONDS = env_int("FEEDBACK_TABLET_MIN_INTERVAL_SECONDS", 4)
# An answer kept offline on a device is accepted this long after it was given.
FEEDBACK_MAX_AGE_DAYS = env_int("FEEDBACK_MAX_AGE_DAYS", 30)
# A ticket's feedback code can be used this many days after the visit.
FEEDBACK_CODE_VALID_DAYS = env_int("FEEDBACK_CODE_VALID_DAYS", 30)
# The SMS survey: a reply is accepted this long after the invitation.
SMS_SURVEY_REPLY_HOURS = env_int("SMS_SURVEY_REPLY_HOURS", 48)
# Shown on posters and in SMS: the USSD code to dial and the short code to text.
USSD_CODE = env_str("USSD_CODE", default="*384*46#")
SMS_SHORT_CODE = env_str("SMS_SHORT_CODE", default="21046")
# --- Indicators ---------------------------------------------------------------------------
# Below these samples an indicator has no value (shown "not enough data", never published):
# tickets for waits and shares of tickets, due complaints or requests for on-time shares.
# Ratings use FEEDBACK_MIN_SAMPLE.
INDICATORS_MIN_SAMPLE = env_int("INDICATORS_MIN_SAMPLE", 30)
INDICATORS_MIN_CASES = env_int("INDICATORS_MIN_CASES", 10)

# Quality (Marianne approach): the label needs every mandatory criterion met and this score (%).
QUALITY_LABEL_THRESHOLD = env_int("QUALITY_LABEL_THRESHOLD", 75)
# The label is valid 3 years with a follow-up audit at 18 months; reminders go this many days
# before each date.
QUALITY_LABEL_VALIDITY_MONTHS = env_int("QUALITY_LABEL_VALIDITY_MONTHS", 36)
QUALITY_LABEL_FOLLOW_UP_MONTHS = env_int("QUALITY_LABEL_FOLLOW_UP_MONTHS", 18)
QUALITY_LABEL_REMINDER_DAYS = [
    int(d) for d in env_list("QUALITY_LABEL_REMINDER_DAYS", ["90", "30", "7"])
]
# A mystery check passes at this score out of 10 (the Baromètre Marianne level).
QUALITY_MYSTERY_PASS_LEVEL = env_int("QUALITY_MYSTERY_PASS_LEVEL", 7)
# Evidence files: PDF, JPEG, PNG, XLSX, DOCX or ODT, at most this size.
QUALITY_EVIDENCE_MAX_BYTES = env_int("QUALITY_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# Aggregator callbacks (USSD, inbound SMS): a shared secret (URL ?secret= or header
# X-Teranga-Secret) and an allow-list of source addresses (empty: any). In the demo, with no
# secret set, requests from this machine are accepted so that anyone can try them with curl.
CHANNELS_SECRET = env_str("CHANNELS_SECRET", default="")
CHANNELS_ALLOWED_IPS = env_list("CHANNELS_ALLOWED_IPS")
if PRODUCTION and not CHANNELS_SECRET:
    raise ImproperlyConfigured("CHANNELS_SECRET is required in production.")
# Rate limits of public submissions, per address and per tablet and hour. Generous in the
# demo so that it can be tried again and again from one machine.
FEEDBACK_LIMIT_PER_HOUR = env_int("FEEDBACK_LIMIT_PER_HOUR", 10000 if TERANGA_DEMO else 30)
FEEDBACK_DEVICE_LIMIT_PER_HOUR = env_int(
    "FEEDBACK_DEVICE_LIMIT_PER_HOUR", 10000 if TERANGA_DEMO else 600
)
# Ratings by SMS or USSD from one phone number per day.
FEEDBACK_PHONE_MAX_PER_DAY = env_int("FEEDBACK_PHONE_MAX_PER_DAY", 10000 if TERANGA_DEMO else 5)
# --- E-mail (sent by the worker from the durable outbox of the cases app) ----------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="teranga@localhost")

# --- Complaints and tracked requests ------------------------------------------------------
# Deadlines in working days (the quality referential will drive them later).
CASES_COMPLAINT_DAYS = env_int("CASES_COMPLAINT_DAYS", 15)
CASES_EMAIL_DAYS = env_int("CASES_EMAIL_DAYS", 5)
CASES_LETTER_DAYS = env_int("CASES_LETTER_DAYS", 15)
# Escalation: the assignee is warned this many working days before the due date, the site
# manager once the case is this many working days late, the regional supervisor after that.
CASES_DUE_SOON_DAYS = env_int("CASES_DUE_SOON_DAYS", 2)
CASES_ESCALATE_MANAGER_AFTER_DAYS = env_int("CASES_ESCALATE_MANAGER_AFTER_DAYS", 1)
CASES_ESCALATE_REGION_AFTER_DAYS = env_int("CASES_ESCALATE_REGION_AFTER_DAYS", 5)
# Public form and tracking: attempts per address and hour (generous in dev and demo).
CASES_SUBMIT_LIMIT_PER_HOUR = env_int("CASES_SUBMIT_LIMIT_PER_HOUR", 10000 if TERANGA_DEMO else 20)
CASES_TRACK_LIMIT_PER_HOUR = env_int("CASES_TRACK_LIMIT_PER_HOUR", 10000 if TERANGA_DEMO else 30)
# Name, phone and e-mail of a case are erased this long after it is answered or completed.
CASES_CONTACT_RETENTION_DAYS = env_int("CASES_CONTACT_RETENTION_DAYS", 365)
CASES_ATTACHMENT_MAX_BYTES = env_int("CASES_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Where users track their case, written in SMS and e-mails (e.g. https://teranga.sn/suivi/).
CASES_TRACKING_URL = env_str(
    "CASES_TRACKING_URL", default="" if PRODUCTION else "http://127.0.0.1:8000/suivi/"
)
