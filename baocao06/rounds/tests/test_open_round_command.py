"""Operators open a round from a definition file with the same options as the web form."""

from io import StringIO

from django.core.management import CommandError, call_command

from baocao06.reports.models import Report
from baocao06.rounds.models import Round
from baocao06.test import DEFINITION_4709, BaseTestCase


class OpenRoundCommandTests(BaseTestCase):
    def test_a_round_is_opened_for_kinds_and_named_units(self):
        out = StringIO()
        call_command(
            "open_round",
            str(DEFINITION_4709),
            "--title", "Sơ kết 6 tháng cuối năm 2024",
            "--period", "h2",
            "--year", "2024",
            "--deadline", "17/12/2024",
            "--kinds", "ministry",
            "--units", "EVN,P01",
            "--dispatch-number", "9999/CV-TCTTKĐA",
            "--user", "thuky",
            stdout=out,
        )  # fmt: skip
        round_ = Round.objects.get(title="Sơ kết 6 tháng cuối năm 2024")
        self.assertEqual((round_.data_from.isoformat(), round_.data_to.isoformat()), ("2024-06-15", "2024-12-14"))
        self.assertEqual(round_.deadline.strftime("%d/%m/%Y %H:%M"), "17/12/2024 16:59")  # 23:59 in Hà Nội, UTC
        units = set(Report.objects.filter(round=round_).values_list("unit__key", flat=True))
        self.assertTrue({"BTP", "EVN", "P01"} <= units)
        self.assertNotIn("P79", units)
        self.assertEqual(round_.opened_by, self.secretariat)
        self.assertIn(f"Đã mở kỳ {round_.pk}", out.getvalue())

    def test_the_form_rules_apply(self):
        with self.assertRaises(CommandError) as caught:
            call_command(
                "open_round", str(DEFINITION_4709), "--title", "X", "--period", "h1", "--year", "2024",
                "--deadline", "31/02/2024", "--units", "KHONGCO",
            )  # fmt: skip
        self.assertIn("deadline", str(caught.exception))
        with self.assertRaises(CommandError) as caught:
            call_command(
                "open_round", str(DEFINITION_4709), "--title", "X", "--period", "h1", "--year", "2024",
                "--deadline", "17/06/2024", "--units", "KHONGCO",
            )  # fmt: skip
        self.assertIn("Không có đơn vị còn hiệu lực với mã: KHONGCO", str(caught.exception))
        self.assertEqual(Round.objects.count(), 1)
