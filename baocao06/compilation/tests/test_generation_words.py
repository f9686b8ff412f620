"""What the person waiting for the files reads: the step actually running, and file names that match
the compilation's number on the page."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from baocao06.compilation.engine import compile_round
from baocao06.compilation.generate import run_generation
from baocao06.compilation.models import Generation, GenerationStatus, OutputFile, OutputKind
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase, fill_completely, open_test_round


class GenerationWordsTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=8)
        do_submit_report(cls.report, actor=cls.approver)

    def setUp(self):
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        override = override_settings(MEDIA_ROOT=media.name)
        override.enable()
        self.addCleanup(override.disable)

    def test_while_the_docx_is_written_the_page_names_that_step(self):
        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        generation = Generation.objects.create(snapshot=snapshot, requested_by=self.secretariat)
        seen = {}

        def write_docx(data, layout, path, progress=None, **kwargs):
            current = Generation.objects.get(pk=generation.pk)
            seen["step"], seen["progress"] = current.step, current.progress
            self.login(self.secretariat)
            seen["page"] = self.client.get(reverse("compilation:generation", args=[generation.pk])).content.decode()
            Path(path).write_bytes(b"docx")

        with mock.patch("baocao06.compilation.outputs.docx.write_docx", write_docx):
            run_generation(generation.pk)
        self.assertEqual((seen["step"], seen["progress"]), ("Soạn báo cáo (DOCX)", 50))
        self.assertIn("Đang tạo tệp (50%): Soạn báo cáo (DOCX)", seen["page"])
        self.assertNotIn("Xong", seen["page"])

    def test_file_names_carry_the_rounds_and_the_compilations_numbers(self):
        compile_round(self.round, provisional=True, actor=self.secretariat)  # another round's snapshot first
        later = open_test_round(self.definition, [self.ministry], actor=self.secretariat, title="Kỳ sau")
        fill_completely(later.reports.get(), self.approver, seed=9)
        do_submit_report(later.reports.get(), actor=self.approver)
        snapshot = compile_round(later, provisional=True, actor=self.secretariat)
        self.assertEqual(snapshot.number, 1)
        self.assertNotEqual(snapshot.pk, 1)
        generation = Generation.objects.create(snapshot=snapshot, status=GenerationStatus.DONE, progress=100)
        from django.conf import settings

        path = Path(settings.MEDIA_ROOT) / "national.json"
        path.write_text("{}", encoding="utf-8")
        output = OutputFile.objects.create(
            generation=generation, kind=OutputKind.JSON, name="national.json", path="national.json", sha256="0" * 64
        )
        self.login(self.viewer)
        response = self.client.get(reverse("compilation:download", args=[output.pk]))
        expected = f"tong-hop-ky-{later.pk}-lan-1-national.json"
        self.assertIn(f'filename="{expected}"', response["Content-Disposition"])
        page = self.client.get(reverse("compilation:national", args=[later.pk])).content.decode()
        self.assertIn(expected, page)
        self.assertIn("Tổng hợp lần 1", page)
