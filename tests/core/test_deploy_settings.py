"""Production settings come from the environment: `check --deploy` is clean with them, and
every console page carries the Content-Security-Policy it works under."""

import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection

from tests.helpers import logged_in
from tests.worker import ROOT

pytestmark = pytest.mark.django_db


def test_check_deploy_is_clean_with_production_variables():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        "DEBUG": "0",
        "SECURE": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "casework.example.com",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_console_pages_carry_the_content_security_policy(agent):
    response = logged_in(agent).get("/admin/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
