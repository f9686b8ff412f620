"""The remark form for a clicked place comes alone to htmx (the review page does not reload)."""

from django.urls import reverse

from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase


class CommentFormFragmentTests(BaseTestCase):
    def test_htmx_gets_only_the_form_for_the_place(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        self.login(self.secretariat)
        url = reverse("review:review", args=[self.report.pk])
        headers = {"HX-Request": "true", "HX-Target": "comment-form"}
        response = self.client.get(url, {"at": "PL03:DA06-07:online"}, headers=headers)
        body = response.content.decode()
        self.assertTrue(body.startswith('<form method="post"'), body[:80])
        self.assertIn("PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»", body)
        self.assertIn('name="column" value="online"', body)
        self.assertNotIn("<html", body)
        self.assertIn("HX-Request", response["Vary"])
        wrong = self.client.get(url, {"at": "PL03:khong-co"}, headers=headers).content.decode()
        self.assertIn('role="alert"', wrong)
        self.login(self.reporter)
        self.assertEqual(self.client.get(url, {"at": "PL03"}, headers=headers).status_code, 403)
