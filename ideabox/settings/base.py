"""Settings shared by every environment, read from the environment.

The small files beside this one (dev, test, prod) only change what differs.
With no environment at all this runs the embedded default: SQLite, a
filesystem Celery broker and local uploads, so no other server is needed.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

import dj_database_url

from accounts import sso_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything the running site writes (database, broker queue, uploads, mail)
# lives under var/, which git ignores.
VAR_DIR = Path(os.environ.get("IDEABOX_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Set to True only by settings/prod.py: demo data refuses to exist there.
IDEABOX_PRODUCTION = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form gets the site's 403 page, in the reader's language, not Django's English one.
CSRF_FAILURE_VIEW = "ideabox.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    # Company sign-in (accounts.sso_config, docs/sso.md).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_filters",
    "ideabox",
    "accounts",
    "campaigns",
    "ideas",
    "votes",
    "moderation",
    "jury",
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The client address the audit log records for what the request does.
    "accounts.middleware.AuditAddressMiddleware",
    # A company identity provider that does not answer: a clear page, not a 500.
    "accounts.middleware.CompanySignInErrorsMiddleware",
]

ROOT_URLCONF = "ideabox.urls"
WSGI_APPLICATION = "ideabox.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "ideabox.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is shared by the web process, the Celery worker and the scheduler:
# WAL lets readers go on while one writes, IMMEDIATE transactions take the
# write lock up front (so two writers queue instead of failing with
# "database is locked" half-way), and the timeout is how long they queue.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
    ),
}


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
        )
        if config["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement run five times
            # on a connection prepared there (psycopg's prepare_threshold):
            # PostgreSQL then skips parsing and planning it. With persistent
            # connections (CONN_MAX_AGE) the vote's statements are planned
            # once per connection. Set DATABASE_PREPARED_STATEMENTS=false
            # behind a transaction-pooling PgBouncer older than 1.21.
            config.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_caches(url: str) -> dict:
    """The cache in Redis, failing open: while Redis is down the cache is
    empty and rate limits are off, nothing fails (ideabox/cache.py). The
    socket timeouts bound what a Redis that does not answer costs."""
    return {
        "default": {
            "BACKEND": "ideabox.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ideabox"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


if REDIS_URL:
    SHARED_CACHES = redis_caches(REDIS_URL)
else:
    # A file cache is shared by the web process, the worker and the
    # scheduler on one machine, which the in-memory cache is not.
    SHARED_CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CACHES = SHARED_CACHES

# --- Celery ---------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message a worker took and has not acknowledged goes back to the
        # queue after this long if that worker dies whole (SIGKILL of the
        # main process: nothing is left to reject it). Short, it would bound
        # that wait, but Redis would then hand a second worker any task still
        # running after it, and the tasks waiting for a retry (countdown) are
        # held the same way. The sweep (every minute, campaigns.lifecycle)
        # is what brings lost tallies and publications back within 5
        # minutes, so an hour stays: an e-mail lost this way arrives late.
        "visibility_timeout": 3600,
        # Redis answers in well under a millisecond on a sound network:
        # fail fast when it is down or unreachable rather than hold a
        # request (kombu's default waits forever on a dead connection).
        # socket_timeout must stay above the workers' 1 s BRPOP.
        "socket_connect_timeout": 0.25,
        "socket_timeout": 2.0,
    }
else:
    # Kombu's filesystem transport: a queue that is a folder, so background
    # jobs really run with no broker server. One machine only. A worker
    # takes a message by removing its file, and puts back what it has not
    # acknowledged only when it stops cleanly: a killed worker loses its
    # task (no visibility_timeout here), and the sweep queues lost tallies
    # and publications again. Publishing is a file write: it fails at once.
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # The folder is polled; the default (1 s) makes a worker take about
        # one task a second.
        "polling_interval": 0.1,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_IGNORE_RESULT = True
# What survives what (README, "Reliability"). Every task is safe to run
# twice, so each choice below prefers running a task again to losing it.
# Acknowledged once it has run, not when taken: a worker killed half-way
# leaves the message to be delivered again.
CELERY_TASK_ACKS_LATE = True
# A pool process killed under a task (SIGKILL, out of memory) puts the
# message back at once, instead of acknowledging it as failed. The price is
# that a task that kills its process every time comes back every time; it
# shows in the worker's log.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message reserved per worker process, so a worker that dies strands
# one task per process until visibility_timeout, not a batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing: one quick second try (a connection Redis closed meanwhile),
# then give up. Tasks are queued through ideabox.outbox, whose rows the
# sweep sends again, so a request never waits for a broker that is down:
# with the timeouts above, a refused broker costs milliseconds and an
# unreachable one about half a second (Celery's default is four tries).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The site's name in the account e-mails (allauth's "Hello from …", subjects).
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Ideabox"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.models.display_name_of"
# Sign-up does the same work for an address that has an account as for a new one.
# Addresses company sign-in serves never log in, sign up or reset by password,
# and are not added by hand (company sign-in adds them).
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
}
# Failed logins (HTML and `POST /api/v1/auth/token/` alike, successes not
# counted): at most 5 in 5 minutes per client address and login name together
# ("key", see AccountAdapter), so that nobody can lock the owner out from
# elsewhere, and 10 a minute per address whatever the login.
ACCOUNT_RATE_LIMITS = {"login_failed": os.environ.get("LOGIN_FAILED_RATES", "10/m/ip,5/5m/key")}

# Employees are recognised by a verified address in one of these domains;
# computed when needed (accounts.roles), never copied onto the user.
EMPLOYEE_EMAIL_DOMAINS = [d.lower() for d in env_list("EMPLOYEE_EMAIL_DOMAINS", [])]

# --- Company sign-in (single sign-on) -----------------------------------------
# The company's identity providers, OpenID Connect or SAML 2.0: a JSON list in
# SSO_PROVIDERS, or the path of a file holding it in SSO_PROVIDERS_FILE
# (accounts.sso_config checks it; docs/sso.md says every key). None by default.
SSO_PROVIDERS = sso_config.load(os.environ)
SOCIALACCOUNT_PROVIDERS = sso_config.allauth_providers(SSO_PROVIDERS)
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# A company sign-in makes a person an employee for this many days; people who
# leave the company stop signing in, and so stop being employees.
SSO_EMPLOYEE_MAX_AGE_DAYS = env_int("SSO_EMPLOYEE_MAX_AGE_DAYS", 30)
# Just-in-time accounts: the first company sign-in creates the account, with
# no form to fill; an existing account is linked only when the provider
# vouches for its address (a verified claim, or an address in the
# provider's own domains), never duplicated.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The sign-in button posts (a GET link could be triggered by any page).
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# How long a call to an identity provider may take before its sign-in is
# refused with "the company sign-in does not answer".
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10)

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The site's public address, for links in e-mails sent by workers (no request there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ideabox <noreply@ideabox.example>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Languages ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
LANGUAGE_COOKIE_NAME = "ideabox_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# whitenoise warns about a missing STATIC_ROOT before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Idea attachments: images and PDF, checked by content, at most this size each.
IDEA_ATTACHMENT_MAX_BYTES = env_int("IDEA_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880  # the body without its files

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp) ----------------------------------
# Strict on every response: scripts, styles and everything else only from
# this site, no inline script or style (the templates have none; htmx is
# told not to inject its indicator style: base.html), no plugins, not
# framed. Images may also be data: URLs (Swagger UI's icons) and come from
# the media storage's own address (settings/prod.py adds the S3 one);
# CSP_MEDIA_ORIGINS adds others, e.g. "https://media.example.com".
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", [])


def media_origins(*, bucket: str, custom_domain: str | None, endpoint_url: str | None, region: str | None) -> list[str]:
    """Where django-storages' S3 backend serves uploads from, for img-src."""
    if custom_domain:
        return [f"https://{custom_domain.split('/')[0]}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        # Path-style (endpoint/bucket/key) or virtual-hosted (bucket.endpoint/key).
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The company sign-in's button is answered by a redirect to the provider.
        "form-action": ["'self'", *sso_config.form_action_origins(SSO_PROVIDERS)],
        "frame-ancestors": ["'none'"],
    },
}

