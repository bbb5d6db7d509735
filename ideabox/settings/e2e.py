"""The browser tests (tests/e2e, `make e2e`): the test settings, served by a
real web server with a real Celery worker and `celery beat` beside it.

The test session (tests/e2e/conftest.py) starts those three processes under
these settings and points them at its own test database and at a temporary
folder (IDEABOX_VAR_DIR) it made for the run. What crosses processes is
shared, as under ideabox/settings/faults.py: the database, the broker (the
filesystem broker in that folder on SQLite, the Redis REDIS_URL names on
PostgreSQL + Redis), the cache (a file cache there, or that Redis), the mail
(a folder, EMAIL_FILE_PATH, read back by the tests) and the uploads (files).
"""

import os

from .base import SHARED_CACHES, VAR_DIR
from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
# The cache the site's processes share (the test settings' is in-memory).
CACHES = SHARED_CACHES
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The uploads (an idea's images) are served by the site itself (ideabox/urls.py).
SERVE_MEDIA = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
