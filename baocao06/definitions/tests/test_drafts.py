"""The Secretariat writes a new version of a definition through the editor (HTTP): drafts, checks at
the place, publishing, immutability, access, audit, and rounds left alone."""

from __future__ import annotations

import io
import json

import openpyxl
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.definitions.document import definition_document
from baocao06.definitions.models import Definition, DefinitionDraft, FrozenDefinition
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportPart
from baocao06.rounds.models import Round
from baocao06.test import BaseTestCase
from baocao06.workbooks.export import export_report

NEW_LABEL = "Hồ sơ nộp trực tiếp"
RULE_MESSAGE = "Số hồ sơ nộp trực tiếp không được lớn hơn tổng số hồ sơ."


class DraftCase(BaseTestCase):
    def setUp(self):
        self.login(self.secretariat)

    def new_draft(self, version="2024-h1-sua") -> DefinitionDraft:
        response = self.client.post(
            reverse("definitions:create_draft", args=[self.definition.pk]), {"version": version}
        )
        draft = DefinitionDraft.objects.latest("pk")
        self.assertRedirects(response, reverse("definitions:draft", args=[draft.pk]))
        return draft

    def edit(self, draft, op, path, expect=302, **data):
        draft.refresh_from_db()
        fields = {"op": op, "p": path, "revision": draft.revision}
        fields.update({k if k in {"kind", "use"} else f"a:{k}": v for k, v in data.items()})
        response = self.client.post(reverse("definitions:edit", args=[draft.pk]), fields)
        self.assertEqual(response.status_code, expect, response.content.decode()[:1500])
        draft.refresh_from_db()
        return response

    @staticmethod
    def table_index(draft, key) -> int:
        return next(i for i, t in enumerate(draft.document["appendices"]) if t["key"] == key)

    def add_column_with_rule(self, draft, check="paper <= total"):
        pl03 = self.table_index(draft, "PL03")
        self.edit(draft, "add", f"appendices/{pl03}/columns", kind="column")
        column = len(draft.document["appendices"][pl03]["columns"]) - 1
        self.edit(
            draft, "set", f"appendices/{pl03}/columns/{column}", key="paper", label=NEW_LABEL, type="integer", min="0"
        )
        self.edit(draft, "add", f"appendices/{pl03}/rules", kind="rule")
        rule = len(draft.document["appendices"][pl03]["rules"]) - 1
        self.edit(
            draft,
            "set",
            f"appendices/{pl03}/rules/{rule}",
            key="paper_le_total",
            message=RULE_MESSAGE,
            check=check,
            columns="paper",
        )
        return pl03, rule

    def rename_i1(self, draft, title="Khái quát tình hình tại địa bàn (đã sửa)"):
        self.edit(draft, "set", "outline/0/children/0", key="I.1", number="1", title=title, fields="default")

    def publish(self, draft, expect=302):
        draft.refresh_from_db()
        response = self.client.post(reverse("definitions:publish", args=[draft.pk]), {"revision": draft.revision})
        self.assertEqual(response.status_code, expect)
        draft.refresh_from_db()
        return response


class DraftEditingTests(DraftCase):
    def test_a_new_version_starts_as_a_copy_and_each_edit_is_audited_with_old_and_new(self):
        draft = self.new_draft()
        expected = definition_document(self.definition) | {"version": "2024-h1-sua"}
        self.assertEqual(draft.document, expected)
        self.assertEqual(
            AuditEvent.objects.filter(action="definition.draft_created", object_id=str(draft.pk)).count(), 1
        )

        self.rename_i1(draft)
        self.assertEqual(
            draft.document["outline"][0]["children"][0]["title"], "Khái quát tình hình tại địa bàn (đã sửa)"
        )
        self.assertEqual(draft.revision, 1)
        event = AuditEvent.objects.get(action="definition.draft_edited", object_id=str(draft.pk))
        [change] = event.changes
        self.assertEqual(change["place"], "outline/0/children/0")
        self.assertEqual(change["old"]["title"], "Khái quát tình hình kinh tế, chính trị, xã hội tại địa bàn.")
        self.assertEqual(change["new"]["title"], "Khái quát tình hình tại địa bàn (đã sửa)")
        self.assertEqual(event.actor, self.secretariat)

        page = self.client.get(reverse("definitions:draft", args=[draft.pk]), {"p": "outline/0/children/0"})
        self.assertContains(page, "Khái quát tình hình tại địa bàn (đã sửa)")
        self.assertContains(page, 'id="draft-state">Hợp lệ')

    def test_a_problem_is_shown_at_its_field_and_an_invalid_draft_cannot_be_published(self):
        draft = self.new_draft()
        pl03, rule = self.add_column_with_rule(draft, check="paper <= tong")
        page = self.client.get(reverse("definitions:draft", args=[draft.pk]), {"p": f"appendices/{pl03}/rules/{rule}"})
        self.assertContains(page, '<p class="error" data-problem="check">cột không tồn tại: tong</p>', html=True)
        self.assertContains(page, 'id="draft-state">1 lỗi')
        tree = self.client.get(reverse("definitions:list"))
        self.assertContains(tree, "1 lỗi")

        self.publish(draft)
        self.assertFalse(Definition.objects.filter(version="2024-h1-sua").exists())
        self.assertIsNone(draft.published_as)

        self.edit(
            draft,
            "set",
            f"appendices/{pl03}/rules/{rule}",
            key="paper_le_total",
            message=RULE_MESSAGE,
            check="paper <= total",
        )
        response = self.publish(draft)
        definition = Definition.objects.get(key="de-an-06-so-ket", version="2024-h1-sua")
        self.assertRedirects(response, reverse("definitions:definition", args=[definition.pk]))
        self.assertEqual(draft.published_as, definition)
        rules = {r["key"]: r for r in definition.spec["appendices"][pl03]["rules"]}
        self.assertEqual(rules["paper_le_total"]["check"], "paper <= total")
        self.assertEqual(
            AuditEvent.objects.filter(action="definition.published", object_id=str(definition.pk)).count(), 1
        )

        # Published: the draft is read-only and the version never changes.
        before = draft.document_text
        self.edit(draft, "set", "outline/0", key="I", number="I", title="ĐỔI", fields="list")
        self.assertEqual(draft.document_text, before)
        with self.assertRaises(FrozenDefinition):
            definition.title = "Đổi tên"
            definition.save()
        with self.assertRaises(DatabaseError), transaction.atomic():
            Definition.objects.filter(pk=definition.pk).update(title="Đổi tên")
        self.assertEqual(Definition.objects.get(pk=definition.pk).title, self.definition.title)

    def test_a_version_name_already_published_is_an_error_at_the_version(self):
        draft = self.new_draft(version="2024-h1")
        page = self.client.get(reverse("definitions:draft", args=[draft.pk]))
        self.assertContains(page, "Phiên bản 2024-h1 của mẫu de-an-06-so-ket đã được công bố")
        self.publish(draft)
        self.assertEqual(Definition.objects.count(), 1)

    def test_an_edit_from_a_stale_page_is_refused_and_changes_nothing(self):
        draft = self.new_draft()
        stale = draft.revision
        self.rename_i1(draft, "Bản thứ nhất")
        response = self.client.post(
            reverse("definitions:edit", args=[draft.pk]),
            {
                "op": "set",
                "p": "outline/0/children/0",
                "revision": stale,
                "a:key": "I.1",
                "a:title": "Bản cũ",
                "a:fields": "default",
            },
            follow=True,
        )
        self.assertContains(response, "Bản nháp vừa được sửa ở nơi khác")
        draft.refresh_from_db()
        self.assertEqual(draft.document["outline"][0]["children"][0]["title"], "Bản thứ nhất")
        self.assertEqual(draft.revision, 1)

    def test_an_unreadable_value_is_refused_at_its_field_and_nothing_is_saved(self):
        draft = self.new_draft()
        pl03 = self.table_index(draft, "PL03")
        response = self.edit(
            draft,
            "set",
            f"appendices/{pl03}/columns/1",
            expect=422,
            key="total",
            label="Tổng",
            type="integer",
            min="không",
        )
        self.assertContains(response, "Phải là một số", status_code=422)
        self.assertContains(response, 'value="không"', status_code=422)  # what was typed is kept
        self.assertEqual(draft.revision, 0)

    def test_the_comparison_with_the_source_version_names_the_changes(self):
        draft = self.new_draft()
        self.rename_i1(draft)
        self.add_column_with_rule(draft)
        page = self.client.get(reverse("definitions:compare", args=[draft.pk]))
        self.assertContains(page, "Mục I.1 «1 Khái quát tình hình tại địa bàn (đã sửa)»")
        self.assertContains(page, f"Phụ lục PL03: cột «{NEW_LABEL}» (paper)")
        self.assertContains(page, "Phụ lục PL03: quy tắc paper_le_total")
        self.assertContains(page, "<del>Khái quát tình hình kinh tế, chính trị, xã hội tại địa bàn.</del>", html=True)

    def test_discarding_a_draft_keeps_its_content_in_the_audit_log(self):
        draft = self.new_draft()
        self.rename_i1(draft, "Sẽ hủy")
        self.client.post(reverse("definitions:discard", args=[draft.pk]))
        self.assertFalse(DefinitionDraft.objects.filter(pk=draft.pk).exists())
        event = AuditEvent.objects.get(action="definition.draft_discarded")
        self.assertEqual(event.changes[0]["old"]["outline"][0]["children"][0]["title"], "Sẽ hủy")


class PreviewTests(DraftCase):
    def setUp(self):
        super().setUp()
        self.draft = self.new_draft()
        self.rename_i1(self.draft)
        self.add_column_with_rule(self.draft)
        self.url = reverse("definitions:preview", args=["ban-nhap", self.draft.pk])

    def test_preview_as_a_province_and_as_a_ministry_shows_what_each_would_fill(self):
        writes = (Report.objects.count(), ReportPart.objects.count(), Round.objects.count())
        province = self.client.get(self.url, {"don_vi": "P01"})
        self.assertContains(province, "Khái quát tình hình tại địa bàn (đã sửa)")
        self.assertContains(province, NEW_LABEL)
        self.assertContains(province, 'data-row="DA06-01"')  # a province answers every essential service
        ministry = self.client.get(self.url, {"don_vi": "BTP"})
        self.assertContains(ministry, NEW_LABEL)
        self.assertContains(ministry, 'data-row="DA06-07"')  # BTP owns birth registration
        self.assertNotContains(ministry, 'data-row="DA06-01"')  # …not the residence registration of BCA
        self.assertEqual((Report.objects.count(), ReportPart.objects.count(), Round.objects.count()), writes)

    def test_a_unit_of_today_sees_what_the_unit_it_succeeds_was_asked(self):
        """4709's II.3.3 (2) is MIC's: previewed as Science and Technology (its successor since
        01/3/2025) it is there; MIC itself, previewed on its last day, still sees it; Justice does not."""
        url = reverse("definitions:preview", args=["phien-ban", self.definition.pk])
        self.assertContains(self.client.get(url, {"don_vi": "BKHCN"}), 'id="s-II.3.3.2"')
        self.assertContains(self.client.get(url, {"don_vi": "BTTTT"}), 'id="s-II.3.3.2"')
        self.assertNotContains(self.client.get(url, {"don_vi": "BTP"}), 'id="s-II.3.3.2"')

    def test_what_is_typed_in_the_preview_is_checked_by_the_new_rule_and_never_stored(self):
        check = reverse("definitions:preview_check", args=["ban-nhap", self.draft.pk, "P01"]) + "?part=PL03"
        body = {
            "base_revision": 0,
            "data": {"rows": [{"key": "DA06-07", "values": {"total": "10", "online": "4", "paper": "12"}}]},
        }
        response = self.client.post(check, json.dumps(body), content_type="application/json")
        self.assertEqual(response.status_code, 200)
        problems = [(p["row"], p["column"], p["message"]) for p in response.json()["problems"]]
        self.assertIn(("DA06-07", "paper", RULE_MESSAGE), problems)
        self.assertEqual(response.json()["computed"]["DA06-07"]["values"]["rate"], "40")
        self.assertEqual(ReportPart.objects.count(), 0)

    def test_the_preview_workbook_has_the_new_column_and_the_new_title(self):
        response = self.client.get(reverse("definitions:preview_workbook", args=["ban-nhap", self.draft.pk, "P01"]))
        self.assertEqual(response.status_code, 200)
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        headers = {cell.value for row in book["PL03"].iter_rows(max_row=8) for cell in row if cell.value}
        self.assertIn(NEW_LABEL, headers)
        narrative = {cell.value for row in book.worksheets[1].iter_rows() for cell in row if cell.value}
        self.assertTrue(any("Khái quát tình hình tại địa bàn (đã sửa)" in str(v) for v in narrative))


