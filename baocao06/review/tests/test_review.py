"""The Secretariat reviews: remarks where they apply, return, resubmission with a diff, accept, reopen."""

import re

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.notifications.models import Notification
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import ReportStatus
from baocao06.review.models import Comment
from baocao06.test import BaseTestCase

SERVICE = "DA06-07"  # Đăng ký khai sinh, a row of the Ministry of Justice in PL03


class ReviewCase(BaseTestCase):
    def submit(self, report=None, approver=None):
        report = report or self.report
        self.fill_completely(report, self.reporter if report == self.report else self.province_reporter)
        return do_submit_report(report, actor=approver or self.approver)

    def comment(self, at: str, body: str, report=None):
        report = report or self.report
        self.login(self.secretariat)
        part, *rest = at.split(":")
        if report.round.get_layout().view_for(report.unit).table_index.get(part):
            fields = dict(zip(["row", "column"], rest, strict=False))
        else:
            fields = dict(zip(["field"], rest, strict=False))
        return self.client.post(reverse("review:add_comment", args=[report.pk]), {"part": part, "body": body, **fields})

    def return_(self, message=""):
        self.login(self.secretariat)
        return self.client.post(reverse("review:return", args=[self.report.pk]), {"message": message})

    def status(self):
        self.report.refresh_from_db()
        return self.report.status


class ReturnTests(ReviewCase):
    def test_the_secretariat_returns_a_report_with_a_cell_remark_and_the_unit_is_told(self):
        self.submit()
        self.assertEqual(
            self.comment(f"PL03:{SERVICE}:online", "Số trực tuyến chưa khớp với Cổng DVCQG.").status_code, 302
        )
        comment = Comment.objects.get()
        self.assertEqual(comment.place, "PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»")
        self.assertIsNone(comment.published_at)  # a draft until the report is returned
        response = self.return_()
        self.assertRedirects(response, reverse("review:review", args=[self.report.pk]))
        self.assertEqual(self.status(), ReportStatus.RETURNED)
        comment.refresh_from_db()
        self.assertIsNotNone(comment.published_at)
        for person in (self.reporter, self.approver):
            note = Notification.objects.get(user=person, kind="returned")
            self.assertIn("kèm 1 nhận xét", note.title)
            self.assertIn("PL03 › dòng 7", note.body)
        event = AuditEvent.objects.get(action="report.returned")
        self.assertEqual(event.changes, [{"place": "status", "old": "submitted", "new": "returned"}])
        self.assertEqual(event.data["comments"], [comment.pk])

    def test_the_reporter_sees_the_remark_at_the_cell_and_in_the_list(self):
        self.submit()
        self.comment(f"PL03:{SERVICE}:online", "Số trực tuyến chưa khớp với Cổng DVCQG.")
        self.comment("I.1:body", "Bổ sung số liệu tăng trưởng.")
        self.return_()
        self.login(self.reporter)
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        row = re.search(rf'<tr id="r-PL03-{SERVICE}".*?</tr>', body, re.S).group(0)
        cell = re.search(r'<td id="[^"]*" class="[^"]*has-comment" data-cell="online">.*?</td>', row, re.S).group(0)
        self.assertIn("Nhận xét: Số trực tuyến chưa khớp với Cổng DVCQG.", cell)
        self.assertIn('id="comments"', body)
        self.assertIn("PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»", body)
        section = re.search(r'<section class="section depth-1" id="s-I\.1">.*?</section>', body, re.S).group(0)
        self.assertIn("Nhận xét: Bổ sung số liệu tăng trưởng.", section)

    def test_draft_remarks_are_not_shown_to_the_unit(self):
        self.submit()
        self.comment("I.1:body", "Nháp của Thư ký")
        self.login(self.reporter)
        body = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertNotIn("Nháp của Thư ký", body)

    def test_returning_without_any_remark_is_refused_and_changes_nothing(self):
        self.submit()
        response = self.return_()
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Hãy ghi ít nhất một nhận xét", status_code=409)
        self.assertEqual(self.status(), ReportStatus.SUBMITTED)

    def test_a_general_message_is_enough_to_return(self):
        self.submit()
        self.return_("Đề nghị rà soát lại toàn bộ phụ lục 03.")
        self.assertEqual(self.status(), ReportStatus.RETURNED)
        self.assertEqual(Comment.objects.get().place, "Chung (cả báo cáo)")

    def test_a_remark_on_a_place_not_in_the_report_is_refused(self):
        self.submit()
        self.assertEqual(self.comment("PL03:DA06-03:online", "x").status_code, 409)  # a BCA row, not BTP's
        self.assertEqual(self.comment("II.1.4", "x").status_code, 409)  # a provinces' section
        self.assertEqual(self.comment("PL03:nope", "x").status_code, 409)
        self.assertFalse(Comment.objects.exists())

    def test_units_cannot_review(self):
        self.submit()
        for user in (self.reporter, self.approver, self.viewer):
            self.login(user)
            for name in ("return", "accept"):
                self.assertEqual(self.client.post(reverse(f"review:{name}", args=[self.report.pk])).status_code, 403)
            self.assertEqual(self.client.get(reverse("review:review", args=[self.report.pk])).status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.post(reverse("review:accept", args=[self.report.pk])).status_code, 404)
        self.assertEqual(self.status(), ReportStatus.SUBMITTED)

    def test_a_draft_remark_can_be_withdrawn_before_it_is_sent(self):
        self.submit()
        self.comment("I.1:body", "Viết nhầm")
        comment = Comment.objects.get()
        self.client.post(reverse("review:withdraw_comment", args=[self.report.pk, comment.pk]))
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(AuditEvent.objects.get(action="comment.withdrawn").changes[0]["old"], "Viết nhầm")


