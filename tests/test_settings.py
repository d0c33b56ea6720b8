"""The configuration: production passes Django's deployment checks; bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(**overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TERANGA_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    for line in (ROOT / "deploy" / "teranga.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env["SECRET_KEY"] = "k" * 20 + "Zq8#vW2!pL5@xR9$tY3%uI6^oP1&aS4*dF7(gH0)jK"  # 62 varied chars
    env["CHANNELS_SECRET"] = "channel-secret-for-the-test"
    env.update(overrides)
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_configuration_passes_check_deploy_without_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("AXES_FAILURE_LIMIT", "five", "AXES_FAILURE_LIMIT must be an integer"),
        ("TERANGA_ENV", "staging", "TERANGA_ENV must be"),
    ],
)
def test_a_malformed_setting_stops_the_process_with_its_name(name, value, message):
    result = manage("check", env=production_env(**{name: value}))
    assert result.returncode != 0
    assert message in result.stderr


def test_seed_demo_is_refused_in_production():
    result = manage("seed_demo", env=production_env(DATABASE_URL="sqlite:///:memory:"))
    assert result.returncode != 0
    assert "refused" in result.stderr


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = manage("shell", "--no-imports", "-c", code, env=production_env())
    assert result.stdout.strip() == "False"