class AccessTests(DraftCase):
    def test_units_are_refused_and_the_refusal_is_logged(self):
        draft = self.new_draft()
        self.client.logout()
        self.login(self.reporter)
        urls = [
            reverse("definitions:list"),
            reverse("definitions:draft", args=[draft.pk]),
            reverse("definitions:definition", args=[self.definition.pk]),
            reverse("definitions:preview", args=["ban-nhap", draft.pk]) + "?don_vi=BTP",
            reverse("definitions:yaml", args=["phien-ban", self.definition.pk]),
        ]
        for url in urls:
            with self.assertLogs("baocao06.access", "WARNING"):
                self.assertEqual(self.client.get(url).status_code, 403, url)
        with self.assertLogs("baocao06.access", "WARNING"):
            response = self.client.post(
                reverse("definitions:edit", args=[draft.pk]),
                {"op": "remove", "p": "outline/0", "revision": 0},
            )
        self.assertEqual(response.status_code, 403)
        draft.refresh_from_db()
        self.assertEqual(draft.revision, 0)

    def test_viewers_read_versions_drafts_and_previews_but_do_not_edit(self):
        draft = self.new_draft()
        self.client.logout()
        self.login(self.viewer)
        page = self.client.get(reverse("definitions:draft", args=[draft.pk]), {"p": "appendices/2"})
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="op"')
        self.assertEqual(
            self.client.get(
                reverse("definitions:preview", args=["phien-ban", self.definition.pk]), {"don_vi": "P01"}
            ).status_code,
            200,
        )
        for name, args in [("edit", [draft.pk]), ("publish", [draft.pk]), ("create_draft", [self.definition.pk])]:
            with self.assertLogs("baocao06.access", "WARNING"):
                self.assertEqual(
                    self.client.post(
                        reverse(f"definitions:{name}", args=args), {"revision": 0, "op": "remove", "p": "outline/0"}
                    ).status_code,
                    403,
                )
        self.assertEqual(DefinitionDraft.objects.count(), 1)


class RoundsStayFrozenTests(DraftCase):
    def test_a_round_opened_on_the_new_version_sees_it_and_the_4709_round_is_unchanged(self):
        fill = self.fill_completely(self.province_report, self.province_reporter)
        self.assertTrue(fill)
        version = do_submit_report(self.province_report, actor=self.province_approver)
        old_version = (version.content, version.content_hash)
        old_layout, old_hash = self.round.layout, self.round.layout_hash
        old_workbook = openpyxl.load_workbook(io.BytesIO(export_report(self.province_report)))
        old_headers = [[c.value for c in row] for row in old_workbook["PL03"].iter_rows(max_row=8)]

        draft = self.new_draft()
        self.rename_i1(draft)
        self.add_column_with_rule(draft)
        self.publish(draft)
        definition = draft.published_as

        form = self.client.get(reverse("rounds:open"))
        self.assertContains(form, f'<option value="{definition.pk}">{definition}</option>', html=True)
        response = self.client.post(
            reverse("rounds:open"),
            {
                "definition": definition.pk,
                "title": "Kỳ thử mẫu mới",
                "period_kind": "h1",
                "year": "2024",
                "deadline": "30/06/2024",
                "unit_keys": "P01, BTP",
                "reminder_offsets": "",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:1500])
        new_round = Round.objects.get(title="Kỳ thử mẫu mới")
        pl03 = new_round.get_layout().table_index["PL03"]
        self.assertIn("paper", pl03.column_index)
        self.assertEqual(new_round.get_layout().section_index["I.1"].title, "Khái quát tình hình tại địa bàn (đã sửa)")

        self.round.refresh_from_db()
        self.assertEqual((self.round.layout, self.round.layout_hash), (old_layout, old_hash))
        self.assertNotIn("paper", self.round.get_layout().table_index["PL03"].column_index)
        stored = self.province_report.versions.get()
        self.assertEqual((stored.content, stored.content_hash), old_version)
        workbook = openpyxl.load_workbook(io.BytesIO(export_report(Report.objects.get(pk=self.province_report.pk))))
        self.assertEqual([[c.value for c in row] for row in workbook["PL03"].iter_rows(max_row=8)], old_headers)


class ImmutabilityTests(DraftCase):
    def test_the_database_refuses_to_change_a_published_version(self):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'definitions_definition'"
                )
                self.assertEqual(cursor.fetchall(), [("definition_frozen",)])
        with self.assertRaises(DatabaseError), transaction.atomic():
            Definition.objects.filter(pk=self.definition.pk).update(source_text="format: 1")
        if connection.vendor == "postgresql":
            with self.assertRaises(DatabaseError), transaction.atomic():
                Definition.objects.filter(pk=self.definition.pk).delete()
        self.assertEqual(Definition.objects.get(pk=self.definition.pk).checksum, self.definition.checksum)