# How many reverse proxies stand in front of the web processes (each adds
# itself to X-Forwarded-For). Rate limits count per client address: with
# 0 they see the proxy's address, so set it to the number of proxies.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Vote rate limits (votes/ratelimit.py, counted in the default cache) --
# Per account and per client address (behind TRUSTED_PROXY_COUNT proxies) on
# the vote endpoints, HTML and API; a benchmark raises them for its load
# generator on one address.
VOTE_RATE_PER_USER = os.environ.get("VOTE_RATE_PER_USER", "120/m")
VOTE_RATE_PER_IP = os.environ.get("VOTE_RATE_PER_IP", "600/m")

# --- Votes ----------------------------------------------------------------
# The key of the vote receipts' HMAC (votes/receipts.py). Empty: derived from
# SECRET_KEY. Set it once and keep it: changing it does not change stored
# receipts, but a new key makes the scheme's documentation name a new key.
VOTE_RECEIPT_KEY = os.environ.get("VOTE_RECEIPT_KEY", "")

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API caller is told 401 with a
    # WWW-Authenticate header, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        # JSON that is too deep, not text or not an object is a 400 `invalid`.
        "ideabox.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "ideabox.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ideabox.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # The token endpoint counts failed logins as allauth does (ACCOUNT_RATE_LIMITS).
    "DEFAULT_THROTTLE_RATES": {},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ideabox API",
    "DESCRIPTION": _(
        "The Ideabox REST API. Authenticate with a token "
        "(POST /api/v1/auth/token/, then the header `Authorization: Token <key>`) "
        'or a browser session. Every refusal is a JSON body {"code", "detail"}.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are called `kind`: the campaigns' and the entities'.
    "ENUM_NAME_OVERRIDES": {"EntityKindEnum": "accounts.models.EntityKind"},
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A probe or a scanner with an unknown Host header is logged, not
        # e-mailed to the administrators on every request.
        "django.security.DisallowedHost": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# How long /healthz accepts without a worker heartbeat before it says the
# worker or the scheduler looks stopped (the heartbeat is sent every minute).
HEALTHZ_HEARTBEAT_STALE_SECONDS = env_int("HEALTHZ_HEARTBEAT_STALE_SECONDS", 300)
# Work due for longer than this is reported overdue by /healthz: a tally, a
# publication, a task the broker has not taken. 5 minutes is the promise
# (PRODUCT.md, "Reliability").
HEALTHZ_OVERDUE_SECONDS = env_int("HEALTHZ_OVERDUE_SECONDS", 300)