class ResubmissionTests(ReviewCase):
    def test_the_reviewer_sees_what_changed_in_the_resubmission(self):
        self.submit()
        self.comment(f"PL03:{SERVICE}:online", "Số trực tuyến chưa khớp.")
        self.return_()
        self.login(self.reporter)
        part = self.report.parts.get(key="PL03")
        rows = part.data["rows"]
        old_online = next(r for r in rows if r["key"] == SERVICE)["values"]["online"]
        next(r for r in rows if r["key"] == SERVICE)["values"]["online"] = "1.234"
        self.assertEqual(self.autosave(self.report, "PL03", {"rows": rows}, part.revision).status_code, 200)
        self.login(self.approver)
        self.client.post(reverse("reports:submit", args=[self.report.pk]), {"idempotency_key": "v2"})
        self.assertEqual(self.status(), ReportStatus.SUBMITTED)
        self.assertEqual(self.report.current_version.number, 2)
        self.assertFalse(self.report.late)
        note = Notification.objects.get(user=self.secretariat, kind="resubmitted")
        self.assertEqual(note.url, reverse("review:review", args=[self.report.pk]))

        self.login(self.secretariat)
        body = self.client.get(reverse("review:review", args=[self.report.pk])).content.decode()
        self.assertIn("Thay đổi so với lần gửi 1", body)
        change = re.search(rf'<tr data-row="{SERVICE}" data-col="online">.*?</tr>', body, re.S).group(0)
        self.assertIn(f"<del>{old_online}</del>", change)
        self.assertIn("<ins>1.234</ins>", change)
        rate = re.search(rf'<tr data-row="{SERVICE}" data-col="rate">', body)
        self.assertIsNotNone(rate)  # the computed rate changed with it
        self.assertEqual(body.count("<tr data-row="), 2)  # nothing else changed in the tables


