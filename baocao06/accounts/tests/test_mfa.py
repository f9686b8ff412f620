"""Two-factor sign-in: the TOTP algorithm, enrolment, use, replay, recovery codes, enforcement."""

import hashlib
import time

from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from baocao06.accounts import mfa
from baocao06.accounts.models import RecoveryCode, TotpDevice, User
from baocao06.audit.models import AuditEvent
from baocao06.notifications.models import Notification, OutboxEmail
from baocao06.test import PASSWORD, TOTP_SECRET, BaseTestCase, login_client, make_user, site_paths

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"


def test_hotp_and_totp_match_the_rfc_test_vectors():
    key = b"12345678901234567890"
    assert [mfa.hotp(key, c) for c in range(3)] == ["755224", "287082", "359152"]  # RFC 4226 appendix D
    assert mfa.hotp(key, 59 // 30, digits=8) == "94287082"  # RFC 6238 appendix B, SHA-1
    assert mfa.hotp(key, 1111111109 // 30, digits=8) == "07081804"
    assert mfa.totp(RFC_SECRET, at=59) == "287082"
    assert mfa.hotp(key, 2000000000 // 30, digits=8, digest=hashlib.sha1) == "69279037"


class SignInTests(BaseTestCase):
    def password_step(self, username):
        return self.client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})

    def test_an_approver_cannot_reach_anything_before_the_second_factor(self):
        self.password_step("btp.ld")
        response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertRedirects(
            response,
            reverse("accounts:mfa_verify") + f"?next=%2Fbao-cao%2F{self.report.pk}%2F",
            fetch_redirect_response=False,
        )

    def test_a_code_is_accepted_once(self):
        self.password_step("btp.ld")
        code = mfa.totp(TOTP_SECRET)
        self.assertEqual(self.client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code, 302)
        self.client.post(reverse("accounts:logout"))
        self.password_step("btp.ld")
        again = self.client.post(reverse("accounts:mfa_verify"), {"code": code})
        self.assertContains(again, "Mã xác thực không đúng hoặc đã được dùng.")
        self.assertNotIn(mfa.SESSION_KEY, self.client.session)

    def test_a_wrong_code_is_refused_and_counted(self):
        self.password_step("btp.ld")
        for _ in range(5):
            self.client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
        locked = self.client.post(reverse("accounts:mfa_verify"), {"code": mfa.totp(TOTP_SECRET)})
        self.assertContains(locked, "Nhập sai quá nhiều lần")

    def test_reporters_are_not_asked_for_a_second_factor(self):
        response = self.password_step("btp.cv")
        self.assertEqual(response["Location"], "/")
        self.assertEqual(self.client.get(reverse("reports:detail", args=[self.report.pk])).status_code, 200)


class EnrolmentTests(BaseTestCase):
    def test_a_new_approver_sets_up_an_app_and_gets_recovery_codes_once(self):
        approver = make_user("moi.ld", unit=self.province, role="approver")
        TotpDevice.objects.filter(user=approver).delete()  # a new person has no app yet
        self.client.post(reverse("accounts:login"), {"username": "moi.ld", "password": PASSWORD})
        response = self.client.get(reverse("accounts:mfa_verify"))
        self.assertRedirects(response, reverse("accounts:mfa_setup") + "?next=%2F", fetch_redirect_response=False)
        page = self.client.get(reverse("accounts:mfa_setup"))
        self.assertContains(page, "<svg")
        secret = self.client.session["mfa_pending_secret"]
        wrong = self.client.post(reverse("accounts:mfa_setup"), {"code": "123456"})
        self.assertContains(wrong, "Mã không đúng")
        done = self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(secret)})
        codes = done.context["codes"]
        self.assertEqual(len(codes), 10)
        self.assertTrue(self.client.session[mfa.SESSION_KEY])
        self.assertEqual(RecoveryCode.objects.filter(user=approver).count(), 10)
        self.assertFalse(RecoveryCode.objects.filter(code_hash__in=codes).exists())  # stored hashed

        self.client.post(reverse("accounts:logout"))
        self.client.post(reverse("accounts:login"), {"username": "moi.ld", "password": PASSWORD})
        self.assertEqual(self.client.post(reverse("accounts:mfa_verify"), {"code": codes[0]}).status_code, 302)
        self.client.post(reverse("accounts:logout"))
        self.client.post(reverse("accounts:login"), {"username": "moi.ld", "password": PASSWORD})
        self.assertContains(self.client.post(reverse("accounts:mfa_verify"), {"code": codes[0]}), "đã được dùng")

    def test_a_code_from_the_previous_step_is_still_accepted(self):
        device = TotpDevice.objects.get(user=self.approver)
        previous = mfa.totp(TOTP_SECRET, at=time.time() - 30)
        self.assertTrue(mfa.verify_totp(device, previous))
        self.assertFalse(mfa.verify_totp(device, mfa.totp(TOTP_SECRET, at=time.time() - 90)))


