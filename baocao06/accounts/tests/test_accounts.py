"""Signing in and out, changing a password, and who may enter the catalogue admin."""

import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from baocao06.accounts.mfa import totp
from baocao06.audit.models import AuditEvent
from baocao06.test import PASSWORD, TOTP_SECRET, BaseTestCase


class LoginTests(BaseTestCase):
    def test_a_unit_user_signs_in_and_lands_on_the_units_reports(self):
        response = self.client.post(
            reverse("accounts:login"), {"username": "btp.cv", "password": PASSWORD}, follow=True
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("reports:list"))
        self.assertContains(response, self.round.title)

    def test_the_secretariat_gives_a_second_factor_then_lands_on_rounds(self):
        response = self.client.post(reverse("accounts:login"), {"username": "thuky", "password": PASSWORD}, follow=True)
        self.assertEqual(response.redirect_chain[-1][0], reverse("accounts:mfa_verify") + "?next=%2F")
        response = self.client.post(
            reverse("accounts:mfa_verify"), {"code": totp(TOTP_SECRET), "next": "/"}, follow=True
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("rounds:list"))

    def test_a_wrong_password_is_refused_in_vietnamese(self):
        response = self.client.post(reverse("accounts:login"), {"username": "btp.cv", "password": "sai"})
        self.assertContains(response, "Tên đăng nhập hoặc mật khẩu không đúng.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_session_is_rotated_at_login(self):
        self.client.get(reverse("accounts:login"))
        self.client.session.save()
        before = self.client.session.session_key
        self.client.post(reverse("accounts:login"), {"username": "btp.cv", "password": PASSWORD})
        self.assertNotEqual(self.client.session.session_key, before)

    def test_logout_is_a_post(self):
        self.login(self.reporter)
        self.assertEqual(self.client.get(reverse("accounts:logout")).status_code, 405)
        self.client.post(reverse("accounts:logout"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_password_change_checks_the_old_one_and_the_rules(self):
        self.login(self.reporter)
        url = reverse("accounts:password_change")
        weak = self.client.post(
            url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
        )
        self.assertEqual(weak.status_code, 200)
        ok = self.client.post(
            url, {"old_password": PASSWORD, "new_password1": "Gió-Mùa-Đông-Bắc", "new_password2": "Gió-Mùa-Đông-Bắc"}
        )
        self.assertRedirects(ok, reverse("accounts:password_change_done"))
        self.reporter.refresh_from_db()
        self.assertTrue(self.reporter.check_password("Gió-Mùa-Đông-Bắc"))

    def test_a_disabled_account_is_logged_out_at_its_next_request(self):
        self.login(self.reporter)
        self.reporter.is_active = False
        self.reporter.save()
        response = self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_production_hashes_passwords_with_argon2(self):
        from baocao06 import settings as production

        self.assertEqual(production.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher")
        self.assertEqual(settings.AUTH_USER_MODEL, "accounts.User")


class CatalogueAdminTests(BaseTestCase):
    def test_the_secretariat_manages_catalogues_in_the_admin(self):
        self.login(self.secretariat)
        self.assertContains(self.client.get(reverse("admin:catalogues_service_changelist")), "Đăng ký khai sinh")
        self.assertEqual(self.client.get(reverse("admin:units_unit_changelist")).status_code, 200)
        self.assertEqual(self.client.get(reverse("admin:accounts_user_changelist")).status_code, 403)

    def test_unit_staff_and_viewers_cannot_enter_the_admin(self):
        for user in (self.reporter, self.approver, self.viewer):
            self.login(user)
            with self.assertLogs("baocao06.access", "WARNING"):
                response = self.client.get(reverse("admin:catalogues_service_changelist"))
            self.assertEqual(response.status_code, 403, user)


class ThrottleTests(BaseTestCase):
    def attempt(self, password, address="10.0.0.1", username="btp.cv"):
        return self.client.post(
            reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_five_failures_from_one_address_lock_that_username_there_for_a_while(self):
        for _ in range(5):
            self.assertContains(self.attempt("sai"), "Tên đăng nhập hoặc mật khẩu không đúng.")
        locked = self.attempt(PASSWORD)
        self.assertContains(locked, "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_colleagues_behind_the_same_office_address_are_not_locked_out(self):
        for _ in range(5):
            self.attempt("sai")
        response = self.attempt(PASSWORD, username="hn.cv")
        self.assertEqual(response.status_code, 302)

    def test_the_same_username_from_another_address_still_signs_in(self):
        for _ in range(5):
            self.attempt("sai")
        self.assertEqual(self.attempt(PASSWORD, address="10.0.0.2").status_code, 302)

    def test_guessing_from_many_addresses_locks_the_username(self):
        for index in range(20):
            self.attempt("sai", address=f"10.0.1.{index}")
        self.assertContains(self.attempt(PASSWORD, address="10.0.2.1"), "Đăng nhập sai quá nhiều lần")

    def test_a_success_clears_the_failures_of_that_address(self):
        for _ in range(4):
            self.attempt("sai")
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)
        self.client.post(reverse("accounts:logout"))
        for _ in range(4):
            self.attempt("sai")
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)


class IdleTimeoutTests(BaseTestCase):
    def test_an_idle_session_ends(self):
        self.login(self.reporter)
        url = reverse("reports:detail", args=[self.report.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        session = self.client.session
        session["last_seen"] -= 31 * 60
        session.save()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class AbsoluteTimeoutTests(BaseTestCase):
    """A session ends 8 hours after sign-in however busy it is (the idle timeout is separate)."""

    def test_a_busy_session_still_ends_eight_hours_after_sign_in(self):
        self.client.post(reverse("accounts:login"), {"username": "btp.cv", "password": PASSWORD})
        url = reverse("reports:detail", args=[self.report.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        session = self.client.session
        session["signed_in_at"] -= settings.SESSION_COOKIE_AGE - 60  # 7 h 59 min ago, used a minute ago
        session["last_seen"] = int(time.time()) - 60
        session.save()
        self.assertEqual(self.client.get(url).status_code, 200)
        session = self.client.session
        session["signed_in_at"] -= 61
        session.save()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AuditEvent.objects.get(action="account.signed_out").data, {"reason": "absolute"})

    def test_activity_does_not_push_the_sessions_end_back(self):
        self.client.post(reverse("accounts:login"), {"username": "btp.cv", "password": PASSWORD})
        self.client.get(reverse("reports:list"))
        signed_in = self.client.session["signed_in_at"]
        end = self.client.session.get_expiry_date()
        self.assertAlmostEqual(end.timestamp(), signed_in + settings.SESSION_COOKIE_AGE, delta=5)
        session = self.client.session
        session["last_seen"] -= 120  # the next request writes the session
        session.save()
        self.client.get(reverse("reports:detail", args=[self.report.pk]))
        self.assertNotEqual(self.client.session["last_seen"], session["last_seen"])
        self.assertEqual(self.client.session.get_expiry_date(), end)
        stored = Session.objects.get(session_key=self.client.session.session_key)
        self.assertAlmostEqual(stored.expire_date.timestamp(), end.timestamp(), delta=1)
