"""Production settings pass Django's deployment checks and send the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import TestCase
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_check_deploy_at_warning_level():
    local_only = {"DEBUG", "BAOCAO06_INSECURE_DEV_KEY", "BAOCAO06_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in local_only}
    env.update(
        DJANGO_SETTINGS_MODULE="baocao06.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="baocao06.example.vn",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "BAOCAO06_INSECURE_DEV_KEY", "SECRET_KEY", "BAOCAO06_TESTING"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "baocao06.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY phải được đặt" in result.stderr


class HeaderTests(TestCase):
    def test_every_response_carries_csp_nosniff_and_frame_protection(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(len(response["X-Request-ID"]), 32)

    def test_health_answers_when_the_database_does(self):
        self.assertEqual(self.client.get(reverse("healthz")).json(), {"status": "ok"})
