"""Settings read from the environment (tracker/settings.py): strict in production, passing the deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter, so settings are read from exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if key not in _SECURITY_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


_SECURITY_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CLIENT_IP_HEADER",
}


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.org",
    } | overrides


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_ssl_redirect_can_be_switched_off_behind_a_tls_terminating_proxy():
    env = production_env(SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="1")
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)",
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
    assert run_manage("check", "--deploy", "--fail-level", "WARNING", **env).returncode == 0


def test_production_settings_are_strict_by_default():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY,"
        " s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_PROXY_SSL_HEADER)",
        **production_env(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "True", "DENY", "True", "None"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_repositorys_own_development_key():
    result = run_manage(
        "check", **production_env(SECRET_KEY="django-insecure-local-development-key-not-for-production")
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set, to a key of your own" in result.stderr


def test_the_client_address_header_comes_from_the_environment():
    code = "from django.conf import settings; print(*settings.AXES_IPWARE_META_PRECEDENCE_ORDER)"

    behind_proxy = run_manage("shell", "--no-imports", "-c", code, CLIENT_IP_HEADER="X-Real-IP")
    direct = run_manage("shell", "--no-imports", "-c", code)

    assert behind_proxy.stdout.split() == ["HTTP_X_REAL_IP", "REMOTE_ADDR"], behind_proxy.stderr
    assert direct.stdout.split() == ["REMOTE_ADDR"], direct.stderr
