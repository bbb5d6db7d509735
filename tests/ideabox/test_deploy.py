"""Production settings: secure, and refusing to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ideabox.settings.prod",
    "SECRET_KEY": "k" * 20 + "Zq8#vN2!pL5@xR9$wT3%yU6^aB1&cD4*eF7(gH0)",
    "ALLOWED_HOSTS": "ideas.example.com",
    # Never connected to by `check`: only the engine matters here.
    "DATABASE_URL": "postgres://ideabox:secret@127.0.0.1:1/ideabox",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("DATABASE_URL", "Production needs PostgreSQL"),
        ("REDIS_URL", "Production needs Redis"),
        ("ALLOWED_HOSTS", "Set ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_setting_database_and_redis_urls_alone_is_not_production():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.IDEABOX_PRODUCTION)", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")


def test_uploads_go_to_object_storage_when_a_bucket_is_named():
    env = {**PRODUCTION_ENV, "AWS_STORAGE_BUCKET_NAME": "ideabox-uploads"}
    code = "from django.core.files.storage import storages; print(type(storages['default']).__module__)"
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("storages.backends.s3")


def test_seed_demo_refuses_to_run_under_production_settings():
    result = manage("seed_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "refuses to run under production settings" in result.stderr


def test_production_trusts_one_proxy_and_derives_the_site_address():
    code = (
        "from django.conf import settings as s; "
        "print(s.REST_FRAMEWORK['NUM_PROXIES'], s.ALLAUTH_TRUSTED_PROXY_COUNT, s.SITE_URL)"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("1 1 https://ideas.example.com")
