"""Settings shared by every environment. Safe development defaults; production overrides."""

import hashlib
from pathlib import Path

import dj_database_url

from ketenzicht.settings.env import envbool, envint, envlist, envstr

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(envstr("KETENZICHT_HOME", str(Path.cwd())))
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "axes",
    "csp",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "ketenzicht.core",
    "ketenzicht.norms",
    "ketenzicht.accounts",
    "ketenzicht.audit",
    "ketenzicht.cases",
    "ketenzicht.intake",
    "ketenzicht.routing",
    "ketenzicht.meetings",
    "ketenzicht.barriers",
    "ketenzicht.monitor",
    "ketenzicht.programme",
    "ketenzicht.retention",
    "ketenzicht.persons",
    "ketenzicht.notifications",
    "ketenzicht.themes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ketenzicht.core.api_version.ApiVersionMiddleware",
    "ketenzicht.core.api_input.ApiBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketenzicht.accounts.oidc.IdpMfaMiddleware",
    "ketenzicht.core.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ketenzicht.core.csp.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketenzicht.urls"
WSGI_APPLICATION = "ketenzicht.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketenzicht.core.context_processors.navigation",
                "ketenzicht.notifications.context_processors.unread",
                "ketenzicht.themes.context_processors.theme",
                "ketenzicht.accounts.context_processors.sso",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ketenzicht.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default lives in var/, which a fresh clone does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the embedded default take concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# core/prepared.py prepares the intake's statements on PostgreSQL (its lookups, rate counter and
