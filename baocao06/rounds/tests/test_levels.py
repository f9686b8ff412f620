"""Level rounds: the Secretariat's cascade, a province opening its own, and who follows them."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from baocao06.accounts.models import UnitRole
from baocao06.audit.models import AuditEvent
from baocao06.reports.models import Report
from baocao06.rounds.actions import Refused, do_assign_units
from baocao06.rounds.levels import do_open_level_round
from baocao06.rounds.models import Round
from baocao06.test import login_client, make_user
from baocao06.units.kinds import UnitKind
from baocao06.units.models import Unit

from .levels import add_lower_units, build_levels


class LevelRoundTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls)

    def test_the_cascade_opens_one_level_round_per_province_with_its_lower_units(self):
        rounds = Round.objects.filter(parent=self.round).order_by("owner__key")
        self.assertEqual([r.owner.key for r in rounds], ["P01", "P79"])
        units = set(Report.objects.filter(round=self.level_round).values_list("unit__key", flat=True))
        self.assertEqual(units, {u.key for u in [*self.communes, *self.departments]})
        self.assertLess(self.level_round.deadline, self.round.deadline)
        self.assertEqual(self.level_round.layout_hash, self.round.layout_hash)
        window = (self.level_round.data_from, self.level_round.data_to)
        self.assertEqual(window, (self.round.data_from, self.round.data_to))
        events = AuditEvent.objects.filter(action="round.level_opened")
        self.assertEqual(events.count(), 2)
        self.assertTrue(AuditEvent.objects.filter(action="round.cascaded").exists())

    def test_the_definition_decides_what_a_commune_and_a_department_answer(self):
        layout = self.level_round.get_layout()
        commune, department = layout.view_for(self.commune), layout.view_for(self.departments[0])
        self.assertEqual([t.key for t in commune.tables], ["DV", "NV"])
        self.assertEqual([t.key for t in department.tables], ["NV"])
        self.assertIn("I.1", department.section_keys)
        self.assertNotIn("I.2", department.section_keys)

    def test_a_level_round_deadline_must_come_before_the_national_one(self):
        with self.assertRaisesMessage(Refused, "phải trước hạn gửi"):
            do_open_level_round(self.province, parent=self.round, deadline=self.round.deadline, actor=self.secretariat)

    def test_a_province_gets_one_level_round_per_national_round(self):
        with self.assertRaisesMessage(Refused, "đã có kỳ báo cáo cấp tỉnh"):
            do_open_level_round(
                self.province,
                parent=self.round,
                deadline=self.round.deadline - dt.timedelta(days=1),
                actor=self.hn_reviewer,
            )

    def test_units_outside_the_province_are_refused(self):
        Report.objects.filter(round=self.level_round).delete()
        Round.objects.filter(pk=self.level_round.pk).delete()
        with self.assertRaisesMessage(Refused, "Không thuộc"):
            do_open_level_round(
                self.province,
                parent=self.round,
                deadline=self.round.deadline - dt.timedelta(days=1),
                actor=self.hn_reviewer,
                units=[self.other_communes[0]],
            )

    def test_a_province_opens_its_own_level_round_from_the_national_board(self):
        Report.objects.filter(round=self.level_round).delete()
        Round.objects.filter(pk=self.level_round.pk).delete()
        login_client(self.client, self.hn_reviewer)
        day = (self.round.deadline - dt.timedelta(days=3)).date()
        response = self.client.post(
            reverse("rounds:open_level", args=[self.province_report.pk]), {"deadline": day.strftime("%d/%m/%Y")}
        )
        level = Round.objects.get(parent=self.round, owner=self.province)
        self.assertRedirects(response, reverse("rounds:board", args=[level.pk]))
        self.assertEqual(level.reports.count(), len(self.communes) + len(self.departments))
        self.assertEqual(AuditEvent.objects.filter(action="round.level_opened", actor=self.hn_reviewer).count(), 1)

    def test_another_province_cannot_open_a_level_round_for_hanoi(self):
        login_client(self.client, self.other_reviewer)
        day = (self.round.deadline - dt.timedelta(days=3)).date()
        response = self.client.post(
            reverse("rounds:open_level", args=[self.province_report.pk]), {"deadline": day.strftime("%d/%m/%Y")}
        )
        self.assertEqual(response.status_code, 404)

    def test_a_commune_hears_from_its_province_not_from_the_secretariat(self):
        from baocao06.notifications.models import Notification
        from baocao06.reports.actions import do_submit_report
        from baocao06.review.actions import anchor_for, do_add_comment, do_return_report
        from baocao06.test import fill_completely

        fill_completely(self.commune_report, self.commune_reporter)
        do_submit_report(self.commune_report, actor=self.commune_approver)
        anchor = anchor_for(self.commune_report, part="I.1", field="body")
        do_add_comment(self.commune_report, actor=self.hn_reviewer, body="Bổ sung số liệu", anchor=anchor)
        do_return_report(self.commune_report, actor=self.hn_reviewer)
        login_client(self.client, self.commune_reporter)
        page = self.client.get(reverse("reports:detail", args=[self.commune_report.pk]))
        self.assertContains(page, f"Nhận xét của {self.province.name} (1)")
        self.assertNotContains(page, "Nhận xét của Thư ký Tổ công tác")
        told = Notification.objects.filter(user=self.commune_reporter).latest("pk")
        self.assertIn(f"{self.province.name} đề nghị chỉnh sửa", told.body)

    def test_a_level_round_reminds_its_communes_before_its_own_deadline(self):
        from django.utils import timezone

        from baocao06.notifications.models import Notification
        from baocao06.notifications.reminders import send_due_reminders

        day_before = timezone.localtime(self.level_round.deadline).date() - dt.timedelta(days=1)
        at = timezone.make_aware(dt.datetime.combine(day_before, dt.time(9, 0)))
        send_due_reminders(now=at, worker="test")
        reminded = set(Notification.objects.values_list("report__round_id", flat=True))
        # Both provinces' level rounds, not the national round (its deadline is 5 days later).
        self.assertEqual(reminded, {self.level_round.pk, self.other_level_round.pk})
        self.assertTrue(Notification.objects.filter(user=self.commune_reporter, report=self.commune_report).exists())
        self.assertFalse(Notification.objects.filter(user=self.hn_reporter).exists())

    def test_the_secretariat_cascades_from_the_opening_form(self):
        login_client(self.client, self.secretariat)
        response = self.client.post(
            reverse("rounds:open"),
            {
                "definition": self.definition.pk,
                "title": "Kỳ mới",
                "period_kind": "h2",
                "year": 2025,
                "deadline": "20/12/2099",
                "cascade": "on",
                "cascade_deadline": "10/12/2099",
                "kinds": ["province"],
                "reminder_offsets": "-1",
            },
        )
        self.assertEqual(response.status_code, 302)
        new = Round.objects.exclude(pk=self.round.pk).get(title="Kỳ mới")
        levels = Round.objects.filter(parent=new)
        # Provinces valid at the cut-off with lower units: TP.HCM's old code ended with the 2025 merger.
        self.assertEqual(set(levels.values_list("owner__key", flat=True)), {"P01"})
        self.assertTrue(all(r.deadline < new.deadline for r in levels))

    def test_the_cascade_deadline_must_come_first(self):
        login_client(self.client, self.secretariat)
        response = self.client.post(
            reverse("rounds:open"),
            {
                "definition": self.definition.pk,
                "title": "Kỳ mới",
                "period_kind": "h2",
                "year": 2025,
                "deadline": "20/12/2099",
                "cascade": "on",
                "cascade_deadline": "21/12/2099",
                "kinds": ["province"],
            },
        )
        self.assertContains(response, "Hạn gửi lên tỉnh phải trước hạn gửi")
        self.assertFalse(Round.objects.filter(title="Kỳ mới").exists())


class MinistryLevelRoundTests(TestCase):
    """A ministry gathers the reports of its agencies the same way a province does."""

    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=1)
        cls.ministry = Unit.objects.get(key="BTP")
        cls.agencies = add_lower_units(cls.ministry, 2, prefix="CQ", kind=UnitKind.DEPARTMENT)
        cls.ministry_reviewer = make_user("btp.td", unit=cls.ministry, role=UnitRole.REVIEWER)
        do_assign_units(cls.round, [cls.ministry], actor=cls.secretariat)
        cls.ministry_report = Report.objects.get(round=cls.round, unit=cls.ministry)

    def test_a_ministry_opens_a_level_round_for_its_agencies_and_only_it_follows_it(self):
        login_client(self.client, self.ministry_reviewer)
        day = (self.round.deadline - dt.timedelta(days=2)).date()
        response = self.client.post(
            reverse("rounds:open_level", args=[self.ministry_report.pk]), {"deadline": day.strftime("%d/%m/%Y")}
        )
        level = Round.objects.get(parent=self.round, owner=self.ministry)
        self.assertRedirects(response, reverse("rounds:board", args=[level.pk]))
        self.assertEqual(set(level.reports.values_list("unit__key", flat=True)), {u.key for u in self.agencies})
        login_client(self.client, self.hn_reviewer)
        self.assertEqual(self.client.get(reverse("rounds:board", args=[level.pk])).status_code, 403)

    def test_a_level_round_takes_only_units_under_its_owner(self):
        with self.assertRaisesMessage(Refused, "Không thuộc"):
            do_assign_units(self.level_round, [self.agencies[0]], actor=self.secretariat)
        self.assertEqual(do_assign_units(self.level_round, [self.commune], actor=self.secretariat), 0)
