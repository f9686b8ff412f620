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
