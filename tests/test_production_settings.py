"""Production settings from the environment (docs/operations.md): STOREFEED_HTTPS=1 turns on
secure cookies, the redirect to HTTPS (not for /health), HSTS and the proxy's
X-Forwarded-Proto; `storefeed check --deploy` is clean with the settings the docs give.
Settings are read when Django starts, so each check runs in a process of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "STOREFEED_HTTPS": "1",
    "STOREFEED_HSTS_PRELOAD": "1",
    "STOREFEED_SECRET_KEY": "a-long-random-production-key-" + "x9" * 20,
    "STOREFEED_ALLOWED_HOSTS": "storefeed.example",
    "STOREFEED_EMAIL_BACKEND": "smtp",
}

PROBE = """
import json
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
c = Client(HTTP_HOST="storefeed.example")
plain = c.get("/login")
health = c.get("/health")
secure = c.get("/login", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}))
"""


def storefeed(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "storefeed", *args],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",
            "STOREFEED_VAR_DIR": str(tmp_path),
            "STOREFEED_DATABASE_URL": "",
            "STOREFEED_STATIC_MANIFEST": "0",  # no collectstatic in this var/
            **env,
        },
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_https_turns_on_redirects_hsts_and_secure_cookies(tmp_path):
    done = storefeed(tmp_path, "shell", "-c", PROBE, env=PRODUCTION)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://storefeed.example/login"]
    assert seen["health"] == 200  # load balancers probe over plain HTTP
    assert seen["secure"] == 200  # the proxy said the client used HTTPS
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie_secure"] is True


def test_without_https_nothing_redirects(tmp_path):
    done = storefeed(
        tmp_path,
        "shell",
        "-c",
        PROBE,
        env={"STOREFEED_HTTPS": "", "STOREFEED_ALLOWED_HOSTS": "storefeed.example"},
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["plain"][0] == 200
    assert seen["hsts"] is None


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    done = storefeed(tmp_path, "check", "--deploy", env=PRODUCTION)
    assert done.returncode == 0, done.stderr
    issues = {
        line.split(")", 1)[0].split("(", 1)[1]
        for line in (done.stdout + done.stderr).splitlines()
        if line.startswith("?: (")
    }
    assert issues == set(), done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr
