"""Export a unit's workbook, fill it as a person would, import it: the same draft as the browser's."""

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.reports.models import ReportStatus
from baocao06.test import BaseTestCase
from baocao06.workbooks.tests.helpers import (
    browser_rows,
    column_of,
    download,
    load,
    put,
    ref,
    row_of,
    save,
    slots,
    stored_rows,
    upload,
)

SERVICE = "DA06-07"  # Đăng ký khai sinh, owned by the Ministry of Justice


class RoundTripTests(BaseTestCase):
    def fill(self, book):
        report = self.report
        put(
            book,
            report,
            "PL03",
            SERVICE,
            {
                "total": 12500,  # a number, as Excel stores it
                "online": "9.000",  # typed as text with Vietnamese separators
                "change": "3,5%",  # a percentage typed by hand in a typed column
                "rate": "75%",  # typed over the computed rate: ignored
                "cut_shared": "- Không phải nộp bản sao giấy tờ",
                "savings_total": 1_500_000_000,
                "savings_citizens": 900_000_000,
            },
        )
        b_slots = slots(book["PL01"], "B")
        # Free rows after an empty one (extra blank rows are tolerated), in the order people typed them.
        put(book, report, "PL01", b_slots[2], {"content": "Số hóa sổ hộ tịch", "result": "Chưa hoàn thành"})
        put(book, report, "PL01", b_slots[2], {"origin": "Tồn 2023 chuyển sang", "risk": "Thiếu kinh phí"})
        put(
            book,
            report,
            "PL01",
            b_slots[1],
            {"content": "Xây dựng CSDL hộ tịch", "result": "Hoàn thành", "origin": "Mới giao năm 2024"},
        )
        put(book, report, "PL07", "A.1", {"citizens": "Giảm giấy tờ", "causes": "Pháp lý; Dữ liệu"})
        narrative = book["Đề cương"]
        narrative.cell(row_of(narrative, "I.1/body"), 3).value = "- Tình hình ổn định.\n- Tăng trưởng 6,5%."

    def test_a_filled_workbook_stores_what_the_browser_would_and_exports_the_same_values(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        self.fill(book)
        data = save(book)

        check = upload(self.client, self.report, data, action="check")
        self.assertEqual(check.status_code, 200)
        body = check.content.decode()
        self.assertIn("Tệp hợp lệ", body)
        rate_ref = ref(self.report, "PL03", row_of(book["PL03"], SERVICE), "rate")
        self.assertIn(
            f"<code>{rate_ref}</code> Đã bỏ qua “75%” ở cột «Tỷ lệ»: ô tính tự động", body
        )  # the hand-typed rate, named
        self.assertIn("hệ thống tính được 72", body)
        self.assertFalse(self.report.parts.exists())  # a check writes nothing

        response = upload(self.client, self.report, data, action="import")
        self.assertEqual(response.status_code, 302)

        typed = {
            SERVICE: {
                "total": "12.500",
                "online": "9.000",
                "change": "3,5%",
                "cut_shared": "- Không phải nộp bản sao giấy tờ",
                "savings_total": "1.500.000.000",
                "savings_citizens": "900.000.000",
            }
        }
        self.assertEqual(stored_rows(self.report, "PL03"), browser_rows(self.report, "PL03", typed))
        free = [
            ("B", {"content": "Xây dựng CSDL hộ tịch", "result": "completed", "origin": "new"}),
            (
                "B",
                {
                    "content": "Số hóa sổ hộ tịch",
                    "result": "not_completed",
                    "origin": "carried_over",
                    "risk": "Thiếu kinh phí",
                },
            ),
        ]
        self.assertEqual(stored_rows(self.report, "PL01"), browser_rows(self.report, "PL01", {}, free))
        pl07 = {"A.1": {"citizens": "Giảm giấy tờ", "causes": ["legal", "data"]}}
        self.assertEqual(stored_rows(self.report, "PL07"), browser_rows(self.report, "PL07", pl07))
        self.assertEqual(
            self.report.parts.get(key="I.1").data, {"fields": {"body": "- Tình hình ổn định.\n- Tăng trưởng 6,5%."}}
        )
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.DRAFT)
        [event] = AuditEvent.objects.filter(action="report.parts_saved")
        self.assertEqual(
            (event.actor, event.data["source"], event.data["file"]), (self.reporter, "excel", "bao-cao.xlsx")
        )

        again = load(download(self.client, self.report))
        pl03 = again["PL03"]
        row = row_of(pl03, SERVICE)

        def value(table, number, column):
            from baocao06.workbooks.tests.helpers import column_of

            return again[table].cell(number, column_of(self.report, table, column)).value

        self.assertEqual(
            [value("PL03", row, c) for c in ("total", "online", "rate", "change", "cut_shared", "savings_total")],
            [12500, 9000, 72, 3.5, "- Không phải nộp bản sao giấy tờ", 1_500_000_000],
        )
        pl01 = again["PL01"]
        keyed = [r[0].row for r in pl01.iter_rows(min_col=1, max_col=1) if str(r[0].value or "").startswith("B/nx")]
        self.assertEqual(
            [(value("PL01", n, "content"), value("PL01", n, "result")) for n in keyed],
            [("Xây dựng CSDL hộ tịch", "Hoàn thành"), ("Số hóa sổ hộ tịch", "Chưa hoàn thành")],
        )
        self.assertEqual(value("PL07", row_of(again["PL07"], "A.1"), "causes"), "Pháp lý; Dữ liệu")
        self.assertEqual(
            again["Đề cương"].cell(row_of(again["Đề cương"], "I.1/body"), 3).value,
            "- Tình hình ổn định.\n- Tăng trưởng 6,5%.",
        )

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        self.fill(book)
        data = save(book)
        self.assertEqual(upload(self.client, self.report, data).status_code, 302)
        revisions = dict(self.report.parts.values_list("key", "revision"))
        events = AuditEvent.objects.count()
        second = upload(self.client, self.report, data)
        self.assertEqual(second.status_code, 200)
        self.assertIn("không có thay đổi nào", second.content.decode())
        self.assertEqual(dict(self.report.parts.values_list("key", "revision")), revisions)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_reordered_free_rows_are_taken_in_their_new_order(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        self.fill(book)
        upload(self.client, self.report, save(book))
        book = load(download(self.client, self.report))
        ws = book["PL01"]
        first, second = [
            r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if str(r[0].value or "").startswith("B/nx")
        ]
        for col in range(1, ws.max_column + 1):  # swap the two rows, hidden keys included, as a sort does
            a, b = ws.cell(first, col), ws.cell(second, col)
            a.value, b.value = b.value, a.value
        self.assertEqual(upload(self.client, self.report, save(book)).status_code, 302)
        contents = [r["values"]["content"] for r in self.report.parts.get(key="PL01").data["rows"]]
        self.assertEqual(contents, ["Số hóa sổ hộ tịch", "Xây dựng CSDL hộ tịch"])

    def test_rows_people_insert_join_the_group_above_and_blank_rows_are_skipped(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        ws = book["PL01"]
        title = row_of(ws, "#group:B")
        ws.insert_rows(title + 1, amount=3)  # three rows inserted under the group title, no hidden key
        put(book, self.report, "PL01", title + 2, {"content": "Nhiệm vụ thêm", "result": "Hoàn thành"})
        put(book, self.report, "PL01", title + 2, {"origin": "Mới giao năm 2024"})
        pl03 = book["PL03"]
        pl03.insert_rows(row_of(pl03, SERVICE) + 1)
        put(book, self.report, "PL03", row_of(pl03, SERVICE) + 1, {"service": "Dịch vụ tự thêm", "total": 5})
        response = upload(self.client, self.report, save(book), action="check")
        body = response.content.decode()
        self.assertEqual(response.status_code, 422)
        added = ref(self.report, "PL03", row_of(pl03, SERVICE) + 1, "service")
        self.assertIn(f"<code>{added}</code> Dòng thêm vào chỗ không được thêm dòng", body)
        pl03.delete_rows(row_of(pl03, SERVICE) + 1)
        self.assertEqual(upload(self.client, self.report, save(book)).status_code, 302)
        [row] = self.report.parts.get(key="PL01").data["rows"]
        self.assertEqual(
            (row["group"], row["values"]["content"], row["values"]["result"]), ("B", "Nhiệm vụ thêm", "completed")
        )

    def test_problems_are_listed_by_sheet_and_cell_and_nothing_is_written(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        put(book, self.report, "PL03", SERVICE, {"total": 100, "online": 120})
        put(book, self.report, "PL03", "DA06-05", {"total": "12a"})
        response = upload(self.client, self.report, save(book))
        self.assertEqual(response.status_code, 422)
        body = response.content.decode()
        online = ref(self.report, "PL03", row_of(book["PL03"], SERVICE), "online")
        total = ref(self.report, "PL03", row_of(book["PL03"], "DA06-05"), "total")
        self.assertIn(f"<code>{online}</code> Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ.", body)
        self.assertIn(f"<code>{total}</code> “12a” không phải là số.", body)
        self.assertIn("dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»", body)
        self.assertFalse(self.report.parts.exists())

    def test_a_part_changed_in_the_browser_after_export_is_not_overwritten(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        self.autosave(self.report, "PL03", {"rows": [{"key": SERVICE, "values": {"total": "50"}}]})
        put(book, self.report, "PL03", SERVICE, {"total": 70})
        put(book, self.report, "PL07", "A.1", {"citizens": "Nhanh hơn"})
        refused = upload(self.client, self.report, save(book))
        self.assertEqual(refused.status_code, 422)
        self.assertIn("đã được sửa trên hệ thống", refused.content.decode())
        self.assertFalse(self.report.parts.filter(key="PL07").exists())
        forced = upload(self.client, self.report, save(book), overwrite="1")
        self.assertEqual(forced.status_code, 302)
        self.assertEqual(self.report.parts.get(key="PL03").data["rows"][1]["values"]["total"], "70")

    def test_a_part_not_touched_in_the_file_keeps_newer_browser_edits(self):
        self.login(self.reporter)
        book = load(download(self.client, self.report))
        self.autosave(self.report, "I.1", {"fields": {"body": "Bản mới trên trình duyệt"}})
        put(book, self.report, "PL07", "A.1", {"citizens": "Nhanh hơn"})
        self.assertEqual(upload(self.client, self.report, save(book)).status_code, 302)
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Bản mới trên trình duyệt")
        self.assertEqual(self.report.parts.get(key="PL07").revision, 1)

    def test_the_report_page_offers_the_excel_buttons(self):
        self.login(self.reporter)
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn(reverse("workbooks:download", args=[self.report.pk]), body)
        self.assertIn('value="import"', body)
        self.login(self.viewer)
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn(reverse("workbooks:download", args=[self.report.pk]), body)
        self.assertNotIn('value="import"', body)


class ComplianceCostRoundTripTests(BaseTestCase):
    def test_cp27_typed_in_excel_is_computed_with_the_rounds_settings_and_exported_back(self):
        from baocao06.definitions.validation import clean_table
        from baocao06.reports.actions import context_for, view_for

        self.login(self.reporter)
        book = load(download(self.client, self.report))
        inputs = {
            "hours_prepare_before": 8,
            "hours_submit_before": "2",
            "hours_receive_before": 2,
            "other_before": "150.000",
            "fees_before": 50_000,
            "hours_prepare_after": 1,
            "hours_submit_after": "0,5",
            "fees_after": 25_000,
            "times_per_year": 1,
            "subjects_per_year": "1.000",
            "saving": 1,  # typed over a computed cell: ignored
        }
        put(book, self.report, "CP27", SERVICE, inputs)
        response = upload(self.client, self.report, save(book), action="import")
        self.assertEqual(response.status_code, 302)
        view = view_for(self.report).table_index["CP27"]
        result = clean_table(view, self.report.parts.get(key="CP27").data, **context_for(self.report))
        # (12 h × 4,960,000 ÷ 22 ÷ 8 + 200,000) × 1 × 1,000 = 538,181,818; after 67,272,727
        values = result.row(SERVICE).values
        self.assertEqual(
            (values["cost_before"], values["cost_after"], values["saving"]), (538181818, 67272727, 470909091)
        )
        again = load(download(self.client, self.report))
        ws = again["CP27"]
        self.assertEqual(ws.cell(row_of(ws, SERVICE), column_of(self.report, "CP27", "saving")).value, 470909091)
        # The re-exported file imports as unchanged.
        check = upload(self.client, self.report, save(again), action="check").content.decode()
        self.assertIn("Tệp không có thay đổi nào so với báo cáo hiện tại", check)