class AcceptAndReopenTests(ReviewCase):
    def accept(self):
        self.login(self.secretariat)
        return self.client.post(reverse("review:accept", args=[self.report.pk]))

    def test_an_accepted_report_is_read_only(self):
        self.submit()
        self.accept()
        self.assertEqual(self.status(), ReportStatus.ACCEPTED)
        self.assertTrue(Notification.objects.filter(user=self.reporter, kind="accepted").exists())
        self.login(self.reporter)
        part = self.report.parts.get(key="I.1")
        response = self.autosave(self.report, "I.1", {"fields": {"body": "sửa"}}, part.revision)
        self.assertEqual((response.status_code, response.json()["code"]), (409, "not_editable"))
        page = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn("đã được Thư ký Tổ công tác tiếp nhận; chỉ đọc", page)
        self.assertIn('data-editable="0"', page)
        self.assertNotIn('id="submit-form"', page)

    def test_accepting_twice_or_returning_an_accepted_report_is_refused(self):
        self.submit()
        self.accept()
        self.assertEqual(self.accept().status_code, 409)
        self.assertEqual(self.return_("x").status_code, 409)
        self.assertEqual(self.status(), ReportStatus.ACCEPTED)

    def test_only_the_secretariat_reopens_with_a_reason_and_it_is_audited(self):
        self.submit()
        self.accept()
        self.login(self.approver)
        url = reverse("review:reopen", args=[self.report.pk])
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 403)
        self.login(self.secretariat)
        self.assertEqual(self.client.post(url, {"reason": " "}).status_code, 409)
        self.assertEqual(self.status(), ReportStatus.ACCEPTED)
        self.client.post(url, {"reason": "Bộ đề nghị cập nhật số liệu tháng 6."})
        self.assertEqual(self.status(), ReportStatus.RETURNED)
        event = AuditEvent.objects.get(action="report.reopened")
        self.assertEqual(
            (event.actor, event.data["reason"]), (self.secretariat, "Bộ đề nghị cập nhật số liệu tháng 6.")
        )
        self.assertEqual(event.changes, [{"place": "status", "old": "accepted", "new": "returned"}])
        self.assertTrue(Notification.objects.filter(user=self.approver, kind="reopened").exists())


class ReplyTests(ReviewCase):
    def test_the_unit_answers_a_remark_and_the_secretariat_is_told(self):
        self.submit()
        self.comment(f"PL03:{SERVICE}:online", "Số trực tuyến chưa khớp.")
        self.return_()
        comment = Comment.objects.get()
        self.login(self.reporter)
        response = self.client.post(
            reverse("review:reply", args=[self.report.pk, comment.pk]), {"body": "Đã đối chiếu, số đúng là 1.234."}
        )
        self.assertRedirects(response, reverse("reports:detail", args=[self.report.pk]) + f"#c-{comment.pk}")
        answer = comment.replies.get()
        self.assertEqual((answer.author, answer.from_secretariat), (self.reporter, False))
        note = Notification.objects.get(user=self.secretariat, kind="comment")
        self.assertIn("Đã đối chiếu", note.body)
        page = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn("Đã đối chiếu, số đúng là 1.234.", page)

    def test_a_draft_cannot_be_answered_and_others_cannot_answer(self):
        self.submit()
        self.comment("I.1:body", "Nháp")
        comment = Comment.objects.get()
        url = reverse("review:reply", args=[self.report.pk, comment.pk])
        self.login(self.reporter)
        self.assertEqual(self.client.post(url, {"body": "?"}).status_code, 404)
        self.return_()
        for user in (self.outsider, self.viewer):
            self.login(user)
            self.assertEqual(self.client.post(url, {"body": "?"}).status_code, 404)
        self.assertFalse(comment.replies.exists())


class CompareTests(ReviewCase):
    def test_any_two_versions_can_be_compared_by_who_may_read_the_report(self):
        self.submit()
        self.comment("I.1:body", "Bổ sung")
        self.return_()
        part = self.report.parts.get(key="I.1")
        self.login(self.reporter)
        self.autosave(self.report, "I.1", {"fields": {"body": "Đoạn một.\nĐoạn hai mới."}}, part.revision)
        do_submit_report(self.report, actor=self.approver)
        url = reverse("review:compare", args=[self.report.pk, 1, 2])
        body = self.client.get(url).content.decode()
        self.assertIn("<ins>Đoạn hai mới.</ins>", body)
        self.login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.viewer)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(reverse("review:compare", args=[self.report.pk, 1, 9])).status_code, 404)
