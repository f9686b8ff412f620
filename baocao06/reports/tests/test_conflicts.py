"""A refused stale edit: both versions side by side, keep either or merge, the alert gone once settled,
the refused copy still reachable."""

import re

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.reports.actions import Conflict, do_save_part
from baocao06.reports.models import PartConflict
from baocao06.test import BaseTestCase

STORED = "Tỉnh đã triển khai 25 dịch vụ công thiết yếu. Tỷ lệ hồ sơ trực tuyến đạt 70%."
MINE = STORED + " Trong 6 tháng cuối năm sẽ mở rộng sang cấp xã."
ROW = "DA06-07"


class ConflictCase(BaseTestCase):
    def refuse(self, key, data, *, user=None, base=0):
        """Save `data` on revision `base` after someone else saved: the server keeps it as a conflict."""
        try:
            do_save_part(self.report, key, data, base_revision=base, actor=user or self.reporter)
        except Conflict as exc:
            return exc.conflict
        self.fail("the edit was not refused")

    def stored_section(self):
        do_save_part(self.report, "I.1", {"fields": {"body": STORED}}, base_revision=0, actor=self.approver)
        return self.refuse("I.1", {"fields": {"body": MINE}})

    def page(self):
        self.login(self.reporter)
        return self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()

    def choose(self, conflict, **post):
        self.login(self.reporter)
        url = reverse("reports:resolve_conflict", args=[self.report.pk, conflict.pk])
        return self.client.post(url, post)


class ComparisonTests(ConflictCase):
    def test_both_versions_are_shown_side_by_side_with_the_appended_sentence_marked(self):
        conflict = self.stored_section()
        self.login(self.reporter)
        body = self.client.get(reverse("reports:conflict", args=[self.report.pk, conflict.pk])).content.decode()
        theirs, mine = body.split('class="side theirs"')[1], body.split('class="side mine"')[1]
        self.assertIn("<ins> Trong 6 tháng cuối năm sẽ mở rộng sang cấp xã.</ins>", mine)
        self.assertIn("đạt 70%.", theirs.split('class="side mine"')[0])
        self.assertNotIn("<del>", theirs.split('class="side mine"')[0])  # nothing of the stored text was removed
        self.assertIn('name="keep" value="merge"', body)
        self.assertIn(f'name="base_revision" value="{self.report.parts.get(key="I.1").revision}"', body)

    def test_a_table_shows_each_differing_cell_and_the_rows_only_one_side_has(self):
        stored = {"rows": [{"key": ROW, "values": {"total": "1.000", "online": "700"}}]}
        do_save_part(self.report, "PL03", stored, base_revision=0, actor=self.approver)
        mine = {"rows": [{"key": ROW, "values": {"total": "1.000", "online": "750"}}]}
        conflict = self.refuse("PL03", mine)
        self.login(self.reporter)
        body = self.client.get(reverse("reports:conflict", args=[self.report.pk, conflict.pk])).content.decode()
        cells = re.findall(r'<tr data-row="([^"]+)" data-col="([^"]+)">', body)
        self.assertEqual(cells, [(ROW, "online")])
        self.assertIn("<del>700</del>", body)
        self.assertIn("<ins>750</ins>", body)

    def test_only_the_units_people_see_a_refused_copy(self):
        conflict = self.stored_section()
        url = reverse("reports:conflict", args=[self.report.pk, conflict.pk])
        for user in (self.outsider, self.secretariat, self.viewer):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 404, user)
            self.assertIn(self.client.post(url + "chon/", {"keep": "theirs"}).status_code, (403, 404), user)
        conflict.refresh_from_db()
        self.assertFalse(conflict.resolved)


