"""The demo tells the story the README promises: three rounds (the last after the 2025 merger), reviews,
reminders, carried-over tasks."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts.models import User
from baocao06.catalogues.models import TaskRow
from baocao06.demo.loading import build_demo
from baocao06.notifications.models import Notification, ReminderClaim
from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import PeriodKind
from baocao06.test import login_client
from baocao06.units.models import Unit

# 2024 units, and those of 2026 (Tuyên Quang after Hà Giang + Tuyên Quang, Science and Technology after MIC).
UNITS = ["BTP", "P01", "BCA", "BTC", "BYT", "BXD", "P79", "P22", "P31", "P48", "P92", "EVN"]
UNITS += ["P02", "P08", "BTTTT", "BKHDT", "P08-2025", "BKHCN", "P79-2025"]


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = build_demo(out=lambda *a: None, unit_keys=UNITS)
        cls.second = cls.first.next_rounds.get()
        cls.third = cls.second.next_rounds.get()

    def report(self, round_, key):
        return Report.objects.get(round=round_, unit__key=key)

    def test_a_year_end_round_follows_the_4709_round(self):
        second = self.second
        self.assertEqual(second.previous, self.first)
        self.assertEqual((second.definition.key, second.definition.version), ("de-an-06-so-ket", "2024-nam"))
        # A December report speaks of the year and of the next one, not of the first half.
        layout = second.get_layout()
        titles = [s.title for s in layout.walk_sections()] + [layout.title]
        self.assertFalse([t for t in titles if "6 THÁNG" in t.upper() or "06 THÁNG" in t.upper()])
        self.assertIn("NHIỆM VỤ TRỌNG TÂM NĂM 2025", titles)
        texts = [json.dumps(p.data, ensure_ascii=False) for r in second.reports.all() for p in r.parts.all()]
        self.assertTrue(texts)
        self.assertFalse([t for t in texts if "6 tháng đầu năm" in t])
        self.assertTrue([t for t in texts if "Trong năm 2024," in t])
        self.assertEqual(second.period_kind, PeriodKind.YEAR)
        self.assertEqual((second.data_from, second.data_to), (dt.date(2023, 12, 15), dt.date(2024, 12, 14)))
        self.assertEqual(timezone.localtime(second.deadline).date(), dt.date(2024, 12, 18))

    def test_the_demo_logins_reports_are_ready_to_work_on(self):
        btp, hanoi = self.report(self.first, "BTP"), self.report(self.first, "P01")
        self.assertEqual(btp.status, ReportStatus.RETURNED)
        self.assertTrue(btp.is_editable)
        self.assertGreaterEqual(btp.comments.filter(published_at__isnull=False).count(), 2)
        self.assertTrue(btp.comments.filter(place__startswith="PL03 › dòng").exists())  # a cell remark
        self.assertEqual((hanoi.status, hanoi.current_version.number), (ReportStatus.SUBMITTED, 2))
        for key in ("BTP", "P01"):
            self.assertEqual(self.report(self.second, key).status, ReportStatus.DRAFT)

    def test_the_first_round_has_accepted_and_returned_reports_with_2024_timestamps(self):
        statuses = set(self.first.reports.values_list("status", flat=True))
        self.assertTrue({ReportStatus.ACCEPTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED} <= statuses)
        for version in self.report(self.first, "P01").versions.all():
            self.assertEqual(timezone.localtime(version.submitted_at).date().month, 6)
        moments = set(ReminderClaim.objects.filter(report__round=self.first).values_list("sent_at", flat=True))
        self.assertEqual(
            {timezone.localtime(m).strftime("%d/%m %H:%M") for m in moments},
            {"14/06 08:00", "16/06 08:00", "18/06 08:00"},
        )

    def test_carried_over_tasks_keep_their_identity_in_the_second_round(self):
        before = self.report(self.first, "BTP")
        after = self.report(self.second, "BTP")
        keys = [r["key"] for r in after.parts.get(key="PL01").data["rows"]]
        carried = [k for k in keys if k.startswith("nNV-BTP-")]
        self.assertTrue(carried)
        codes = set(TaskRow.objects.filter(report=before).values_list("task__code", flat=True))
        self.assertTrue({k[1:] for k in carried} <= codes)

    def test_the_secretariat_sees_what_hanoi_changed_and_the_people_were_notified(self):
        client = self.client
        login_client(client, User.objects.get(username="thuky"))
        body = client.get(reverse("review:review", args=[self.report(self.first, "P01").pk])).content.decode()
        self.assertIn("Thay đổi so với lần gửi 1", body)
        self.assertTrue(Notification.objects.filter(user__username="btp.chuyenvien", kind="returned").exists())
        self.assertTrue(Notification.objects.filter(user__username="btp.chuyenvien", kind="deadline_near").exists())

    @override_settings(DEBUG=True)  # load_demo refuses to run anywhere else
    def test_loading_again_changes_nothing(self):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("Tổng kết năm 2024", out.getvalue())
        self.assertIn("Tổng kết năm 2026", out.getvalue())
        valid_2024 = Unit.objects.valid_on(dt.date(2024, 12, 14)).filter(key__in=UNITS).count()
        self.assertEqual(Report.objects.filter(round__in=[self.first, self.second]).count(), 2 * valid_2024)

    def test_both_rounds_are_compiled_and_the_second_compares_with_the_first(self):
        first = self.first.snapshots.get()
        second = self.second.snapshots.get()
        self.assertEqual((first.provisional, second.provisional), (False, True))
        self.assertEqual(timezone.localtime(first.created_at).date(), dt.date(2024, 7, 5))
        accepted = self.first.reports.filter(status=ReportStatus.ACCEPTED).count()
        self.assertEqual(first.data["completeness"]["included"], accepted)
        compared = [
            row for table in second.data["services"] for row in table["rows"] if row["baseline_rate"] is not None
        ]
        self.assertTrue(compared, "the year-end round compares online rates with the 4709 round")
        for row in compared:
            self.assertAlmostEqual(row["change"], row["values"]["rate"] - row["baseline_rate"], places=2)

    def test_a_2026_round_on_the_units_of_today_follows_the_year_end_round(self):
        third = self.third
        self.assertEqual((third.previous, third.year, third.data_to), (self.second, 2026, dt.date(2026, 12, 14)))
        self.assertEqual(third.definition.version, "2026-nam")
        units = set(third.reports.values_list("unit__key", flat=True))
        today = {"BTP", "P01", "BCA", "BTC", "BYT", "BXD", "P22", "EVN", "P08-2025", "BKHCN", "P79-2025"}
        self.assertEqual(units, today)  # of UNITS, those that exist at the end of 2026
        layout = third.get_layout()
        self.assertIn("NHIỆM VỤ TRỌNG TÂM NĂM 2027", [s.title for s in layout.walk_sections()])
        self.assertIn("TỔNG KẾT NĂM 2026", layout.title)
        # The 2026 definition names today's ministries itself; catalogue lead units of 2024 are remapped.
        self.assertEqual(third.layout["audiences"]["btttt"]["tokens"], ["unit:BKHCN"])
        remaps = {(r["from"], r["to"]) for r in third.unit_mapping["remaps"]}
        for old, new in remaps:
            self.assertEqual(Unit.objects.get(key=old).current_successor(third.data_to).key, new)
        # Tasks carried to the new Tuyên Quang: exactly the open recorded tasks Hà Giang and Tuyên Quang sent.
        expected = set()
        for key in ("P02", "P08"):
            report = self.report(self.second, key)
            if report.current_version_id is None:
                continue
            recorded = dict(TaskRow.objects.filter(report=report).values_list("row_key", "task__code"))
            for row in report.current_version.content["tables"]["PL01"]["rows"]:
                if row["key"] in recorded and row["values"].get("result") != "completed":
                    expected.add("n" + recorded[row["key"]])
        part = self.report(third, "P08-2025").parts.filter(key="PL01").first()
        carried = {r["key"] for r in (part.data["rows"] if part else []) if r["key"].startswith("nNV-")}
        self.assertEqual(carried, expected)
        self.assertTrue(any(c.startswith("nNV-P02-") for c in carried), carried)  # Hà Giang's reached it
        self.assertTrue(any(c.startswith("nNV-P08-") for c in carried), carried)
        self.assertTrue(all(c.startswith(("nNV-P02-", "nNV-P08-")) for c in carried), carried)
        statuses = set(third.reports.values_list("status", flat=True))
        self.assertIn(ReportStatus.SUBMITTED, statuses)
        self.assertTrue(third.snapshots.exists())

    def test_the_4709_round_has_an_approved_national_draft_written_from_the_suggestions(self):
        from baocao06.audit.models import AuditEvent
        from baocao06.compilation import drafting
        from baocao06.compilation.drafting_actions import approved_body, can_approve
        from baocao06.compilation.models import DraftStatus, NationalDraft

        leader = User.objects.get(username="lanhdao.thuky")
        self.assertTrue(can_approve(leader))
        self.assertFalse(can_approve(User.objects.get(username="thuky")))
        snapshot = self.first.snapshots.get(provisional=False)
        draft = NationalDraft.objects.get(round=self.first)
        self.assertEqual((draft.snapshot, draft.status), (snapshot, DraftStatus.APPROVED))
        self.assertEqual(draft.approved_version.created_by, leader)
        self.assertEqual(timezone.localtime(draft.approved_version.created_at).date(), dt.date(2024, 7, 9))
        # Every section with a suggestion has it, as the suggestion computed again from the snapshot.
        layout = self.first.get_layout()
        expected = {}
        for key in layout.section_index:
            suggestion = drafting.suggest(snapshot.data, layout, key)
            if not suggestion.empty:
                expected[key] = suggestion.text
        self.assertGreater(len(expected), 10)
        self.assertEqual(approved_body(snapshot)["sections"], expected)
        actions = set(AuditEvent.objects.filter(action__startswith="national_draft.").values_list("action", flat=True))
        self.assertTrue({"national_draft.suggestion_taken", "national_draft.approved"} <= actions, actions)