class BeforeTheSecondFactorTests(BaseTestCase):
    """After the password step and before the code, nothing but the sign-in steps answers."""

    OPEN = ("/healthz", "/favicon.ico")

    def password_step(self, username):
        self.client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})

    def assert_only(self, target: str, reachable: set[str]):
        for path in site_paths():
            if path in reachable or path in self.OPEN:
                continue
            for method in (self.client.get, self.client.post):
                response = method(path)
                self.assertEqual(response.status_code, 302, f"{method.__name__.upper()} {path}")
                self.assertTrue(response["Location"].startswith(target), f"{path} → {response['Location']}")

    def test_a_person_with_an_app_reaches_only_the_code_page_and_sign_out(self):
        self.password_step("btp.ld")
        verify = reverse("accounts:mfa_verify")
        self.assert_only(verify, {verify, reverse("accounts:logout")})
        self.assertEqual(self.client.get(verify).status_code, 200)
        self.client.post(reverse("accounts:logout"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_password_cannot_be_changed_before_the_second_factor(self):
        self.password_step("btp.ld")
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "Ngựa-Xanh-Đồi-Cát", "new_password2": "Ngựa-Xanh-Đồi-Cát"},
        )
        self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_verify")))
        self.approver.refresh_from_db()
        self.assertTrue(self.approver.check_password(PASSWORD))

    def test_a_person_who_must_enrol_reaches_only_the_set_up_page(self):
        newcomer = make_user("moi.ld", unit=self.province, role="approver")
        TotpDevice.objects.filter(user=newcomer).delete()
        self.password_step("moi.ld")
        setup = reverse("accounts:mfa_setup")
        # The code page only sends such a person on to the set-up page.
        self.assert_only(setup, {setup, reverse("accounts:mfa_verify"), reverse("accounts:logout")})
        self.assertEqual(self.client.get(setup).status_code, 200)
        self.assertTrue(self.client.get(reverse("accounts:mfa_verify"))["Location"].startswith(setup))

    def test_the_password_alone_cannot_replace_the_second_factor(self):
        """The blocker: the set-up page used to take a new app and mark the session verified."""
        self.password_step("btp.ld")
        before = TotpDevice.objects.get(user=self.approver).secret
        response = self.client.get(reverse("accounts:mfa_setup"))
        self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_verify")))
        session = self.client.session
        session["mfa_pending_secret"] = RFC_SECRET
        session.save()
        response = self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(RFC_SECRET)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(TotpDevice.objects.get(user=self.approver).secret, before)
        self.assertNotIn(mfa.SESSION_KEY, self.client.session)
        self.assertFalse(RecoveryCode.objects.filter(user=self.approver).exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="account.mfa_").exists())

    def test_the_set_up_page_refuses_a_device_owner_even_without_the_middleware(self):
        from baocao06.accounts import mfa_views

        self.password_step("btp.ld")
        request = RequestFactory().post(reverse("accounts:mfa_setup"), {"code": "000000"})
        request.user, request.session = self.approver, self.client.session
        request._messages = FallbackStorage(request)
        response = mfa_views.setup(request)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_verify")))


