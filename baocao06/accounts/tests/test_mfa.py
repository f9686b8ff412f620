"""Two-factor sign-in: the TOTP algorithm, enrolment, use, replay, recovery codes, enforcement."""

import hashlib
import time

from django.urls import reverse

from baocao06.accounts import mfa
from baocao06.accounts.models import RecoveryCode, TotpDevice
from baocao06.test import PASSWORD, TOTP_SECRET, BaseTestCase, make_user

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
