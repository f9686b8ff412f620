"""Nonsense from a client is refused with a 4xx and nothing stored, never a 500."""

import json

from django.urls import reverse

from baocao06.api.tests.test_api import ApiTestCase
from baocao06.definitions.validation import clean_table
from baocao06.reports.actions import view_for
from baocao06.reports.models import PartConflict, ReportPart
from baocao06.test import BaseTestCase

ROW = {"content": "Số hóa hồ sơ", "origin": "new", "result": "completed"}
TWINS = {"rows": [{"key": "n1", "group": "B", "values": ROW}, {"key": "n1", "group": "B", "values": ROW}]}


class NonsenseRevisionTests(BaseTestCase):
    def test_autosave_with_a_nonsense_base_revision_is_a_400(self):
        self.login(self.reporter)
        self.client.raise_request_exception = False
        for raw in ('"abc"', "1e400", "100000000000000000000000", "-5", "2147483648", "1.5", "true", "null", "[]"):
            with self.subTest(raw):
                body = '{"base_revision": ' + raw + ', "data": {"fields": {"body": "x"}}}'
                response = self.client.post(self.save_url(self.report, "I.1"), body, content_type="application/json")
                self.assertEqual(response.status_code, 400)
        self.assertFalse(ReportPart.objects.filter(report=self.report).exists())
        self.assertFalse(PartConflict.objects.exists())

    def test_a_plain_form_post_with_a_nonsense_revision_is_a_400(self):
        self.login(self.reporter)
        response = self.client.post(self.save_url(self.report, "I.1"), {"base_revision": "-1", "f:body": "x"})
        self.assertEqual(response.status_code, 400)

    def test_a_sound_revision_still_saves_and_a_stale_one_is_a_409(self):
        self.login(self.reporter)
        self.assertEqual(self.autosave(self.report, "I.1", {"fields": {"body": "x"}}, 0).status_code, 200)
        self.assertEqual(self.autosave(self.report, "I.1", {"fields": {"body": "y"}}, 0).status_code, 409)


class DuplicateFreeRowTests(BaseTestCase):
    def test_the_engine_refuses_two_free_rows_with_one_key(self):
        view = view_for(self.report)
        result = clean_table(view.table_index["PL01"], TWINS)
        [problem] = [p for p in result.problems if p.code == "duplicate_row"]
        self.assertEqual((problem.part, problem.row, problem.severity), ("PL01", "n1", "error"))
        self.assertIn("trùng", problem.message)
        self.assertEqual(len(result.rows), 1)

    def test_autosave_reports_the_duplicate_as_an_error_that_blocks_submission(self):
        self.login(self.reporter)
        body = self.autosave(self.report, "PL01", TWINS).json()
        [problem] = [p for p in body["problems"] if p["code"] == "duplicate_row"]
        self.assertEqual(problem["severity"], "error")
        page = self.client.get(reverse("reports:check", args=[self.report.pk]))
        self.assertIn("duplicate_row", [p.code for p in page.context["blocking"]])


class DuplicateFreeRowApiTests(ApiTestCase):
    def test_the_api_reports_the_duplicate(self):
        response = self.call("put", self.part_url("PL01"), self.reporter_secret, {"data": TWINS}, **{"If-Match": '"0"'})
        problems = json.loads(response.content)["problems"]
        self.assertIn("duplicate_row", [p["code"] for p in problems])
