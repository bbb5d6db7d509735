"""The fault tests (tests/faults, `make faults`): the test settings, with a
real Celery worker process beside the tests instead of eager tasks.

What crosses processes must be shared: the database (PostgreSQL, the test
database the worker is pointed at), the broker and the cache (Redis, servers
of the tests' own that tests/faults/conftest.py starts, stops and points both
processes at; never the one REDIS_URL names, which is only read for the
shape of a Redis deployment's settings) and the mail (a folder, read back by
the tests).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import REDIS_URL, redis_caches
from .test import *  # noqa: F403
from .test import DATABASES

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not REDIS_URL:
    raise ImproperlyConfigured(
        "The fault tests run on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (README, 'Tests and CI')."
    )

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CACHES = redis_caches(REDIS_URL)
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