class ChangingTheSecondFactorTests(BaseTestCase):
    """Re-enrolment and removal: a verified session and the password; audited; the person is told."""

    def sign_in_fully(self, user):
        self.client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
        TotpDevice.objects.filter(user=user).update(last_used_step=0)
        self.client.post(reverse("accounts:mfa_verify"), {"code": mfa.totp(TOTP_SECRET)})
        self.assertTrue(self.client.session[mfa.SESSION_KEY])

    def new_app(self):
        self.client.get(reverse("accounts:mfa_setup"))
        return self.client.session["mfa_pending_secret"]

    def test_a_verified_approver_replaces_the_app_with_the_password_and_is_told(self):
        User.objects.filter(pk=self.approver.pk).update(email="btp.ld@example.vn")
        self.sign_in_fully(self.approver)
        page = self.client.get(reverse("accounts:mfa_setup"))
        self.assertContains(page, 'name="password"')
        secret = self.client.session["mfa_pending_secret"]
        wrong = self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(secret), "password": "sai"})
        self.assertContains(wrong, "Mật khẩu không đúng")
        self.assertEqual(TotpDevice.objects.get(user=self.approver).secret, TOTP_SECRET)

        done = self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(secret), "password": PASSWORD})
        self.assertEqual(len(done.context["codes"]), 10)
        self.assertEqual(TotpDevice.objects.get(user=self.approver).secret, secret)
        event = AuditEvent.objects.get(action="account.mfa_replaced")
        self.assertEqual((event.actor, event.object_id), (self.approver, str(self.approver.pk)))
        note = Notification.objects.get(user=self.approver, kind="security")
        self.assertIn("xác thực hai lớp", note.title)
        self.assertEqual(OutboxEmail.objects.get(notification=note).to, "btp.ld@example.vn")

    def test_a_recovery_code_opens_the_way_to_a_new_app_when_the_phone_is_lost(self):
        codes = _give_recovery_codes(self.approver)
        self.client.post(reverse("accounts:login"), {"username": "btp.ld", "password": PASSWORD})
        self.assertEqual(self.client.post(reverse("accounts:mfa_verify"), {"code": codes[0]}).status_code, 302)
        secret = self.new_app()
        done = self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(secret), "password": PASSWORD})
        self.assertEqual(done.status_code, 200)
        self.assertEqual(TotpDevice.objects.get(user=self.approver).secret, secret)
        self.assertEqual(
            list(AuditEvent.objects.filter(object_id=str(self.approver.pk)).values_list("action", flat=True)),
            ["account.mfa_replaced", "account.recovery_code_used", "account.signed_in"],
        )

    def test_a_reporter_who_chose_a_second_factor_may_remove_it_with_the_password(self):
        login_client(self.client, self.reporter)
        secret = self.new_app()
        self.client.post(reverse("accounts:mfa_setup"), {"code": mfa.totp(secret)})
        self.assertTrue(TotpDevice.objects.filter(user=self.reporter).exists())
        self.assertTrue(AuditEvent.objects.filter(action="account.mfa_enabled", actor=self.reporter).exists())
        refused = self.client.post(reverse("accounts:mfa_disable"), {"password": "sai"})
        self.assertContains(refused, "Mật khẩu không đúng", status_code=400)
        self.assertTrue(TotpDevice.objects.filter(user=self.reporter).exists())
        self.client.post(reverse("accounts:mfa_disable"), {"password": PASSWORD})
        self.assertFalse(TotpDevice.objects.filter(user=self.reporter).exists())
        self.assertFalse(RecoveryCode.objects.filter(user=self.reporter).exists())
        self.reporter.refresh_from_db()
        self.assertFalse(self.reporter.mfa_enabled)
        self.assertTrue(AuditEvent.objects.filter(action="account.mfa_disabled", actor=self.reporter).exists())
        self.assertEqual(
            list(Notification.objects.filter(user=self.reporter, kind="security").values_list("title", flat=True)),
            ["Đã tắt xác thực hai lớp của tài khoản", "Đã bật xác thực hai lớp cho tài khoản"],
        )

    def test_an_approver_cannot_remove_the_second_factor_the_role_requires(self):
        self.sign_in_fully(self.approver)
        response = self.client.post(reverse("accounts:mfa_disable"), {"password": PASSWORD})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(TotpDevice.objects.filter(user=self.approver).exists())

    def test_removal_needs_a_verified_session(self):
        self.client.post(reverse("accounts:login"), {"username": "btp.ld", "password": PASSWORD})
        response = self.client.post(reverse("accounts:mfa_disable"), {"password": PASSWORD})
        self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_verify")))
        self.assertTrue(TotpDevice.objects.filter(user=self.approver).exists())


def _give_recovery_codes(user) -> list[str]:
    codes = ["abc123-def456", "123abc-456def"]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=mfa.hash_code(c)) for c in codes])
    return codes
