"""Sign-in events are audited and logged (ASVS V16); the admin has no sign-in page of its own."""

from django.urls import reverse

from baocao06.accounts import mfa
from baocao06.accounts.models import TotpDevice
from baocao06.audit.models import AuditEvent
from baocao06.notifications.models import Notification
from baocao06.test import PASSWORD, TOTP_SECRET, BaseTestCase


class SignInEventTests(BaseTestCase):
    def sign_in(self, username, password=PASSWORD, address="10.0.0.1"):
        return self.client.post(
            reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def actions(self):
        return list(AuditEvent.objects.order_by("id").values_list("action", "actor_label", "data"))

    def test_a_sign_in_is_audited_and_logged_with_the_address(self):
        with self.assertLogs("baocao06.security", "INFO") as logs:
            self.sign_in("btp.cv")
        event = AuditEvent.objects.get(action="account.signed_in")
        self.assertEqual((event.actor, event.data), (self.reporter, {"address": "10.0.0.1"}))
        self.assertEqual(logs.output, [f"INFO:baocao06.security:sign-in: user={self.reporter.pk} address=10.0.0.1"])

    def test_a_failed_sign_in_names_the_username_typed_never_the_password(self):
        with self.assertLogs("baocao06.security", "WARNING") as logs:
            self.sign_in("btp.cv", "mat-khau-sai")
            self.sign_in("khong.ai", "mat-khau-sai")
        known, unknown = AuditEvent.objects.filter(action="account.sign_in_failed").order_by("id")
        self.assertEqual((known.object_type, known.object_id), ("user", str(self.reporter.pk)))
        self.assertEqual(known.actor_label, "(chưa đăng nhập) btp.cv")
        self.assertIsNone(known.actor)
        self.assertEqual((unknown.object_type, unknown.object_id), ("login", "khong.ai"))
        self.assertNotIn("mat-khau-sai", " ".join(logs.output) + str(known.data) + str(unknown.data))

    def test_the_lockout_is_audited_once_and_attempts_during_it_are_logged(self):
        for _ in range(5):
            self.sign_in("btp.cv", "sai")
        with self.assertLogs("baocao06.security", "WARNING") as logs:
            self.sign_in("btp.cv")
        self.assertEqual(AuditEvent.objects.filter(action="account.locked", object_id=str(self.reporter.pk)).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="account.sign_in_failed").count(), 5)
        self.assertIn("sign-in refused while locked: username='btp.cv' address=10.0.0.1", logs.output[0])
        self.assertFalse(AuditEvent.objects.filter(action="account.signed_in").exists())

    def test_a_wrong_second_factor_code_is_audited(self):
        self.sign_in("btp.ld")
        with self.assertLogs("baocao06.security", "WARNING"):
            self.client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
        event = AuditEvent.objects.get(action="account.mfa_failed")
        self.assertEqual((event.actor, event.data["address"]), (self.approver, "127.0.0.1"))
        for _ in range(4):
            self.client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
        self.assertEqual(AuditEvent.objects.filter(action="account.mfa_locked", actor=self.approver).count(), 1)

    def test_a_password_change_is_audited_and_told_to_the_person(self):
        self.sign_in("btp.cv")
        new = "Ngựa-Xanh-Đồi-Cát-Trắng"
        self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        event = AuditEvent.objects.get(action="account.password_changed")
        self.assertEqual((event.actor, event.data), (self.reporter, {"by_self": True, "usable": True}))
        self.assertNotIn(new, str(event.changes) + str(event.data))
        note = Notification.objects.get(user=self.reporter, kind="security")
        self.assertEqual(note.title, "Mật khẩu của tài khoản đã được đổi")

    def test_a_sign_out_is_audited(self):
        self.sign_in("btp.cv")
        self.client.post(reverse("accounts:logout"))
        event = AuditEvent.objects.get(action="account.signed_out")
        self.assertEqual((event.actor, event.data), (self.reporter, {"reason": "sign_out"}))


class AdminSignInTests(BaseTestCase):
    def test_the_admin_sign_in_page_sends_people_to_the_throttled_one(self):
        response = self.client.get("/quan-tri/login/?next=/quan-tri/")
        self.assertRedirects(response, reverse("accounts:login") + "?next=/quan-tri/", fetch_redirect_response=False)

    def test_the_admin_sign_in_page_takes_no_password(self):
        for _ in range(30):
            response = self.client.post("/quan-tri/login/", {"username": "thuky", "password": "sai"})
            self.assertEqual(response.status_code, 302)
        response = self.client.post("/quan-tri/login/", {"username": "thuky", "password": PASSWORD})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_signing_out_of_the_admin_is_audited(self):
        self.client.post(reverse("accounts:login"), {"username": "thuky", "password": PASSWORD})
        TotpDevice.objects.filter(user=self.secretariat).update(last_used_step=0)
        self.client.post(reverse("accounts:mfa_verify"), {"code": mfa.totp(TOTP_SECRET)})
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        self.client.post(reverse("admin:logout"))
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEvent.objects.filter(action="account.signed_out", actor=self.secretariat).exists())

    def test_the_admin_password_page_is_the_audited_one(self):
        response = self.client.get("/quan-tri/password_change/")
        self.assertRedirects(response, reverse("accounts:password_change"), fetch_redirect_response=False)
