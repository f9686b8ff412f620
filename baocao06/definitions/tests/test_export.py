"""YAML stays the exchange format: export_definition and load_definition round-trip exactly."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command

from baocao06.audit.models import AuditEvent
from baocao06.definitions.models import Definition
from baocao06.definitions.spec import Spec, load_spec
from baocao06.test import DEFINITION_4709, BaseTestCase


class ExportTests(BaseTestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def export(self, key, version) -> str:
        out = self.dir / f"{key}-{version}.yaml"
        call_command("export_definition", key, version, str(out), stderr=io.StringIO())
        return out.read_text(encoding="utf-8")

    def test_4709_exported_loaded_under_a_new_version_and_exported_again_is_identical(self):
        first = self.export("de-an-06-so-ket", "2024-h1")
        call_command(
            "load_definition",
            str(self.dir / "de-an-06-so-ket-2024-h1.yaml"),
            "--new-version",
            "2024-h1-ban-sao",
            stdout=io.StringIO(),
        )
        again = self.export("de-an-06-so-ket", "2024-h1-ban-sao")
        self.assertEqual(again, first.replace("\nversion: 2024-h1\n", "\nversion: 2024-h1-ban-sao\n", 1))
        self.assertNotEqual(again, first)
        copy = Definition.objects.get(version="2024-h1-ban-sao")
        self.assertEqual(copy.source_text, again)
        self.assertEqual(AuditEvent.objects.filter(action="definition.loaded", object_id=str(copy.pk)).count(), 1)

    def test_the_export_of_a_stored_definition_reproduces_its_content(self):
        exported = load_spec(self.export("de-an-06-so-ket", "2024-h1"))
        original = load_spec(DEFINITION_4709.read_text(encoding="utf-8"))
        self.assertEqual(exported, original)
        self.assertEqual(exported.model_dump(mode="json"), self.definition.spec)
        self.assertEqual(Spec.model_validate(self.definition.spec), exported)

    def test_loading_the_exported_file_again_under_its_own_version_is_a_no_op(self):
        call_command("export_definition", "de-an-06-so-ket", "2024-h1", str(self.dir / "a.yaml"), stderr=io.StringIO())
        out = self.dir / "out.txt"
        with out.open("w") as handle:
            call_command("load_definition", str(self.dir / "a.yaml"), "--new-version", "2024-h1", stdout=handle)
        # Same content as the stored version but written differently: the stored file is not replaced.
        self.assertEqual(Definition.objects.filter(version="2024-h1").count(), 1)

    def test_as_loaded_gives_back_the_file_with_its_comments(self):
        out = self.dir / "raw.yaml"
        call_command("export_definition", "de-an-06-so-ket", "2024-h1", str(out), "--as-loaded", stderr=io.StringIO())
        self.assertEqual(out.read_text(encoding="utf-8"), DEFINITION_4709.read_text(encoding="utf-8"))
