"""A unit fills its report in the browser's HTTP surface, the approver submits, others are refused."""

import json

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.reports.models import PartConflict, ReportStatus, ReportVersion
from baocao06.test import BaseTestCase

BTP_SERVICE = "DA06-07"  # Đăng ký khai sinh, owned by the Ministry of Justice


class FillingTests(BaseTestCase):
    def test_the_reporter_sees_only_what_addresses_the_ministry(self):
        self.login(self.reporter)
        response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("Các Bộ, ngành đánh giá", body)  # II.3.3.5 addresses ministries
        self.assertNotIn('id="s-II.1.4"', body)  # provinces only
        self.assertNotIn('id="s-II.1.2"', body)  # the Ministry of Public Security only
        self.assertIn(f'data-row="{BTP_SERVICE}"', body)
        self.assertNotIn('data-row="DA06-03"', body)  # residence registration belongs to BCA

    def test_a_province_sees_every_essential_service(self):
        self.login(self.province_reporter)
        body = self.client.get(reverse("reports:detail", args=[self.province_report.pk])).content.decode()
        for number in range(1, 26):
            self.assertIn(f'data-row="DA06-{number:02d}"', body)
        self.assertIn('id="s-II.1.4"', body)

    def test_autosave_stores_what_was_typed_and_returns_the_computed_rate(self):
        self.login(self.reporter)
        data = {"rows": [{"key": BTP_SERVICE, "values": {"total": "1.000", "online": "703"}}]}
        response = self.autosave(self.report, "PL03", data)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["revision"], 1)
        self.assertEqual(body["computed"][BTP_SERVICE]["values"]["rate"], "70,3")
        self.assertEqual(body["problems"], [])
        part = self.report.parts.get(key="PL03")
        self.assertEqual(part.data["rows"][0]["values"]["total"], "1.000")
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.DRAFT)

    def test_autosave_explains_an_error_where_it_is_and_keeps_the_value(self):
        self.login(self.reporter)
        data = {"rows": [{"key": BTP_SERVICE, "values": {"total": "100", "online": "120"}}]}
        [problem] = self.autosave(self.report, "PL03", data).json()["problems"]
        self.assertEqual((problem["row"], problem["column"]), (BTP_SERVICE, "online"))
        self.assertIn("Trực tuyến", problem["place"])
        self.assertEqual(self.report.parts.get(key="PL03").data["rows"][0]["values"]["online"], "120")

    def test_a_draft_survives_a_reload(self):
        self.login(self.reporter)
        self.autosave(self.report, "I.1", {"fields": {"body": "Tình hình ổn định, tăng trưởng 6,5%."}})
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn("Tình hình ổn định, tăng trưởng 6,5%.", body)
        self.assertIn('data-revision="1"', body)

    def test_a_stale_edit_is_refused_and_both_versions_are_kept(self):
        self.login(self.reporter)
        self.autosave(self.report, "I.1", {"fields": {"body": "Bản thứ nhất"}}, base_revision=0)
        self.login(self.approver)
        response = self.autosave(self.report, "I.1", {"fields": {"body": "Bản sửa từ bản cũ"}}, base_revision=0)
        self.assertEqual(response.status_code, 409)
        body = response.json()
        self.assertEqual(body["code"], "conflict")
        self.assertEqual(body["current"]["data"]["fields"]["body"], "Bản thứ nhất")
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Bản thứ nhất")
        conflict = PartConflict.objects.get(pk=body["conflict_id"])
        self.assertEqual(conflict.data["fields"]["body"], "Bản sửa từ bản cũ")
        self.assertEqual(conflict.user, self.approver)

    def test_saving_the_same_content_again_changes_nothing(self):
        self.login(self.reporter)
        data = {"fields": {"body": "Nội dung"}}
        self.autosave(self.report, "I.1", data, base_revision=0)
        second = self.autosave(self.report, "I.1", data, base_revision=1).json()
        self.assertEqual((second["revision"], second["changed"]), (1, False))
        self.assertEqual(AuditEvent.objects.filter(action="report.part_saved").count(), 1)

    def test_an_autosave_sent_again_after_a_lost_answer_is_not_a_conflict(self):
        self.login(self.reporter)
        data = {"rows": [{"key": BTP_SERVICE, "values": {"total": "1.000", "online": "703"}}]}
        first = self.autosave(self.report, "PL03", data, base_revision=0)
        retry = self.autosave(self.report, "PL03", data, base_revision=0)  # the browser never saw the 200
        self.assertEqual((first.status_code, retry.status_code), (200, 200), retry.content)
        self.assertEqual((retry.json()["revision"], retry.json()["changed"]), (1, False))
        self.assertFalse(PartConflict.objects.exists())
        self.assertEqual(AuditEvent.objects.filter(action="report.part_saved").count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action="report.edit_refused").exists())
        other = self.autosave(self.report, "PL03", {"rows": [{"key": BTP_SERVICE, "values": {"total": "9"}}]}, 0)
        self.assertEqual(other.status_code, 409)

    def test_the_plain_form_post_works_without_javascript(self):
        self.login(self.reporter)
        response = self.client.post(
            self.save_url(self.report, "PL03"),
            {"base_revision": "0", f"r:{BTP_SERVICE}:total": "50", f"r:{BTP_SERVICE}:online": "25"},
        )
        self.assertEqual(response.status_code, 302)
        values = self.report.parts.get(key="PL03").data["rows"][0]["values"]
        self.assertEqual((values["total"], values["online"]), ("50", "25"))

    def test_free_rows_are_saved_in_their_group(self):
        self.login(self.reporter)
        rows = [
            {
                "key": "nx1",
                "group": "B",
                "values": {"content": "Xây dựng kho dữ liệu hộ tịch", "result": "completed", "origin": "new"},
            }
        ]
        body = self.autosave(self.report, "PL01", {"rows": rows}).json()
        self.assertEqual(body["problems"], [])
        self.assertEqual(body["summaries"]["I.2"][2]["count"], 1)  # completed, computed from PL01


