"""Tasks as records: submitted task rows get stable codes; a new round carries the open ones over."""

import datetime as dt
import re

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.catalogues.models import Task, TaskRow
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_return_report
from baocao06.rounds.actions import do_assign_units
from baocao06.rounds.models import Round
from baocao06.test import BaseTestCase

ROWS = [
    {
        "content": "Số hóa sổ hộ tịch giai đoạn 2",
        "document": "Kế hoạch 123/KH-BTP",
        "unit": "Cục Hộ tịch",
        "due": "Quý I/2024",
        "result": "in_progress",
        "origin": "new",
    },
    {
        "content": "Kết nối CSDL hộ tịch với CSDL dân cư",
        "document": "NQ 175",
        "unit": "Cục CNTT",
        "due": "Quý II/2024",
        "result": "completed",
        "origin": "carried_over",
    },
    {
        "content": "Rà soát thủ tục liên thông khai sinh",
        "due": "Tháng 12/2024",
        "result": "not_completed",
        "risk": "Chờ hướng dẫn của Bộ Công an.",
        "origin": "new",
    },
]


class TaskCase(BaseTestCase):
    def submit_with_tasks(self, rows=ROWS, keys=("nx1", "nx2", "nx3")):
        self.fill_completely(self.report, self.reporter)
        part = self.report.parts.get(key="PL01")
        data = {"rows": [{"key": k, "group": "B", "values": v} for k, v in zip(keys, rows, strict=True)]}
        do_save_part(self.report, "PL01", data, base_revision=part.revision, actor=self.reporter)
        return do_submit_report(self.report, actor=self.approver)

    def open_next_round(self, **overrides):
        self.login(self.secretariat)
        form = {
            "definition": self.definition.pk,
            "title": "Tổng kết năm 2024",
            "period_kind": "year",
            "year": "2024",
            "deadline": "18/12/2024",
            "kinds": ["province"],
            "unit_keys": "BTP",
            "previous": self.round.pk,
            "reminder_offsets": "-3, -1, 1",
        }
        form.update(overrides)
        response = self.client.post(reverse("rounds:open"), form)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        return Round.objects.get(title=form["title"])


class TaskRecordTests(TaskCase):
    def test_submitted_rows_become_tasks_with_stable_codes(self):
        self.submit_with_tasks()
        tasks = {t.code: t for t in Task.objects.filter(unit=self.ministry)}
        self.assertEqual(sorted(tasks), ["NV-BTP-0001", "NV-BTP-0002", "NV-BTP-0003"])
        first = tasks["NV-BTP-0001"]
        self.assertEqual(
            (first.title, first.documents, first.lead, first.due, first.due_date, first.last_result, first.is_open),
            (
                "Số hóa sổ hộ tịch giai đoạn 2",
                "Kế hoạch 123/KH-BTP",
                "Cục Hộ tịch",
                "Quý I/2024",
                dt.date(2024, 3, 31),
                "in_progress",
                True,
            ),
        )
        self.assertFalse(tasks["NV-BTP-0002"].is_open)
        self.assertEqual((first.source, first.first_round, first.last_report), ("unit", self.round, self.report))
        self.assertEqual(TaskRow.objects.get(report=self.report, row_key="nx1").task, first)

    def test_a_resubmission_updates_the_same_tasks(self):
        self.submit_with_tasks()
        do_return_report(self.report, actor=self.secretariat, message="Sửa PL01")
        part = self.report.parts.get(key="PL01")
        data = part.data
        data["rows"][0]["values"]["result"] = "completed"
        do_save_part(self.report, "PL01", data, base_revision=part.revision, actor=self.reporter)
        do_submit_report(self.report, actor=self.approver)
        self.assertEqual(Task.objects.filter(unit=self.ministry).count(), 3)
        task = Task.objects.get(code="NV-BTP-0001")
        self.assertEqual((task.last_result, task.is_open), ("completed", False))


