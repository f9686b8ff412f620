"""Smaller hardening points: caching, request ids, deploy checks, the demo loader, body limits, health."""

from __future__ import annotations

import io
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from baocao06.api.tests.test_api import ApiTestCase
from baocao06.rounds.models import Round
from baocao06.test import BaseTestCase, site_paths

ROOT = Path(__file__).resolve().parents[3]
LOCAL_ONLY = {"DEBUG", "BAOCAO06_INSECURE_DEV_KEY", "BAOCAO06_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_BACKEND"}


def check_deploy(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in LOCAL_ONLY}
    environment.update(DJANGO_SETTINGS_MODULE="baocao06.settings", ALLOWED_HOSTS="baocao06.example.vn", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class CacheControlTests(BaseTestCase):
    def test_every_page_for_a_signed_in_person_is_no_store(self):
        self.login(self.secretariat)
        self.client.raise_request_exception = False
        for path in site_paths():
            if path in (reverse("accounts:logout"), "/quan-tri/logout/"):
                continue
            response = self.client.get(path)
            self.assertIn("no-store", response.get("Cache-Control", ""), f"{path} ({response.status_code})")

    def test_a_units_workbook_download_is_no_store(self):
        self.login(self.reporter)
        response = self.client.get(reverse("workbooks:download", args=[self.report.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])


class ApiCacheControlTests(ApiTestCase):
    def test_api_answers_are_no_store(self):
        response = self.call("get", "/rounds", self.reporter_secret)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])


class RequestIdTests(BaseTestCase):
    def test_a_clients_request_id_is_ignored(self):
        response = self.client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="client-chosen-123456")
        self.assertNotEqual(response["X-Request-ID"], "client-chosen-123456")
        self.assertEqual(len(response["X-Request-ID"]), 32)

    @override_settings(BAOCAO06_TRUSTED_PROXIES=["10.1.2.3"])
    def test_the_trusted_proxys_request_id_is_kept(self):
        url, rid = reverse("accounts:login"), "proxy-abc-12345678"
        self.assertEqual(self.client.get(url, HTTP_X_REQUEST_ID=rid, REMOTE_ADDR="10.1.2.3")["X-Request-ID"], rid)
        self.assertNotEqual(self.client.get(url, HTTP_X_REQUEST_ID=rid, REMOTE_ADDR="10.9.9.9")["X-Request-ID"], rid)
        forged = self.client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="<script>", REMOTE_ADDR="10.1.2.3")
        self.assertNotEqual(forged["X-Request-ID"], "<script>")

    def test_django_request_log_lines_carry_the_request_id(self):
        from baocao06.core.middleware import RequestIdLogFilter

        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record)

        handler = Keep()
        handler.addFilter(RequestIdLogFilter())
        logger = logging.getLogger("django.request")
        logger.addHandler(handler)
        try:
            response = self.client.get("/khong-co-trang-nay/")
        finally:
            logger.removeHandler(handler)
        self.assertEqual(response.status_code, 404)
        [record] = records
        self.assertEqual(record.request_id, response["X-Request-ID"])


class DeployCheckTests(BaseTestCase):
    def test_the_insecure_development_key_fails_the_deploy_check(self):
        smtp = "django.core.mail.backends.smtp.EmailBackend"
        result = check_deploy(BAOCAO06_INSECURE_DEV_KEY="1", EMAIL_BACKEND=smtp)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("baocao06.E001", result.stderr + result.stdout)

    def test_the_console_email_backend_is_a_deploy_warning(self):
        result = check_deploy(SECRET_KEY=secrets.token_urlsafe(50))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("baocao06.W002", result.stderr + result.stdout)
        explicit = check_deploy(
            SECRET_KEY=secrets.token_urlsafe(50), EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
        )
        self.assertIn("baocao06.W002", explicit.stderr + explicit.stdout)

    def test_a_missing_breached_password_folder_fails_the_check(self):
        result = check_deploy(
            SECRET_KEY=secrets.token_urlsafe(50),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            BAOCAO06_BREACHED_PASSWORDS_DIR="/khong/co/thu-muc-nay",
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("baocao06.E003", result.stderr + result.stdout)


class LoadDemoTests(BaseTestCase):
    def test_load_demo_refuses_without_debug(self):
        rounds = Round.objects.count()
        with self.assertRaisesMessage(CommandError, "DEBUG"):
            call_command("load_demo", stdout=io.StringIO())
        self.assertEqual(Round.objects.count(), rounds)


class CountingInput(io.RawIOBase):
    """A request body that records how much of it was read."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


class BodyLimitTests(BaseTestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)  # as in production, where CSRF reads form bodies

    def post_big(self, path, size, content_type):
        body = CountingInput(size)
        response = self.client.generic(
            "POST", path, b"", content_type=content_type, **{"wsgi.input": body, "CONTENT_LENGTH": str(size)}
        )
        return response, body.read_bytes

    def test_a_workbook_over_the_limit_is_refused_unread(self):
        self.login(self.reporter)
        url = reverse("workbooks:upload", args=[self.report.pk])
        response, read = self.post_big(url, 7 * 1024 * 1024, "multipart/form-data; boundary=xyz")
        self.assertEqual((response.status_code, read), (413, 0))
        self.assertIn("quá lớn", response.content.decode())

    def test_any_body_over_the_site_limit_is_refused_unread(self):
        self.login(self.reporter)
        response, read = self.post_big(reverse("notifications:mark_all_read"), 11 * 1024 * 1024, "multipart/form-data")
        self.assertEqual((response.status_code, read), (413, 0))

    def test_a_json_body_over_the_memory_limit_is_refused_unread(self):
        self.login(self.reporter)
        self.client.raise_request_exception = False
        response, read = self.post_big(self.save_url(self.report, "I.1"), 3 * 1024 * 1024, "application/json")
        self.assertEqual((response.status_code, read), (413, 0))


class HealthTests(BaseTestCase):
    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_health_answers_over_plain_http_without_a_redirect(self):
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(self.client.get(reverse("accounts:login")).status_code, 301)
