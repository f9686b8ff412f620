"""Operators export and import workbooks from the command line, with the same checks as the browser."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from baocao06.audit.models import AuditEvent
from baocao06.test import BaseTestCase
from baocao06.workbooks.tests.helpers import load, put, save


class CommandTests(BaseTestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.path = self.dir / "btp.xlsx"

    def run_command(self, *args) -> str:
        out = StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    def test_export_fill_dry_run_then_import(self):
        text = self.run_command("export_workbook", self.round.pk, "BTP", str(self.path))
        self.assertIn("Bộ Tư pháp", text)
        book = load(self.path.read_bytes())
        put(book, self.report, "PL03", "DA06-07", {"total": 100, "online": 40})
        self.path.write_bytes(save(book))
        dry = self.run_command("import_workbook", self.round.pk, "BTP", str(self.path), "--dry-run")
        self.assertIn("sẽ cập nhật: PL03", dry)
        self.assertFalse(self.report.parts.exists())
        done = self.run_command(
            "import_workbook", self.round.pk, "BTP", str(self.path), "--user", self.reporter.username
        )
        self.assertIn("Đã nhập: PL03", done)
        self.assertEqual(self.report.parts.get(key="PL03").data["rows"][1]["values"]["total"], "100")
        self.assertEqual(AuditEvent.objects.get(action="report.parts_saved").actor, self.reporter)

    def test_a_refused_file_lists_its_problems_and_exits_non_zero(self):
        # CommandError is how a Django command exits with status 1 (manage.py prints it on stderr).
        self.run_command("export_workbook", self.round.pk, "BTP", str(self.path))
        book = load(self.path.read_bytes())
        put(book, self.report, "PL03", "DA06-07", {"total": 10, "online": 40})
        self.path.write_bytes(save(book))
        out = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_workbook", self.round.pk, "BTP", str(self.path), stdout=out)
        self.assertIn("Tệp bị từ chối (1 lỗi)", str(caught.exception))
        self.assertIn("[LỖI] PL03!E", out.getvalue())
        self.assertIn("Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ.", out.getvalue())
        self.assertFalse(self.report.parts.exists())

    def test_an_unknown_unit_is_explained(self):
        with self.assertRaises(CommandError) as caught:
            call_command("export_workbook", self.round.pk, "XYZ", str(self.path))
        self.assertIn("Không có báo cáo của đơn vị XYZ", str(caught.exception))
