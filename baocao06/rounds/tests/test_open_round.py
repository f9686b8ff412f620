"""The Secretariat opens rounds; a round's layout is frozen when it is opened."""

import datetime as dt

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.catalogues.models import Service
from baocao06.reports.models import Report
from baocao06.rounds.models import PeriodKind, Round, default_window
from baocao06.test import BaseTestCase, open_test_round


class OpenRoundTests(BaseTestCase):
    def form(self, **overrides):
        data = {
            "definition": self.definition.pk,
            "title": "Sơ kết 6 tháng đầu năm 2024",
            "period_kind": "h1",
            "year": "2024",
            "deadline": "17/06/2024",
            "dispatch_number": "4709/CV-TCTTKĐA",
            "dispatch_date": "10/06/2024",
            "kinds": ["province"],
            "unit_keys": "BTP, EVN",
        }
        data.update(overrides)
        return data

    def test_a_2024_round_is_assigned_to_the_63_provinces_of_the_time(self):
        self.login(self.secretariat)
        response = self.client.post(reverse("rounds:open"), self.form())
        round_ = Round.objects.exclude(pk=self.round.pk).get()
        self.assertRedirects(response, reverse("rounds:board", args=[round_.pk]))
        units = Report.objects.filter(round=round_)
        self.assertEqual(units.filter(unit__kind="province").count(), 63)
        self.assertEqual(set(units.exclude(unit__kind="province").values_list("unit__key", flat=True)), {"BTP", "EVN"})
        self.assertEqual((round_.data_from, round_.data_to), (dt.date(2023, 12, 15), dt.date(2024, 6, 14)))
        self.assertEqual(
            round_.deadline.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M"),
            "17/06/2024 23:59",
        )
        event = AuditEvent.objects.get(action="round.opened", object_id=str(round_.pk))
        self.assertEqual(event.data["units"], 65)

    def test_reminder_offsets_are_chosen_when_opening_the_round(self):
        self.login(self.secretariat)
        self.client.post(reverse("rounds:open"), self.form(reminder_offsets="1, -5 ; -2", title="Có nhắc hạn"))
        self.assertEqual(Round.objects.get(title="Có nhắc hạn").reminder_offsets, [-5, -2, 1])
        response = self.client.post(reverse("rounds:open"), self.form(reminder_offsets="-3, ba", title="Sai"))
        self.assertContains(response, "“ba” không phải số ngày.")
        self.assertFalse(Round.objects.filter(title="Sai").exists())

    def test_a_2026_round_sees_the_34_provinces(self):
        self.login(self.secretariat)
        self.client.post(reverse("rounds:open"), self.form(year="2026", unit_keys="", title="Năm 2026"))
        round_ = Round.objects.get(title="Năm 2026")
        self.assertEqual(round_.reports.count(), 34)
        self.assertTrue(round_.reports.filter(unit__key="P79-2025").exists())
        self.assertFalse(round_.reports.filter(unit__key="P74").exists())  # Bình Dương merged into TP.HCM

    def test_unknown_or_expired_unit_keys_are_refused(self):
        self.login(self.secretariat)
        response = self.client.post(reverse("rounds:open"), self.form(year="2026", unit_keys="BTTTT, XYZ"))
        self.assertContains(response, "Không có đơn vị còn hiệu lực với mã: BTTTT, XYZ")
        self.assertEqual(Round.objects.count(), 1)

    def test_only_the_secretariat_opens_rounds(self):
        self.login(self.approver)
        self.assertEqual(self.client.post(reverse("rounds:open"), self.form()).status_code, 403)

    def test_decree_09_windows(self):
        self.assertEqual(default_window(PeriodKind.FIRST_HALF, 2024), (dt.date(2023, 12, 15), dt.date(2024, 6, 14)))
        self.assertEqual(default_window(PeriodKind.SECOND_HALF, 2024), (dt.date(2024, 6, 15), dt.date(2024, 12, 14)))
        self.assertEqual(default_window(PeriodKind.YEAR, 2024), (dt.date(2023, 12, 15), dt.date(2024, 12, 14)))

    def test_catalogue_edits_do_not_change_an_open_round(self):
        service = Service.objects.get(code="DA06-07")
        old_name = service.name
        service.name = "Tên đã đổi sau khi mở kỳ"
        service.save()
        layout = Round.objects.get(pk=self.round.pk).get_layout()
        self.assertEqual(layout.table_index["PL03"].row_index["DA06-07"].label, old_name)
        later = open_test_round(self.definition, [self.ministry], title="Kỳ sau")
        self.assertEqual(later.get_layout().table_index["PL03"].row_index["DA06-07"].label, "Tên đã đổi sau khi mở kỳ")