class SettlingTests(ConflictCase):
    def test_the_alert_is_shown_once_per_part_and_goes_away_once_settled(self):
        do_save_part(self.report, "I.1", {"fields": {"body": STORED}}, base_revision=0, actor=self.approver)
        for attempt in range(3):  # three autosaves refused in a row
            last = self.refuse("I.1", {"fields": {"body": f"{MINE} ({attempt})"}})
        body = self.page()
        self.assertEqual(body.count('data-conflict-part="I.1"'), 1)
        self.assertEqual(body.count('class="alert alert-warn" id="conflicts"'), 1)
        self.assertIn(reverse("reports:conflict", args=[self.report.pk, last.pk]), body)

        response = self.choose(last, keep="theirs")
        self.assertRedirects(response, reverse("reports:detail", args=[self.report.pk]) + "#part-I.1")
        self.assertEqual(PartConflict.objects.filter(report=self.report, resolved=False).count(), 0)
        body = self.page()
        self.assertNotIn("data-conflict-part", body)
        self.assertNotIn('id="conflicts"', body)
        # Nothing typed is lost: every refused copy stays reachable from the page.
        for conflict in PartConflict.objects.filter(report=self.report):
            self.assertIn(reverse("reports:conflict", args=[self.report.pk, conflict.pk]), body)
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], STORED)
        event = AuditEvent.objects.get(action="report.conflict_resolved")
        self.assertEqual((event.data["kept"], len(event.data["conflicts"])), ("theirs", 3))

    def test_keeping_mine_saves_it_on_top_of_the_stored_version(self):
        conflict = self.stored_section()
        revision = self.report.parts.get(key="I.1").revision
        self.choose(conflict, keep="mine", base_revision=revision)
        part = self.report.parts.get(key="I.1")
        self.assertEqual((part.data["fields"]["body"], part.revision), (MINE, revision + 1))
        conflict.refresh_from_db()
        self.assertTrue(conflict.resolved)

    def test_a_merge_saves_the_edited_text(self):
        conflict = self.stored_section()
        revision = self.report.parts.get(key="I.1").revision
        merged = STORED + " Một câu hợp nhất."
        self.choose(conflict, keep="merge", base_revision=revision, **{"f:body": merged})
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], merged)

    def test_a_table_merge_takes_each_cell_from_the_side_picked_and_the_rows_ticked(self):
        stored = {"rows": [{"key": ROW, "values": {"total": "1.000", "online": "700", "solution": "Bản lưu"}}]}
        do_save_part(self.report, "PL03", stored, base_revision=0, actor=self.approver)
        mine = {"rows": [{"key": ROW, "values": {"total": "1.200", "online": "750", "solution": "Bản lưu"}}]}
        conflict = self.refuse("PL03", mine)
        post = {f"pick:{ROW}:total": "theirs", f"pick:{ROW}:online": "mine"}
        self.choose(conflict, keep="merge", base_revision=1, **post)
        [row] = self.report.parts.get(key="PL03").data["rows"]
        self.assertEqual(
            (row["values"]["total"], row["values"]["online"], row["values"]["solution"]), ("1.000", "750", "Bản lưu")
        )

    def test_a_choice_made_while_the_part_moved_on_is_refused_and_kept_again(self):
        conflict = self.stored_section()
        do_save_part(self.report, "I.1", {"fields": {"body": "Bản mới hơn"}}, base_revision=1, actor=self.approver)
        response = self.choose(conflict, keep="mine", base_revision=1)
        newest = PartConflict.objects.filter(report=self.report).latest("pk")
        self.assertRedirects(response, reverse("reports:conflict", args=[self.report.pk, newest.pk]))
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Bản mới hơn")
        self.assertEqual(newest.data["fields"]["body"], MINE)

    def test_keeping_mine_from_the_page_settles_the_refusal(self):
        conflict = self.stored_section()
        self.login(self.reporter)
        response = self.client.post(
            self.save_url(self.report, "I.1"),
            data={"base_revision": 1, "data": {"fields": {"body": MINE}}, "resolves": True},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200)
        conflict.refresh_from_db()
        self.assertTrue(conflict.resolved)
        self.assertNotIn("data-conflict-part", self.page())
