"""The national draft (Soạn báo cáo tổng hợp): figures as live references, the units' paragraphs
filtered and searched without diacritics, suggestions grouping what several units say, autosave with
revisions and conflicts, versions, the leader's approval before files, the DOCX body, audit."""

from __future__ import annotations

import copy
import io
import json

from django.contrib.auth.models import Permission
from django.test import SimpleTestCase
from django.urls import reverse
from docx import Document

from baocao06.audit.models import AuditEvent
from baocao06.compilation import drafting
from baocao06.compilation.actions import do_compile, do_request_outputs
from baocao06.compilation.drafting_actions import (
    DraftConflict,
    DraftRefused,
    approved_body,
    do_approve_draft,
    do_mark_used,
    do_move_draft,
    do_save_section,
    do_start_draft,
    do_submit_draft,
    do_take_suggestion,
)
from baocao06.compilation.models import DraftStatus, Generation, NationalDraftConflict
from baocao06.compilation.outputs.docx import write_docx
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_accept_report
from baocao06.test import BaseTestCase, fill_completely, make_user

from .national_fixture import PL03_ROWS, layout_4709, national_data


class FiguresAndSuggestionsTests(SimpleTestCase):
    def setUp(self):
        self.data = national_data()

    def test_figures_are_the_snapshot_totals_printed_the_vietnamese_way(self):
        catalogue = drafting.figures(self.data)
        # Independent: the PL03 total is the sum of the fixture's PL03 rows.
        total = sum(row[3] for row in PL03_ROWS)
        online = sum(row[4] for row in PL03_ROWS)
        self.assertEqual(catalogue["PL03.total"].value, total)
        self.assertEqual(catalogue["PL03.online"].value, online)
        rate = round(online * 100 / total, 2)
        self.assertEqual(catalogue["PL03.rate"].printed, f"{rate:.2f}".replace(".", ",") + " %")
        text = "Toàn quốc có {{so_lieu:PL03.total}} hồ sơ; {{ so_lieu:PL03.rate }} trực tuyến."
        rendered = drafting.render(text, catalogue)
        printed_total = f"{total:,}".replace(",", ".")
        self.assertEqual(rendered, f"Toàn quốc có {printed_total} hồ sơ; {catalogue['PL03.rate'].printed} trực tuyến.")
        self.assertIn("[không có số liệu PL99.total]", drafting.render("{{so_lieu:PL99.total}}", catalogue))
        self.assertEqual(drafting.unknown_references(text + "{{so_lieu:X.y}}", catalogue), ["X.y"])

    def test_moving_to_another_snapshot_lists_only_the_referenced_figures_that_changed(self):
        newer = copy.deepcopy(self.data)
        newer["services"][0]["total"]["values"]["total"] += 1000
        old, new = drafting.figures(self.data), drafting.figures(newer)
        changes = drafting.changed_figures(["{{so_lieu:PL03.total}} và {{so_lieu:PL04.total}}"], old, new)
        self.assertEqual([c["key"] for c in changes], ["PL03.total"])
        self.assertEqual(changes[0]["old"], old["PL03.total"].printed)
        self.assertEqual(changes[0]["new"], new["PL03.total"].printed)

    def test_paragraphs_filter_by_kind_and_unit_and_search_without_diacritics(self):
        every = drafting.section_paragraphs(self.data, "I.1")
        self.assertEqual([p.key for p in every], ["BCA", "BTP", "P01", "X00004", "X00008"])
        self.assertEqual([p.key for p in drafting.section_paragraphs(self.data, "I.1", kind="provinces")], ["P01"])
        self.assertEqual([p.key for p in drafting.section_paragraphs(self.data, "I.1", unit="BTP")], ["BTP"])
        found = drafting.section_paragraphs(self.data, "I.1", query="bo tu phap")
        self.assertEqual([p.key for p in found], ["BTP"])
        self.assertEqual(drafting.fold("Đà Nẵng"), "da nang")

    def test_the_suggestion_groups_what_several_units_say_and_states_the_figures(self):
        data = copy.deepcopy(self.data)
        section = next(s for s in data["narrative"] if s["key"] == "II.3.3.5")
        texts = {
            "BTP": "Hạ tầng kỹ thuật chưa đồng bộ, kết nối dữ liệu dân cư còn chậm, thiếu kinh phí.",
            "BYT": "Một số dịch vụ có tỷ lệ thấp do người dân chưa quen.",
            "P79": "Hạ tầng kỹ thuật chưa đồng bộ; kết nối dữ liệu dân cư còn chậm; thiếu kinh phí đầu tư.",
            "X26734": "Hạ tầng kỹ thuật chưa đồng bộ, kết nối dữ liệu dân cư còn chậm, thiếu kinh phí.",
        }
        for item in section["paragraphs"]:
            item["text"] = texts[item["key"]]
        suggestion = drafting.suggest(data, layout_4709(), "II.3.3.5")
        self.assertEqual(len(suggestion.groups), 1)
        group = suggestion.groups[0]
        self.assertEqual({p.key for p in group.units}, {"BTP", "P79", "X26734"})
        self.assertEqual(group.who, "1 bộ, ngành, 1 tỉnh, thành phố và 1 xã, phường, đặc khu")
        self.assertIn("Bộ Tư pháp", group.names)
        text = suggestion.text
        self.assertIn("{{so_lieu:PL03.total}}", text)  # the figures as live references
        self.assertIn("nêu: Hạ tầng kỹ thuật chưa đồng bộ", text)
        self.assertIn("Bộ Y tế: Một số dịch vụ", text)  # one unit alone, named

    def test_the_docx_body_is_the_draft_and_the_units_go_to_the_annex(self):
        texts = {"I.1": "Tình hình chung ổn định.", "II.3.3.5": "Toàn quốc có {{so_lieu:PL03.total}} hồ sơ."}
        stream = io.BytesIO()
        write_docx(self.data, layout_4709(), stream, draft={"sections": texts, "unit_annex": True}, with_charts=False)
        doc = Document(io.BytesIO(stream.getvalue()))
        paragraphs = [p.text for p in doc.paragraphs]
        total = f"{sum(r[3] for r in PL03_ROWS):,}".replace(",", ".")
        self.assertIn(f"Toàn quốc có {total} hồ sơ.", paragraphs)
        annex = paragraphs.index("TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ")
        closing = next(i for i, p in enumerate(paragraphs) if p.startswith("Toàn quốc có"))
        unit_line = next(i for i, p in enumerate(paragraphs) if p.startswith("Bộ Tư pháp: Bộ Tư pháp báo cáo mục I.1"))
        self.assertLess(closing, annex)
        self.assertGreater(unit_line, annex)  # units' paragraphs only in the annex
        # Sections with nothing written under them print no heading.
        headings = [p.text for p in doc.paragraphs[:annex] if p.style.name.startswith("Heading")]
        third = next(s for s in self.data["narrative"] if s["key"] == "III")
        self.assertIn(f"{third['number']}. {third['title']}", paragraphs[annex:])  # III.1 has units' texts
        self.assertNotIn("Chưa có đơn vị nào báo cáo nội dung mục này.", paragraphs)
        self.assertNotIn(f"{third['number']}. {third['title']}", headings)
        self.assertLess(len(headings), 8)
        stream = io.BytesIO()
        write_docx(self.data, layout_4709(), stream, draft={"sections": texts, "unit_annex": False}, with_charts=False)
        self.assertNotIn(
            "TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ", [p.text for p in Document(io.BytesIO(stream.getvalue())).paragraphs]
        )


class DraftWorkflowTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=3)
        do_submit_report(cls.report, actor=cls.approver)
        do_accept_report(cls.report, actor=cls.secretariat)
        cls.snapshot = do_compile(cls.round, actor=cls.secretariat)
        cls.leader = make_user("thuky.ld", global_role="secretariat")
        cls.leader.user_permissions.add(Permission.objects.get(codename="approve_nationaldraft"))

    def key_with_paragraphs(self):
        return next(s["key"] for s in self.snapshot.data["narrative"] if s.get("paragraphs"))

    def test_save_with_revisions_conflicts_kept_and_everything_audited(self):
        draft = do_start_draft(self.round, self.snapshot, actor=self.secretariat)
        key = self.key_with_paragraphs()
        section = do_save_section(draft, key, "Bản một", base_revision=0, actor=self.secretariat)
        self.assertEqual(section.revision, 1)
        # The same text again (a retry) is not a conflict.
        self.assertEqual(do_save_section(draft, key, "Bản một", base_revision=0, actor=self.secretariat).revision, 1)
        with self.assertRaises(DraftConflict):
            do_save_section(draft, key, "Bản cũ của người khác", base_revision=0, actor=self.leader)
        kept = NationalDraftConflict.objects.get()
        self.assertEqual((kept.text, kept.base_revision, kept.current_revision), ("Bản cũ của người khác", 0, 1))
        do_mark_used(draft, key, "BTP", True, actor=self.secretariat)
        actions = list(AuditEvent.objects.filter(action__startswith="national_draft.").values_list("action", flat=True))
        for expected in ("national_draft.started", "national_draft.section_saved", "national_draft.edit_refused",
                         "national_draft.paragraph_marked"):  # fmt: skip
            self.assertIn(expected, actions)

    def test_approval_by_the_leader_before_files_and_the_docx_prints_the_approved_text(self):
        draft = do_start_draft(self.round, self.snapshot, actor=self.secretariat)
        key = self.key_with_paragraphs()
        with self.assertRaises(DraftRefused):
            do_request_outputs(self.snapshot, actor=self.secretariat)  # a draft exists, not approved
        section = do_take_suggestion(draft, key, base_revision=0, actor=self.secretariat)
        self.assertTrue(section.from_suggestion)
        do_save_section(draft, key, section.text + "\nĐã sửa.", base_revision=section.revision, actor=self.secretariat)
        do_submit_draft(draft, actor=self.secretariat)
        with self.assertRaises(Exception):  # noqa: B017 - PermissionDenied: not the leader
            do_approve_draft(draft, actor=self.secretariat)
        version = do_approve_draft(draft, actor=self.leader)
        draft.refresh_from_db()
        self.assertEqual(draft.status, DraftStatus.APPROVED)
        body = approved_body(self.snapshot)
        self.assertTrue(body["sections"][key].endswith("Đã sửa."))
        self.assertEqual(version.reason, "approved")
        do_request_outputs(self.snapshot, actor=self.secretariat)  # now allowed
        # An edit after approval lapses it; the approved version stays for the files.
        do_save_section(draft, key, "Sửa sau duyệt", base_revision=section.revision + 1, actor=self.secretariat)
        draft.refresh_from_db()
        self.assertEqual(draft.status, DraftStatus.DRAFT)
        self.assertTrue(approved_body(self.snapshot)["sections"][key].endswith("Đã sửa."))

    def test_moving_to_a_newer_snapshot_lists_changed_figures(self):
        draft = do_start_draft(self.round, self.snapshot, actor=self.secretariat)
        key = self.key_with_paragraphs()
        do_save_section(draft, key, "{{so_lieu:don_vi.tong_hop}} đơn vị", base_revision=0, actor=self.secretariat)
        fill_completely(self.province_report, self.province_approver, seed=4)
        do_submit_report(self.province_report, actor=self.province_approver)
        do_accept_report(self.province_report, actor=self.secretariat)
        newer = do_compile(self.round, actor=self.secretariat)
        changes = do_move_draft(draft, newer, actor=self.secretariat)
        self.assertEqual(
            changes, [{"key": "don_vi.tong_hop", "label": "Số đơn vị được tổng hợp", "old": "1", "new": "2"}]
        )
        self.assertTrue(AuditEvent.objects.filter(action="national_draft.moved").exists())

    def test_the_page_shows_editor_suggestion_and_filtered_paragraphs_to_the_secretariat_only(self):
        url = reverse("compilation:drafting", args=[self.round.pk])
        for user in (self.viewer, self.approver):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.secretariat)
        self.assertContains(self.client.get(url), "Bắt đầu soạn trên tổng hợp lần 1")
        self.client.post(reverse("compilation:start_draft", args=[self.round.pk]), {"snapshot": self.snapshot.pk})
        key = self.key_with_paragraphs()
        page = self.client.get(url, {"muc": key}).content.decode()
        self.assertIn('id="draft-text"', page)
        self.assertIn("GỢI Ý — chưa dùng", page)
        self.assertIn('data-unit="BTP"', page)
        filtered = self.client.get(url, {"muc": key, "loai": "provinces"}).content.decode()
        self.assertNotIn('data-unit="BTP"', filtered)
        draft = self.round.national_draft
        save = reverse("compilation:save_section", args=[draft.pk, key])
        answer = self.client.post(save, json.dumps({"base_revision": 0, "text": "A"}), content_type="application/json")
        self.assertEqual(answer.json()["revision"], 1)
        stale = self.client.post(save, json.dumps({"base_revision": 0, "text": "B"}), content_type="application/json")
        self.assertEqual(stale.status_code, 409)
        self.assertEqual(stale.json()["current"]["text"], "A")
        approve = reverse("compilation:draft_action", args=[draft.pk, "duyet"])
        self.assertEqual(self.client.post(approve).status_code, 403)  # not the leader
        # Files of the drafted snapshot are refused, with the reason, until the leader approves.
        response = self.client.post(reverse("compilation:request_outputs", args=[self.snapshot.pk]), follow=True)
        self.assertContains(response, "chưa được lãnh đạo duyệt")
        self.assertFalse(Generation.objects.filter(snapshot=self.snapshot).exists())
