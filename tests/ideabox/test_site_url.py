"""The address in e-mails' links follows the development server's HOST/PORT
(issue 10, item 1): `PORT=8100 make run` used to mail links to port 8000.
The e-mails are rendered by the worker, which has no request, so the address
must reach every process `make run` starts, not just the web server."""

import os
import stat
import subprocess

import pytest

from tests.ideabox.test_deploy import ROOT, manage

PRINT_LINK = "from accounts.notifications import absolute_url; print(absolute_url('/ideas/7/'))"


def fake_venv(tmp_path):
    """A virtualenv whose python does nothing and whose honcho prints the
    environment it would hand the web server, the worker and the scheduler."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"python": "exit 0", "honcho": 'echo "SITE_URL=$SITE_URL"'}.items():
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    (tmp_path / ".installed").touch()
    return tmp_path


def make_run(tmp_path, **variables) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    args = [f"{name}={value}" for name, value in {"VENV": fake_venv(tmp_path), **variables}.items()]
    result = subprocess.run(["make", "-s", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "SITE_URL=http://127.0.0.1:8000"),
        ({"PORT": "8100"}, "SITE_URL=http://127.0.0.1:8100"),
        ({"HOST": "localhost", "PORT": "8100"}, "SITE_URL=http://localhost:8100"),
        ({"PORT": "8100", "SITE_URL": "https://ideas.example.com"}, "SITE_URL=https://ideas.example.com"),
    ],
)
def test_make_run_hands_its_processes_the_address_it_serves(tmp_path, variables, expected):
    assert make_run(tmp_path, **variables) == expected


def test_the_links_in_e_mails_follow_the_address_make_run_hands_over():
    result = manage("shell", "-c", PRINT_LINK, env={"SITE_URL": "http://127.0.0.1:8100/"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8100/ideas/7/"