class CarryOverTests(TaskCase):
    def test_a_new_round_carries_the_open_tasks_over_with_their_identity(self):
        self.submit_with_tasks()
        later = self.open_next_round()
        report = Report.objects.get(round=later, unit=self.ministry)
        self.assertEqual(report.status, ReportStatus.NOT_STARTED)  # prefilled, nothing typed yet
        rows = report.parts.get(key="PL01").data["rows"]
        self.assertEqual([r["key"] for r in rows], ["nNV-BTP-0001", "nNV-BTP-0003"])  # the completed one stays behind
        self.assertEqual(
            rows[0]["values"],
            {
                "content": "Số hóa sổ hộ tịch giai đoạn 2",
                "document": "Kế hoạch 123/KH-BTP",
                "unit": "Cục Hộ tịch",
                "due": "Quý I/2024",
                "origin": "carried_over",
            },
        )  # this round's result and risk are the unit's to report
        self.assertEqual(rows[1]["group"], "B")
        self.assertFalse(Report.objects.get(round=later, unit=self.province).parts.exists())  # sent nothing before
        event = AuditEvent.objects.get(action="round.opened", object_id=str(later.pk))
        self.assertEqual((event.data["previous"], event.data["carried_over"]), (self.round.pk, {"BTP": 2}))

    def test_the_carried_tasks_keep_their_codes_and_new_rows_get_new_ones(self):
        self.submit_with_tasks()
        later = self.open_next_round()
        report = Report.objects.get(round=later, unit=self.ministry)
        self.fill_completely(report, self.reporter, skip={"PL01"})
        part = report.parts.get(key="PL01")
        rows = part.data["rows"]
        for row in rows:
            row["values"]["result"] = "completed"
        rows.append(
            {
                "key": "nnew1",
                "group": "B",
                "values": {"content": "Triển khai sổ hộ tịch điện tử", "result": "in_progress", "origin": "new"},
            }
        )
        do_save_part(report, "PL01", {"rows": rows}, base_revision=part.revision, actor=self.reporter)
        do_submit_report(report, actor=self.approver)
        codes = dict(TaskRow.objects.filter(report=report).values_list("row_key", "task__code"))
        self.assertEqual(codes, {"nNV-BTP-0001": "NV-BTP-0001", "nNV-BTP-0003": "NV-BTP-0003", "nnew1": "NV-BTP-0004"})
        task = Task.objects.get(code="NV-BTP-0001")
        self.assertEqual((task.last_report, task.is_open, task.first_round), (report, False, self.round))
        self.assertEqual(Task.objects.filter(unit=self.ministry).count(), 4)

    def test_the_page_shows_codes_the_carried_count_and_marks_new_rows(self):
        self.submit_with_tasks()
        later = self.open_next_round()
        report = Report.objects.get(round=later, unit=self.ministry)
        self.login(self.reporter)
        body = self.client.get(reverse("reports:detail", args=[report.pk])).content.decode()
        self.assertIn('<small class="task-code" title="Mã nhiệm vụ (giữ nguyên qua các kỳ)">NV-BTP-0001</small>', body)
        summary = re.search(r'data-summary="I\.2".*?</table>', body, re.S).group(0)
        self.assertIn('<td data-count="carried_over">2</td>', summary)
        template = re.search(r'<template data-row-template="B">.*?</template>', body, re.S).group(0)
        self.assertIn('<option value="new" selected>', template)

    def test_a_unit_assigned_later_gets_its_carried_tasks_too(self):
        self.submit_with_tasks()
        later = self.open_next_round(unit_keys="")  # the provinces only
        self.assertFalse(later.reports.filter(unit=self.ministry).exists())
        do_assign_units(later, [self.ministry], actor=self.secretariat)
        rows = Report.objects.get(round=later, unit=self.ministry).parts.get(key="PL01").data["rows"]
        self.assertEqual([r["key"] for r in rows], ["nNV-BTP-0001", "nNV-BTP-0003"])

    def test_resolution_175_tasks_keep_their_catalogue_codes_across_rounds(self):
        later = self.open_next_round()
        first = self.round.get_layout().view_for(self.ministry).table_index["PL02"].fixed_rows
        second = later.get_layout().view_for(self.ministry).table_index["PL02"].fixed_rows
        self.assertTrue(first)
        self.assertEqual(list(first), list(second))
        self.assertTrue(all(key.startswith("NQ175-") for key in first))


