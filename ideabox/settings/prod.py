"""Production: PostgreSQL, Redis, object storage, HTTPS.

Only this file makes a deployment production: setting DATABASE_URL or
REDIS_URL alone does not. Everything it needs comes from the environment,
and it refuses to start without the pieces it cannot do without.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CONTENT_SECURITY_POLICY,
    DATABASES,
    REDIS_URL,
    REST_FRAMEWORK,
    SECRET_KEY,
    env_bool,
    env_int,
    env_list,
    media_origins,
)

IDEABOX_PRODUCTION = True
DEBUG = False

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("Production needs PostgreSQL: set DATABASE_URL.")
if not REDIS_URL:
    raise ImproperlyConfigured("Production needs Redis (Celery broker and cache): set REDIS_URL.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host names.")

# Links in e-mails sent by workers: the site's public address.
SITE_URL = (os.environ.get("SITE_URL") or f"https://{ALLOWED_HOSTS[0]}").rstrip("/")

# Production sits behind a TLS-terminating proxy (docs/deploy.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": TRUSTED_PROXY_COUNT}

# HTTPS everywhere, behind a proxy that terminates TLS and says so.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Uploads go to S3-compatible object storage (AWS S3, MinIO, Scaleway,
# OVH, ...) when a bucket is named; otherwise to MEDIA_ROOT, which must
# then be a volume shared by every web and worker machine.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", True)
    AWS_S3_FILE_OVERWRITE = False
    # Uploaded images are shown from the bucket's address: the CSP allows it.
    CONTENT_SECURITY_POLICY = {**CONTENT_SECURITY_POLICY}
    CONTENT_SECURITY_POLICY["DIRECTIVES"] = {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "img-src": [
            *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
            *media_origins(
                bucket=AWS_STORAGE_BUCKET_NAME,
                custom_domain=AWS_S3_CUSTOM_DOMAIN,
                endpoint_url=AWS_S3_ENDPOINT_URL,
                region=AWS_S3_REGION_NAME,
            ),
        ],
    }

# Report errors to the administrators by e-mail.
ADMINS = [("Ideabox administrators", a) for a in env_list("ADMINS", [])]
