"""Settings for baocao06, read from the environment.

SQLite is the default so the demo runs with nothing installed; set DATABASE_URL to use
PostgreSQL (production). Every secret comes from the environment; see docs/operations.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("BAOCAO06_INSECURE_DEV_KEY"):
        # Only for the local demo and the test suite; production refuses to start without one.
        SECRET_KEY = "dev-only-insecure-key-" + "x" * 40
    else:
        raise ImproperlyConfigured("SECRET_KEY phải được đặt trong biến môi trường.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "baocao06.core.apps.AdminConfig",  # django.contrib.admin with the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` command is replaced by the leased, reconnecting worker.
    "baocao06.jobs",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page's assets from its own static files, no CDN
    "baocao06.core",
    "baocao06.units",
    "baocao06.accounts",
    "baocao06.audit",
    "baocao06.definitions",
    "baocao06.catalogues",
    "baocao06.rounds",
    "baocao06.reports",
    "baocao06.review",
    "baocao06.notifications",
    "baocao06.demo",
    "baocao06.workbooks",
    "baocao06.compilation",
    "baocao06.documents",
    "baocao06.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "baocao06.core.middleware.RequestIdMiddleware",
    "baocao06.core.middleware.BodyLimitMiddleware",  # before CSRF, which reads form bodies
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "baocao06.accounts.middleware.SessionTimeoutMiddleware",
    "baocao06.accounts.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "baocao06.core.middleware.SecurityHeadersMiddleware",
    "baocao06.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "baocao06.urls"
WSGI_APPLICATION = "baocao06.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baocao06.core.context_processors.now",
                "baocao06.notifications.context_processors.unread",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "baocao06.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
                # timeout instead of failing halfway through with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Vietnamese and pattern-based guesses (Matkhau@123), then public breaches (accounts/passwords.py).
    {"NAME": "baocao06.accounts.passwords.GuessablePasswordValidator"},
    {"NAME": "baocao06.accounts.passwords.BreachedPasswordValidator"},
]
# A folder of Have I Been Pwned range files (one per SHA-1 prefix) the operator downloaded; the small
# corpus shipped in data/passwords/ is always read as well.
BAOCAO06_BREACHED_PASSWORDS_DIR = os.environ.get("BAOCAO06_BREACHED_PASSWORDS_DIR", "")

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))  # absolute lifetime
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
LOGIN_COOLOFF_SECONDS = int(os.environ.get("LOGIN_COOLOFF_SECONDS", 15 * 60))
LOGIN_FAILURES_PER_ADDRESS = 5  # per username and address within the cool-off window
LOGIN_FAILURES_PER_USERNAME = 20  # per username from any address
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["baocao06.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("BAOCAO06_TESTING")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
WHITENOISE_USE_FINDERS = DEBUG or env_bool("BAOCAO06_TESTING")

# --- Background tasks (Django's tasks API, database backend) ----------------------------
# The compile's covering index (compilation.VersionValue) includes non-key columns on PostgreSQL; SQLite
# builds it on the key columns only, which is what W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- E-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "baocao06@localhost")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))

# --- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes /healthz over plain HTTP: it must get the answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Served by SecurityHeadersMiddleware; every script and style is our own, so no inline code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

# --- Request bodies ------------------------------------------------------------------------
# Bodies over these are refused from Content-Length before anything reads them (BodyLimitMiddleware):
# forms and JSON (autosave, API) up to 2.5 MB; multipart uploads up to BAOCAO06_MAX_UPLOAD_BYTES unless
# the view sets its own limit (the workbook upload: 5 MB). Files above 2.5 MB are spooled to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
BAOCAO06_MAX_UPLOAD_BYTES = int(os.environ.get("BAOCAO06_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
# Proxies whose X-Request-ID is kept (addresses or networks, comma-separated); others get a new id.
BAOCAO06_TRUSTED_PROXIES = env_list("BAOCAO06_TRUSTED_PROXIES")

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "baocao06.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- The product --------------------------------------------------------------------------
# Where the repository's data files live (units, catalogues, report definitions).
BAOCAO06_DATA_DIR = BASE_DIR / "data"
# The address people open, for links in e-mails.
BAOCAO06_SITE_URL = os.environ.get("BAOCAO06_SITE_URL", "http://127.0.0.1:8000")
# Seconds between two runs of the reminder tick (notifications/tasks.py).
BAOCAO06_REMINDER_INTERVAL = int(os.environ.get("BAOCAO06_REMINDER_INTERVAL", 900))
# A worker that has not beaten for this many seconds is dead: its tasks are run again, at most
# BAOCAO06_JOB_MAX_ATTEMPTS times in all, then failed (baocao06/jobs/leases.py).
BAOCAO06_JOB_LEASE_SECONDS = float(os.environ.get("BAOCAO06_JOB_LEASE_SECONDS", 60))
BAOCAO06_JOB_MAX_ATTEMPTS = int(os.environ.get("BAOCAO06_JOB_MAX_ATTEMPTS", 3))
# How long a draft edit may wait on the autosave queue in the browser (ms).
BAOCAO06_AUTOSAVE_DELAY_MS = int(os.environ.get("BAOCAO06_AUTOSAVE_DELAY_MS", 700))

# --- Documents: PDF and digital signatures (baocao06/documents, docs/operations.md "PDF and signatures")
# LibreOffice makes every PDF; empty = `soffice` on the PATH. A conversion is killed after the timeout.
BAOCAO06_SOFFICE = os.environ.get("BAOCAO06_SOFFICE", "")
BAOCAO06_PDF_TIMEOUT = float(os.environ.get("BAOCAO06_PDF_TIMEOUT", 180))
# Trust anchors for signed PDFs: PEM or DER files of the root (and intermediate) CA certificates the
# operator trusts (the Government CA's), separated by commas. No anchors = every signature is refused.
BAOCAO06_SIGNATURE_TRUST_ROOTS = env_list("BAOCAO06_SIGNATURE_TRUST_ROOTS")
BAOCAO06_SIGNATURE_INTERMEDIATES = env_list("BAOCAO06_SIGNATURE_INTERMEDIATES")
# An uploaded signed PDF: refused above this size before it is read; checked in a child process with
# this much address space (MB) and CPU time (s), killed after the wall-clock timeout (s).
BAOCAO06_SIGNED_PDF_MAX_BYTES = int(os.environ.get("BAOCAO06_SIGNED_PDF_MAX_BYTES", 20 * 1024 * 1024))
BAOCAO06_SIGNED_PDF_MEMORY_MB = int(os.environ.get("BAOCAO06_SIGNED_PDF_MEMORY_MB", 768))
BAOCAO06_SIGNED_PDF_CPU_SECONDS = int(os.environ.get("BAOCAO06_SIGNED_PDF_CPU_SECONDS", 20))
BAOCAO06_SIGNED_PDF_TIMEOUT = float(os.environ.get("BAOCAO06_SIGNED_PDF_TIMEOUT", 30))
# Signing on the server with the organisation's certificate (second road): a PKCS#12 file and its
# passphrase. Empty = the road is closed (the page does not offer it).
BAOCAO06_SIGNING_PKCS12 = os.environ.get("BAOCAO06_SIGNING_PKCS12", "")
BAOCAO06_SIGNING_PKCS12_PASSPHRASE = os.environ.get("BAOCAO06_SIGNING_PKCS12_PASSPHRASE", "")
# …or a key on a hardware token / HSM through PKCS#11 (the module's .so, token label, key label, PIN);
# needs the python-pkcs11 package. When the module is set it is used instead of the PKCS#12 file.
BAOCAO06_SIGNING_PKCS11_MODULE = os.environ.get("BAOCAO06_SIGNING_PKCS11_MODULE", "")
BAOCAO06_SIGNING_PKCS11_TOKEN = os.environ.get("BAOCAO06_SIGNING_PKCS11_TOKEN", "")
BAOCAO06_SIGNING_PKCS11_KEY = os.environ.get("BAOCAO06_SIGNING_PKCS11_KEY", "")
BAOCAO06_SIGNING_PKCS11_PIN = os.environ.get("BAOCAO06_SIGNING_PKCS11_PIN", "")