# insert). Off (0) only behind a connection pooler in transaction mode that cannot keep prepared
# statements (docs/operations.md).
DB_PREPARE_INSERTS = envbool("DB_PREPARE_INSERTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARE_INSERTS:
    # Django's default threshold (None) makes psycopg refuse even an explicit prepare; a threshold
    # never reached prepares only what asks (core/prepared.py): the ORM's client-side cursors never do.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool("DB_JIT", False):
    # PostgreSQL compiles a query to machine code once its estimated cost passes jit_above_cost.
    # The work queue's search is estimated high (a text match whose selectivity it cannot know)
    # and spent 150 of its 380 ms compiling (issue 19); no page here runs long enough to win it back.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ketenzicht.accounts.backends.UsernameOrEmailBackend",
    # Staff SSO (OpenID Connect): inert unless OIDC_RP_CLIENT_ID is set (accounts/oidc.py).
    "ketenzicht.accounts.oidc.KetenzichtOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ketenzicht.accounts.validators.DutchMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One-time links by e-mail (accounts/links.py): an invitation, a password reset.
ACCOUNT_INVITATION_DAYS = envint("ACCOUNT_INVITATION_DAYS", 7)
ACCOUNT_RESET_HOURS = envint("ACCOUNT_RESET_HOURS", 2)
# Where Ketenzicht is reached, for the links in e-mails (invitations, notifications, reminders).
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")
# Staff SSO through OpenID Connect (mozilla-django-oidc), off by default (docs/operations.md).
OIDC_RP_CLIENT_ID = envstr("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envstr("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = envstr("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = envstr("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = envstr("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = envstr("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = envstr("OIDC_RP_SCOPES", "openid email profile")
OIDC_CREATE_USER = False
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = float(envstr("OIDC_TIMEOUT", "5"))
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# Which `amr` or `acr` values in the ID token count as multi-factor at the provider.
OIDC_MFA_AMR_VALUES = envlist("OIDC_MFA_AMR_VALUES", ["mfa", "otp", "hwk", "swk", "sc", "fpt", "face"])
OIDC_MFA_ACR_VALUES = envlist("OIDC_MFA_ACR_VALUES", [])
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "two_factor:login"

LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("pl", "Polski"),
    ("bg", "Български"),
    ("ro", "Română"),
    ("uk", "Українська"),
    ("ru", "Русский"),
]
# Staff pages are offered in these; the public report form in all LANGUAGES.
STAFF_LANGUAGES = ["nl", "en"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
# One Dutch date format, set here (formats/nl/formats.py): "6 december 2026", "6 december 2026 14:05".
# Templates use |date:"DATE_FORMAT" or |date:"DATETIME_FORMAT", never a pattern of their own.
FORMAT_MODULE_PATH = ["ketenzicht.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
_NODE_MODULES = BASE_DIR / "node_modules"
if _NODE_MODULES.exists():
    STATICFILES_DIRS.append(("vendor", _NODE_MODULES))
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: the form checks content, not the name; these cap what reaches it.
MAX_ATTACHMENT_BYTES = envint("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sessions: short-lived, expire on inactivity, never readable by scripts.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "ketenzicht.core.lockout.login_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Failures are kept in the database (shared by every worker, kept across restarts).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Two-factor login is required for every staff account (see core.middleware).
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Ketenzicht"
# Second-factor attempts: a fixed limit per account in the shared store instead of django-otp's
# doubling wait, which locked the owner out for hours (core/lockout.py).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
TOTP_FAILURE_LIMIT = envint("TOTP_FAILURE_LIMIT", 5)
TOTP_COOLOFF_SECONDS = envint("TOTP_COOLOFF_SECONDS", 15 * 60)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Partner systems' tokens, read with their organisation in one query (core/api_auth.py).
        "ketenzicht.core.api_auth.PartnerTokenAuthentication",
        # Sessions count only with a verified second factor (core/api_auth.py).
        "ketenzicht.core.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ketenzicht.core.api_permissions.PolicyPermission"],
    "EXCEPTION_HANDLER": "ketenzicht.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, with a depth limit and no lone surrogates (core/api_input.py).
    "DEFAULT_PARSER_CLASSES": ["ketenzicht.core.api_input.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Per client (core.ratelimit: partner by account, public by keyed hash of the address).
    "DEFAULT_THROTTLE_RATES": {
        "public_report": envstr("RATE_LIMIT_PUBLIC_REPORT", "30/minute"),
        "partner": envstr("RATE_LIMIT_PARTNER", "600/minute"),
        # Looking up receipt codes: low, so codes cannot be guessed by trying many.
        "public_status": envstr("RATE_LIMIT_PUBLIC_STATUS", "20/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ketenzicht API",
    "DESCRIPTION": "API voor ketenpartners: signalen, routekaart en monitor. Fouten als application/problem+json (RFC 9457).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the problem+json answers it can give (core/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ketenzicht.core.api_schema.document_problems",
    ],
}
# Largest body any /api/ operation accepts (413 problem+json above it).
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 256 * 1024)
# At most one audit seal per process per this many ms under load (audit/chain.py); 0: after every commit.
AUDIT_SEAL_INTERVAL_MS = envint("AUDIT_SEAL_INTERVAL_MS", 250)
# Plain partner deliveries answered without DRF's machinery, same answer and rows (intake/fast_api.py).
INTAKE_FAST_PATH = envbool("INTAKE_FAST_PATH", True)

# Shared counters of rate limits and lockouts (core/counters.py): the database by default,
# Redis when set (e.g. redis://127.0.0.1:6379/0).
REDIS_URL = envstr("REDIS_URL", "")

# More than one app server (docs/operations.md, "A region"): nothing that must hold across
# requests lives in one process. Sessions are rows in the database; the cache is the database
# table `core_cache` (core.models.CacheEntry), or Redis when REDIS_URL is set, where sessions are
# then read through the cache and still written to the database (`cached_db`: a restart of
# Redis logs nobody out). Rate limits and lockouts: core/counters.py and django-axes' tables.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "kz"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "core_cache", "OPTIONS": {"MAX_ENTRIES": 20000}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Rate limits count per client address; behind N reverse proxies that append to
# X-Forwarded-For, set this to N so the client (not the proxy) is counted.
RATE_LIMIT_TRUSTED_PROXIES = envint("RATE_LIMIT_TRUSTED_PROXIES", 0)
# Registries (core.registries, docs/registries.md). Every adapter is off while its URL is
# empty; the case page then says "niet ingesteld". Keys come from the environment (or *_FILE).
# BAG address lookup (PDOK Locatieserver): routing of public reports and the AF's enrichment.
BAG_API_URL = envstr("BAG_API_URL", "")
BAG_API_TIMEOUT = float(envstr("BAG_API_TIMEOUT", "3"))
# BAG API Individuele Bevragingen (Kadaster): gebruiksdoel and oppervlakte; uses BAG_API_TIMEOUT.
BAG_IB_API_URL = envstr("BAG_IB_API_URL", "")
BAG_IB_API_KEY = envstr("BAG_IB_API_KEY", "")
# Haal Centraal BRP bewoning (the municipality's own connection): number of registered occupants.
BRP_BEWONING_API_URL = envstr("BRP_BEWONING_API_URL", "")
BRP_BEWONING_API_KEY = envstr("BRP_BEWONING_API_KEY", "")
BRP_BEWONING_API_TIMEOUT = float(envstr("BRP_BEWONING_API_TIMEOUT", "3"))
# KvK Basisprofiel API: a company by its KvK number.
KVK_API_URL = envstr("KVK_API_URL", "")
KVK_API_KEY = envstr("KVK_API_KEY", "")
KVK_API_TIMEOUT = float(envstr("KVK_API_TIMEOUT", "3"))

# Background tasks (reminder e-mails): django-tasks on the database queue, the embedded
# default; `ketenzicht db_worker` runs as a service next to the web process (docs/meetings.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 8025)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Ketenzicht <noreply@ketenzicht.localhost>")

# Application logs never carry personal data: formatters log ids and event names only,
# and the filter strips query strings from request lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "ketenzicht.core.logging.StripQueryStrings"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Regional monitor: every figure that leaves the AF's own municipality is perturbed with the
# Cell Key Method (docs/privacy.md, docs/adr/0001-cell-key-method.md). Counts below the
# threshold are never published as themselves; the p-table has this maximum deviation (at
# least 2 x threshold - 2) and this variance. Unsafe values are refused by `ketenzicht check`.
MONITOR_DISCLOSURE_THRESHOLD = envint("MONITOR_DISCLOSURE_THRESHOLD", 5)
MONITOR_PTABLE_MAX_DEVIATION = envint("MONITOR_PTABLE_MAX_DEVIATION", 8)
MONITOR_PTABLE_VARIANCE = float(envstr("MONITOR_PTABLE_VARIANCE", "2.0"))
# Releases: a month may be released this many days after it ended; months more than
# MONITOR_RELEASE_FINAL_MONTHS before a release's month are final (copied unchanged); the
# counts of the latest MONITOR_RELEASES_KEPT releases are kept (older ones keep their record).
MONITOR_RELEASE_CLOSE_DAYS = envint("MONITOR_RELEASE_CLOSE_DAYS", 0)
MONITOR_RELEASE_FINAL_MONTHS = envint("MONITOR_RELEASE_FINAL_MONTHS", 12)
MONITOR_RELEASES_KEPT = envint("MONITOR_RELEASES_KEPT", 3)
# Bootstrap replicates behind every estimate of persons (docs/mse.md: more is steadier, slower).
PERSONS_BOOTSTRAP = envint("PERSONS_BOOTSTRAP", 200)

# The key of the audit trail's hash chain and of purge tombstones (HMAC-SHA256). Set it apart
# from SECRET_KEY in production (AUDIT_KEY or AUDIT_KEY_FILE) and never change it: entries
# sealed under one key do not verify under another (docs/operations.md).
AUDIT_KEY = envstr("AUDIT_KEY") or hashlib.sha256(f"ketenzicht.audit|{SECRET_KEY}".encode()).hexdigest()
LOGIN_URL_PATH = "/account/login/"