class SubmissionTests(BaseTestCase):
    def test_an_incomplete_report_is_refused_with_the_list_of_problems(self):
        self.login(self.approver)
        response = self.client.post(reverse("reports:submit", args=[self.report.pk]), {"idempotency_key": "k1"})
        self.assertEqual(response.status_code, 422)
        body = response.content.decode()
        self.assertIn("Chưa nhập", body)
        self.assertIn("PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»</a>: Chưa nhập.", body)
        self.assertFalse(ReportVersion.objects.exists())

    def test_the_approver_submits_a_complete_report_once(self):
        self.fill_completely(self.report, self.reporter)
        self.login(self.approver)
        url = reverse("reports:submit", args=[self.report.pk])
        self.assertEqual(self.client.post(url, {"idempotency_key": "same"}).status_code, 302)
        self.assertEqual(self.client.post(url, {"idempotency_key": "same"}).status_code, 302)  # a double click
        version = ReportVersion.objects.get(report=self.report)
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.status, self.report.current_version, version.number), (ReportStatus.SUBMITTED, version, 1)
        )
        self.assertFalse(version.late)
        self.assertEqual(len(version.content_hash), 64)
        rate = next(r for r in version.content["tables"]["PL03"]["rows"] if r["key"] == BTP_SERVICE)["values"]["rate"]
        self.assertGreater(rate, 0)

    def test_a_submitted_report_can_no_longer_be_edited(self):
        self.fill_completely(self.report, self.reporter)
        self.login(self.approver)
        self.client.post(reverse("reports:submit", args=[self.report.pk]), {"idempotency_key": "x"})
        self.login(self.reporter)
        revision = self.report.parts.get(key="I.1").revision
        response = self.autosave(self.report, "I.1", {"fields": {"body": "sửa sau khi gửi"}}, base_revision=revision)
        self.assertEqual((response.status_code, response.json()["code"]), (409, "not_editable"))

    def test_a_reporter_cannot_submit(self):
        self.fill_completely(self.report, self.reporter)
        self.login(self.reporter)
        response = self.client.post(reverse("reports:submit", args=[self.report.pk]), {"idempotency_key": "y"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ReportVersion.objects.exists())

    def test_every_change_leaves_an_audit_event_with_old_and_new_values(self):
        self.login(self.reporter)
        self.autosave(self.report, "PL03", {"rows": [{"key": BTP_SERVICE, "values": {"total": "10"}}]})
        self.autosave(self.report, "PL03", {"rows": [{"key": BTP_SERVICE, "values": {"total": "12"}}]}, base_revision=1)
        event = AuditEvent.objects.filter(action="report.part_saved").order_by("-id").first()
        self.assertEqual(event.actor, self.reporter)
        self.assertEqual(event.unit, self.ministry)
        self.assertIn({"place": f"PL03/{BTP_SERVICE}/total", "old": "10", "new": "12"}, event.changes)
        self.assertEqual(len(event.request_id), 32)
        self.assertEqual((event.object_type, event.object_id), ("report", str(self.report.pk)))


class AccessTests(BaseTestCase):
    def test_another_units_report_is_not_found_by_url(self):
        self.login(self.outsider)
        for url in [
            reverse("reports:detail", args=[self.report.pk]),
            reverse("reports:check", args=[self.report.pk]),
            reverse("reports:version", args=[self.report.pk, 1]),
        ]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.autosave(self.report, "I.1", {"fields": {"body": "x"}}).status_code, 404)
        self.assertEqual(self.client.post(reverse("reports:submit", args=[self.report.pk])).status_code, 404)
        self.assertFalse(self.report.parts.exists())

    def test_denials_are_logged(self):
        self.login(self.outsider)
        with self.assertLogs("baocao06.access", "WARNING") as logs:
            self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertIn(f"report={self.report.pk}", logs.output[0])

    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_secretariat_and_viewers_read_but_do_not_edit(self):
        for user in (self.secretariat, self.viewer):
            self.login(user)
            self.assertEqual(self.client.get(reverse("reports:detail", args=[self.report.pk])).status_code, 200)
            self.assertEqual(self.autosave(self.report, "I.1", {"fields": {"body": "x"}}).status_code, 403)

    def test_clients_cannot_set_status_unit_or_revision_through_the_payload(self):
        self.login(self.reporter)
        payload = {
            "base_revision": 0,
            "data": {"fields": {"body": "a"}},
            "status": "accepted",
            "unit": self.other_province.pk,
            "revision": 99,
        }
        response = self.client.post(
            self.save_url(self.report, "I.1"), data=json.dumps(payload), content_type="application/json"
        )
        self.assertEqual(response.json()["revision"], 1)
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.unit), (ReportStatus.DRAFT, self.ministry))

    def test_a_part_that_does_not_address_the_unit_cannot_be_written(self):
        self.login(self.reporter)
        self.assertEqual(self.autosave(self.report, "II.1.4", {"fields": {"body": "x"}}).status_code, 404)


