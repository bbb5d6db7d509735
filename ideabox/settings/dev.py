"""Development: the embedded default that `make run` serves."""

import os

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
EMPLOYEE_EMAIL_DOMAINS = [d.lower() for d in env_list("EMPLOYEE_EMAIL_DOMAINS", ["ideabox.example"])]
# Mail is printed where `make run` runs, so a sign-up link can be followed.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