class OverdueTests(TaskCase):
    def test_overdue_is_computed_from_the_due_date_at_the_rounds_cut_off(self):
        self.login(self.reporter)
        rows = [{"key": f"nx{i}", "group": "B", "values": v} for i, v in enumerate(ROWS)]
        self.autosave(self.report, "PL01", {"rows": rows})
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        first = re.search(r'<tr id="r-PL01-nx0".*?</tr>', body, re.S).group(0)
        self.assertIn("Quá hạn 75 ngày", first)  # due 31/03/2024, in progress at the cut-off 14/06/2024
        for key in ("nx1", "nx2"):  # completed; due after the cut-off
            row = re.search(rf'<tr id="r-PL01-{key}".*?</tr>', body, re.S).group(0)
            self.assertNotIn("Quá hạn", row)


class OverdueListTests(TaskCase):
    def test_the_secretariat_lists_overdue_tasks_naming_unit_task_and_date(self):
        self.submit_with_tasks()
        self.login(self.secretariat)
        body = self.client.get(reverse("rounds:overdue_tasks", args=[self.round.pk])).content.decode()
        rows = re.findall(r"<tr>\s*<td><a [^>]*>(.*?)</a></td>\s*<td><small>(.*?)</small>.*?</tr>", body, re.S)
        self.assertEqual(rows, [("Bộ Tư pháp", "NV-BTP-0001")])  # in progress, due 31/03; the others are not overdue
        self.assertIn('Quý I/2024 <small class="muted">(31/03/2024)</small>', body)
        self.assertIn('<td class="num">75</td>', body)
        self.assertIn("<td>Đang triển khai</td>", body)
        self.login(self.reporter)
        self.assertEqual(self.client.get(reverse("rounds:overdue_tasks", args=[self.round.pk])).status_code, 403)


class RecurringTaskTests(TaskCase):
    RECURRING = {
        "content": "Tuyên truyền, hướng dẫn sử dụng VNeID",
        "due": "Quý I/2024",
        "result": "recurring",
        "origin": "new",
    }

    def test_recurring_work_is_open_but_never_overdue(self):
        rows = [ROWS[0], self.RECURRING]
        self.login(self.reporter)
        self.autosave(
            self.report,
            "PL01",
            {"rows": [{"key": k, "group": "B", "values": v} for k, v in zip(("nx1", "nx2"), rows, strict=True)]},
        )
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        recurring = re.search(r'<tr id="r-PL01-nx2".*?</tr>', body, re.S).group(0)
        self.assertNotIn("Quá hạn", recurring)  # due 31/03/2024, recurring at the cut-off 14/06/2024
        self.assertIn("Quá hạn 75 ngày", re.search(r'<tr id="r-PL01-nx1".*?</tr>', body, re.S).group(0))

        self.submit_with_tasks(rows=rows, keys=("nx1", "nx2"))
        recurring_task = Task.objects.get(title=self.RECURRING["content"])
        self.assertEqual((recurring_task.is_open, recurring_task.can_be_overdue), (True, False))
        self.login(self.secretariat)
        listed = self.client.get(reverse("rounds:overdue_tasks", args=[self.round.pk])).content.decode()
        self.assertNotIn(self.RECURRING["content"], listed)
        self.assertIn(ROWS[0]["content"], listed)
        dashboard = self.client.get(reverse("compilation:dashboard"), {"ky": self.round.pk}).content.decode()
        self.assertNotIn(self.RECURRING["content"], dashboard)
