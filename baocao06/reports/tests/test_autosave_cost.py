"""What one autosave costs the database: a fixed, small number of queries, by browser and by API.

An autosave is the request a deadline day is made of (QUALITY.md: ≥ 150 a second). Each query is ORM
and driver time on the app server and work for PostgreSQL, so the count is pinned here; a change that
adds one must say why. Inside a test the transaction's BEGIN/COMMIT are a SAVEPOINT and its RELEASE.
On PostgreSQL a save's three writes (the part, the report's activity, the audit event) go in one round
trip (`core.statements.together`), counted as one query; SQLite takes them one at a time.
"""

import datetime as dt
import json
from unittest import mock

from django.db import connection
from django.utils import timezone

from baocao06.api.actions import do_create_token
from baocao06.api.models import ApiRole
from baocao06.audit.models import AuditEvent
from baocao06.definitions import validation
from baocao06.reports.actions import Conflict, do_save_part
from baocao06.test import BaseTestCase

SERVICE = "DA06-07"
WRITES = 1 if connection.vendor == "postgresql" else 3  # the three writes: one round trip or three


def table(total: int) -> dict:
    return {"rows": [{"key": SERVICE, "values": {"total": str(total), "online": "700"}}]}


class AutosaveQueryTests(BaseTestCase):
    def assert_lean(self, queries, *, api=False):
        """No query of an autosave reads what it does not use from the round (its JSON and title:
        `reports.models.report_for_autosave`), the unit or the user (`api.access.TOKEN_RELATED`), or sorts
        (first() on a unique key)."""
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        self.assertTrue(selects)
        unused = ["layout", "unit_mapping", "document_settings", "reminder_offsets", "title"]
        for sql in selects:
            for column in unused:
                self.assertNotIn(f'"rounds_round"."{column}"', sql)
            for column in ('"units_unit"."notes"', '"accounts_user"."password"') if api else ():
                self.assertNotIn(column, sql)  # the browser's session needs the whole user (Django auth)
            self.assertNotIn("ORDER BY", sql.upper())

    def test_a_browser_autosave_of_an_existing_part_runs_nine_queries_on_postgresql(self):
        self.login(self.reporter)
        self.assertEqual(self.autosave(self.report, "PL03", table(1000)).status_code, 200)
        # session, user, memberships, report; savepoint, lock, part, [update part; update report;
        # audit event], release
        with self.assertNumQueries(WRITES + 8) as queries:
            response = self.autosave(self.report, "PL03", table(1001), base_revision=1)
        self.assertEqual(response.status_code, 200)
        self.assert_lean(queries)
        body = response.json()
        self.assertEqual((body["revision"], body["changed"]), (2, True))
        self.assertEqual(body["computed"][SERVICE]["values"]["rate"], "69,93")
        self.assertEqual(self.report.parts.get(key="PL03").data, table(1001))
        event = AuditEvent.objects.filter(action="report.part_saved").latest("id")
        self.assertEqual(event.changes, [{"place": f"PL03/{SERVICE}/total", "old": "1000", "new": "1001"}])

    def test_an_api_autosave_with_if_match_runs_seven_queries_on_postgresql(self):
        _, secret = do_create_token(
            name="Hệ thống", unit=self.ministry, role=ApiRole.REPORTER,
            expires_at=timezone.now() + dt.timedelta(days=1), actor=self.secretariat,
        )  # fmt: skip

        def put(data, revision):
            return self.client.put(
                f"/api/v1/reports/{self.report.pk}/parts/PL03",
                json.dumps({"data": data}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IF_MATCH=f'"{revision}"',
            )

        self.assertEqual(put(table(1000), 0).status_code, 200)  # also marks the token used
        # token, report; savepoint, lock, part, [update part; update report; audit event], release
        with self.assertNumQueries(WRITES + 6) as queries:
            response = put(table(1001), 1)
        self.assert_lean(queries, api=True)
        self.assertEqual((response.status_code, response["ETag"]), (200, '"2"'))
        row = next(r for r in response.json()["values"]["rows"] if r["key"] == SERVICE)
        self.assertEqual((row["values"]["total"], row["values"]["rate"]), (1001, 69.93))

    def test_a_new_part_is_inserted_under_a_savepoint_and_an_existing_one_updated(self):
        first = do_save_part(self.report, "I.1", {"fields": {"body": "một"}}, base_revision=0, actor=self.reporter)
        second = do_save_part(self.report, "I.1", {"fields": {"body": "hai"}}, base_revision=1, actor=self.reporter)
        self.assertEqual(first.part.pk, second.part.pk)
        part = self.report.parts.get(key="I.1")
        self.assertEqual((part.revision, part.data, part.updated_by), (2, {"fields": {"body": "hai"}}, self.reporter))

    def test_a_stale_save_is_refused_and_what_was_sent_is_kept(self):
        do_save_part(self.report, "PL03", table(1000), base_revision=0, actor=self.reporter)
        with self.assertRaises(Conflict) as caught:
            do_save_part(self.report, "PL03", table(5), base_revision=0, actor=self.approver)
        current = caught.exception.current
        self.assertEqual((current.revision, current.data, current.updated_by), (1, table(1000), self.reporter))
        self.assertEqual(caught.exception.conflict.data, table(5))
        self.assertEqual(self.report.parts.get(key="PL03").data, table(1000))

    def test_the_engine_runs_only_when_the_result_is_read(self):
        with mock.patch("baocao06.reports.actions.clean_part", wraps=validation.clean_part) as engine:
            result = do_save_part(self.report, "PL03", table(1000), base_revision=0, actor=self.reporter)
            self.assertEqual(engine.call_count, 0)  # a replay or an import that does not ask pays nothing
            self.assertEqual(result.problems, [])
            self.assertEqual(str(result.clean.row(SERVICE).values["rate"]), "70.00")
            self.assertEqual(engine.call_count, 1)  # computed once, then kept