class BoardTests(BaseTestCase):
    def test_the_secretariat_follows_every_assigned_unit(self):
        self.login(self.reporter)
        self.autosave(self.report, "I.1", {"fields": {"body": "x"}})
        self.login(self.secretariat)
        response = self.client.get(reverse("rounds:board", args=[self.round.pk]))
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        for unit in (self.ministry, self.province, self.other_province):
            self.assertIn(unit.name, body)
        drafts = self.client.get(reverse("rounds:board", args=[self.round.pk]), {"state": "draft"}).content.decode()
        self.assertIn(self.ministry.name, drafts)
        self.assertNotIn(self.province.name, drafts)
        provinces = self.client.get(
            reverse("rounds:board", args=[self.round.pk]), {"kind": "province"}
        ).content.decode()
        self.assertNotIn("Bộ Tư pháp", provinces)

    def test_only_the_secretariat_and_viewers_see_the_board(self):
        for user in (self.reporter, self.approver):
            self.login(user)
            self.assertEqual(self.client.get(reverse("rounds:board", args=[self.round.pk])).status_code, 403)
        self.login(self.viewer)  # reads it, without the Secretariat's actions (rounds/tests/test_board.py)
        self.assertEqual(self.client.get(reverse("rounds:board", args=[self.round.pk])).status_code, 200)
