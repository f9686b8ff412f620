"""A database outage gives clean 503 answers that clients can retry, never a stack trace."""

from unittest import mock

from django.db import OperationalError
from django.urls import reverse

from baocao06.test import BaseTestCase


class DatabaseOutageTests(BaseTestCase):
    def test_autosave_during_an_outage_answers_503_json_with_retry_after(self):
        self.login(self.reporter)
        with mock.patch("baocao06.reports.views.do_save_part", side_effect=OperationalError("server closed")):
            response = self.autosave(self.report, "I.1", {"fields": {"body": "x"}})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertEqual(response.json()["code"], "unavailable")
        self.assertNotIn("Traceback", response.content.decode())

    def test_a_page_during_an_outage_answers_a_vietnamese_503(self):
        self.login(self.reporter)
        with mock.patch(
            "baocao06.reports.views.view_for", side_effect=OperationalError("the database system is shutting down")
        ):
            response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(response.status_code, 503)
        self.assertIn("không kết nối được cơ sở dữ liệu", response.content.decode())
        self.assertNotIn("shutting down", response.content.decode())


class OutageBeforeTheViewTests(BaseTestCase):
    """The database can fail in a middleware (reading the signed-in person), not only in a view."""

    def test_a_page_answers_503_when_the_person_cannot_be_read(self):
        self.login(self.reporter)
        self.client.raise_request_exception = False
        failing = mock.patch(
            "django.contrib.auth.middleware.auth.get_user", side_effect=OperationalError("the database is restarting")
        )
        with failing, self.assertLogs("baocao06.db", "ERROR"):
            response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertIn("không kết nối được cơ sở dữ liệu", response.content.decode())
        self.assertNotIn("restarting", response.content.decode())

    def test_autosave_answers_503_json_when_the_person_cannot_be_read(self):
        self.login(self.reporter)
        self.client.raise_request_exception = False
        with mock.patch("django.contrib.auth.middleware.auth.get_user", side_effect=OperationalError("down")):
            response = self.autosave(self.report, "I.1", {"fields": {"body": "x"}})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["code"], "unavailable")

    def test_other_errors_still_answer_500(self):
        self.login(self.reporter)
        self.client.raise_request_exception = False
        with mock.patch("django.contrib.auth.middleware.auth.get_user", side_effect=RuntimeError("bug")):
            response = self.client.get(reverse("reports:list"))
        self.assertEqual(response.status_code, 500)
