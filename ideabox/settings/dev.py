"""Development: the embedded default that `make run` serves."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
EMPLOYEE_EMAIL_DOMAINS = [d.lower() for d in env_list("EMPLOYEE_EMAIL_DOMAINS", ["ideabox.example"])]
# Mail is printed where `make run` runs, so a sign-up link can be followed.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# `make run` serves pages with runserver: a new thread, and so a new database
# connection, per request, with no bound. Kept open (CONN_MAX_AGE), they pile
# up until PostgreSQL refuses more; they pay off only where a bounded pool of
# workers reuses them (gunicorn, granian and Celery workers under the
# production settings). So here each request closes its connection, unless
# the operator sets CONN_MAX_AGE.
if not os.environ.get("CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
