"""The follow-up board: states, lateness, approvers, filters, export, explanations — at constant cost."""

import csv
import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from baocao06.accounts.models import UnitRole
from baocao06.notifications.models import Notification
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_accept_report, do_return_report
from baocao06.review.explanations import do_answer_explanation, do_request_explanation
from baocao06.review.models import ExplanationRequest
from baocao06.rounds.actions import do_assign_units
from baocao06.test import BaseTestCase, make_user, open_test_round
from baocao06.units.models import Unit


def end_of_day(days_ago: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class BoardCase(BaseTestCase):
    def board(self, **params):
        self.login(self.secretariat)
        return self.client.get(reverse("rounds:board", args=[self.round.pk]), params).content.decode()

    def rows(self, body):
        import re

        return re.findall(r'<tr data-unit="([^"]+)">', body)


class BoardTests(BoardCase):
    def test_each_unit_shows_its_state_lateness_activity_and_approver(self):
        self.round.deadline = end_of_day(3)
        self.round.save(update_fields=["deadline"])
        self.login(self.reporter)
        self.autosave(self.report, "I.1", {"fields": {"body": "x"}})
        body = self.board()
        self.assertEqual(self.rows(body), ["BTP", "P01", "P79"])
        btp = body[body.index('<tr data-unit="BTP">') : body.index('<tr data-unit="P01">')]
        self.assertIn("Đang soạn", btp)
        self.assertIn("Quá hạn", btp)
        self.assertIn('<td class="num">3</td>', btp)  # due three days ago, still not sent
        self.assertIn(self.approver.full_name, btp)
        self.assertIn(str(self.reporter), btp)  # who did the last activity
        self.assertIn("Yêu cầu giải trình", btp)

    def test_filters_by_state_including_returned_accepted_and_late(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        do_return_report(self.report, actor=self.secretariat, message="Sửa PL03")
        self.fill_completely(self.province_report, self.province_reporter)
        do_submit_report(self.province_report, actor=self.province_approver)
        do_accept_report(self.province_report, actor=self.secretariat)
        self.assertEqual(self.rows(self.board(state="returned")), ["BTP"])
        self.assertEqual(self.rows(self.board(state="accepted")), ["P01"])
        self.assertEqual(self.rows(self.board(state="not_started")), ["P79"])
        self.assertEqual(self.rows(self.board(state="late")), [])
        self.round.deadline = timezone.now() - dt.timedelta(hours=1)
        self.round.save(update_fields=["deadline"])
        # Never sent (P79), or returned and not sent again (BTP), past the deadline.
        self.assertEqual(self.rows(self.board(state="late")), ["BTP", "P79"])
        self.assertEqual(self.rows(self.board(kind="province")), ["P01", "P79"])
        self.assertEqual(self.rows(self.board(q="hà nội")), ["P01"])

    def test_only_the_secretariat_follows_up(self):
        urls = [
            reverse("rounds:board", args=[self.round.pk]),
            reverse("rounds:board_export", args=[self.round.pk, "csv"]),
            reverse("rounds:followup", args=[self.round.pk, self.report.pk]),
        ]
        for user in (self.reporter, self.approver, self.viewer):
            self.login(user)
            for url in urls:
                if user == self.viewer and url == urls[0]:
                    continue  # a viewer reads the board (without the actions): ViewerBoardTests
                self.assertEqual(self.client.get(url).status_code, 403, url)
            url = reverse("rounds:request_explanation", args=[self.round.pk, self.report.pk])
            self.assertEqual(self.client.post(url).status_code, 403)
        self.assertFalse(ExplanationRequest.objects.exists())


class BoardQueryCountTests(BaseTestCase):
    def queries_for_board(self, round_):
        self.login(self.secretariat)
        url = reverse("rounds:board", args=[round_.pk])
        self.client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), response.content.decode().count("<tr data-unit=")

    def test_the_board_makes_as_many_queries_for_30_units_as_for_3(self):
        provinces = list(Unit.objects.filter(kind="province").exclude(key__in=["P01", "P79"]).order_by("key"))[:27]
        big = open_test_round(self.definition, [self.ministry, self.province, self.other_province], title="Lớn")
        do_assign_units(big, provinces, actor=self.secretariat)
        for unit in provinces:
            make_user(f"{unit.key}.ld", unit=unit, role=UnitRole.APPROVER)
        for report in big.reports.all()[:10]:
            do_request_explanation(report, actor=self.secretariat)
        small_count, small_rows = self.queries_for_board(self.round)
        big_count, big_rows = self.queries_for_board(big)
        self.assertEqual((small_rows, big_rows), (3, 30))
        self.assertEqual(small_count, big_count)
        self.assertLessEqual(big_count, 14)


class ExportTests(BoardCase):
    def test_the_filtered_list_exports_to_csv_and_xlsx_with_formulas_kept_as_text(self):
        self.round.deadline = end_of_day(1)
        self.round.save(update_fields=["deadline"])
        asked, _ = do_request_explanation(self.province_report, actor=self.secretariat)
        do_answer_explanation(asked, actor=self.province_reporter, answer='=HYPERLINK("http://x","bấm")')
        self.login(self.secretariat)
        url = reverse("rounds:board_export", args=[self.round.pk, "csv"])
        response = self.client.get(url, {"kind": "province"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:4], ["Mã đơn vị", "Đơn vị", "Loại", "Tình trạng"])
        self.assertEqual([r[0] for r in rows[1:]], ["P01", "P79"])
        hanoi = rows[1]
        self.assertEqual(hanoi[-1], '\'=HYPERLINK("http://x","bấm")')
        self.assertEqual((hanoi[4], hanoi[5]), ("Có", "1"))

        response = self.client.get(reverse("rounds:board_export", args=[self.round.pk, "xlsx"]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertEqual([v[0] for v in values[1:]], ["BTP", "P01", "P79"])
        cell = sheet.cell(row=3, column=14)
        self.assertEqual((cell.value, cell.data_type), ('=HYPERLINK("http://x","bấm")', "s"))
        self.assertEqual(sheet.cell(row=3, column=6).value, 1)  # days late, as a number

    def test_an_unknown_format_is_not_found(self):
        self.login(self.secretariat)
        self.assertEqual(self.client.get(f"/ky-bao-cao/{self.round.pk}/xuat.pdf").status_code, 404)


class ExplanationTests(BoardCase):
    def test_one_click_asks_the_unit_once_and_its_answer_is_recorded(self):
        self.round.deadline = timezone.now() - dt.timedelta(days=2)
        self.round.save(update_fields=["deadline"])
        self.login(self.secretariat)
        url = reverse("rounds:request_explanation", args=[self.round.pk, self.report.pk])
        board = reverse("rounds:board", args=[self.round.pk]) + "?state=late"
        self.assertRedirects(self.client.post(url, {"next": board}), board, fetch_redirect_response=False)
        self.client.post(url)  # a second click while unanswered asks nothing more
        asked = ExplanationRequest.objects.get()
        self.assertIn("Đề nghị Bộ Tư pháp giải trình lý do", asked.message)
        self.assertEqual(Notification.objects.filter(kind="explanation", report=self.report).count(), 2)
        self.assertIn("Đã đề nghị", self.board())

        self.login(self.approver)
        page = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn('id="explanations"', page)
        answer_url = reverse("review:answer_explanation", args=[self.report.pk, asked.pk])
        self.client.post(answer_url, {"answer": "Chờ số liệu của Cục Hộ tịch, gửi trước 20/6."})
        asked.refresh_from_db()
        self.assertEqual(
            (asked.answer, asked.answered_by), ("Chờ số liệu của Cục Hộ tịch, gửi trước 20/6.", self.approver)
        )
        self.assertTrue(Notification.objects.filter(user=self.secretariat, kind="explanation_answered").exists())
        self.assertIn("Đã giải trình", self.board())
        self.login(self.outsider)
        self.assertEqual(self.client.post(answer_url, {"answer": "x"}).status_code, 404)


class DeadlineTests(BoardCase):
    def test_an_extension_moves_the_units_deadline_and_lateness_is_judged_against_it(self):
        start = timezone.now()
        self.round.deadline = start - dt.timedelta(days=2)
        self.round.save(update_fields=["deadline"])
        self.login(self.secretariat)
        url = reverse("rounds:extension", args=[self.round.pk, self.report.pk])
        until = timezone.localtime(start + dt.timedelta(days=5)).strftime("%d/%m/%Y")
        self.client.post(url, {"until": until, "note": "Bộ đề nghị do chờ số liệu quý II."})
        self.report.refresh_from_db()
        self.assertEqual(timezone.localtime(self.report.deadline).strftime("%d/%m/%Y %H:%M"), f"{until} 23:59")
        self.assertTrue(Notification.objects.filter(user=self.reporter, kind="extension").exists())
        self.assertEqual(self.rows(self.board(state="late")), ["P01", "P79"])  # BTP is not late any more
        self.fill_completely(self.report, self.reporter)
        version = do_submit_report(self.report, actor=self.approver)
        self.report.refresh_from_db()
        self.assertEqual((version.late, self.report.late), (False, False))

    def test_a_unit_that_sent_late_is_no_longer_late_once_granted_an_extension(self):
        self.round.deadline = timezone.now() - dt.timedelta(days=2)
        self.round.save(update_fields=["deadline"])
        self.fill_completely(self.report, self.reporter)
        self.assertTrue(do_submit_report(self.report, actor=self.approver).late)
        self.login(self.secretariat)
        until = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
        self.client.post(reverse("rounds:extension", args=[self.round.pk, self.report.pk]), {"until": until})
        self.report.refresh_from_db()
        self.assertFalse(self.report.late)

    def test_an_extension_before_the_rounds_deadline_is_refused(self):
        self.login(self.secretariat)
        day = timezone.localtime(self.round.deadline - dt.timedelta(days=1)).strftime("%d/%m/%Y")
        self.client.post(reverse("rounds:extension", args=[self.round.pk, self.report.pk]), {"until": day})
        self.report.refresh_from_db()
        self.assertIsNone(self.report.deadline_extended_to)

    def test_a_late_submission_is_marked_not_refused(self):
        self.round.deadline = timezone.now() - dt.timedelta(hours=5)
        self.round.save(update_fields=["deadline"])
        self.fill_completely(self.report, self.reporter)
        version = do_submit_report(self.report, actor=self.approver)
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, version.late, self.report.late), (ReportStatus.SUBMITTED, True, True))

    def test_a_closed_round_accepts_nothing_more(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        self.login(self.secretariat)
        close = reverse("rounds:close", args=[self.round.pk])
        self.client.post(close)  # not confirmed: nothing happens
        self.round.refresh_from_db()
        self.assertTrue(self.round.is_open)
        self.client.post(close, {"confirm": "1"})
        self.round.refresh_from_db()
        self.assertFalse(self.round.is_open)
        self.login(self.province_reporter)
        response = self.autosave(self.province_report, "I.1", {"fields": {"body": "muộn"}})
        self.assertEqual((response.status_code, response.json()["code"]), (409, "not_editable"))
        self.login(self.secretariat)
        self.assertEqual(
            self.client.post(reverse("review:return", args=[self.report.pk]), {"message": "x"}).status_code, 409
        )
        self.client.post(reverse("review:accept", args=[self.report.pk]))  # reviewing what was sent goes on
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, ReportStatus.ACCEPTED)
        self.assertIn("Kỳ báo cáo đã khóa", self.board())
        self.assertNotIn("Yêu cầu giải trình</button>", self.board())
        self.assertFalse(self.province_report.parts.exists())


class ReturnedAfterTheDeadlineTests(BoardCase):
    def test_a_report_returned_and_not_sent_again_after_the_deadline_is_late_and_can_be_asked_why(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)  # on time
        do_return_report(self.report, actor=self.secretariat, message="Sửa PL03")
        self.assertEqual(self.rows(self.board(state="late")), [])
        self.round.deadline = end_of_day(3)
        self.round.save(update_fields=["deadline"])
        body = self.board(state="late")
        self.assertEqual(self.rows(body), ["BTP", "P01", "P79"])
        btp = body.split('<tr data-unit="BTP">')[1].split("</tr>")[0]
        self.assertIn("Quá hạn", btp)
        self.assertIn("Yêu cầu giải trình", btp)
        self.assertIn('<td class="num">3</td>', btp)  # days since the deadline, while it is owed
        self.assertIn("<span>3</span> Muộn / quá hạn", self.board())
        self.client.post(reverse("rounds:request_explanation", args=[self.round.pk, self.report.pk]))
        asked = ExplanationRequest.objects.get(report=self.report)
        self.assertIn("chưa gửi lại sau khi bị trả lại", asked.message)

        do_submit_report(self.report, actor=self.approver)  # sent again: owed no more
        self.assertEqual(self.rows(self.board(state="late")), ["P01", "P79"])


class ViewerBoardTests(BoardCase):
    def test_a_viewer_reads_the_board_and_opens_each_units_report(self):
        self.login(self.viewer)
        rounds = self.client.get(reverse("rounds:list")).content.decode()
        board_url = reverse("rounds:board", args=[self.round.pk])
        self.assertIn(f'href="{board_url}"', rounds)
        response = self.client.get(board_url)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertEqual(self.rows(body), ["BTP", "P01", "P79"])
        for report in (self.report, self.province_report, self.other_report):
            self.assertIn(f'href="{reverse("reports:detail", args=[report.pk])}"', body)
        for secretariat_only in ("Khóa kỳ báo cáo", "Yêu cầu giải trình", "xuat.csv", "btp.ld", "/don-vi/"):
            self.assertNotIn(secretariat_only, body)
        page = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn(f'href="{board_url}"', page)  # and back to the round's units
