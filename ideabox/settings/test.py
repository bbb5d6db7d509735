"""Tests: the same stack as development, made fast and deterministic."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env_list

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-hmac-0123456789"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMPLOYEE_EMAIL_DOMAINS = [d.lower() for d in env_list("EMPLOYEE_EMAIL_DOMAINS", ["ideabox.example"])]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory, so that a real Celery worker thread and
    # parallel connections see the same database as the test.
    # One file per test run, so two runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("IDEABOX_TEST_DB", str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3"))
    }

# Tasks run in the test's own process unless a test starts a real worker
# (tests/ideabox/test_celery_worker.py does).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


# Serve static files from the source folders, as in development (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
