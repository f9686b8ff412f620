"""Signing in and out, changing a password, and who may enter the catalogue admin."""

from django.conf import settings
from django.urls import reverse

from baocao06.test import PASSWORD, BaseTestCase


class LoginTests(BaseTestCase):
    def test_a_unit_user_signs_in_and_lands_on_the_units_reports(self):
        response = self.client.post(
            reverse("accounts:login"), {"username": "btp.cv", "password": PASSWORD}, follow=True
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("reports:list"))
        self.assertContains(response, self.round.title)

    def test_the_secretariat_lands_on_rounds(self):
        response = self.client.post(reverse("accounts:login"), {"username": "thuky", "password": PASSWORD}, follow=True)
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
            url, {"old_password": PASSWORD, "new_password1": "Đề-án-06-mật-khẩu", "new_password2": "Đề-án-06-mật-khẩu"}
        )
        self.assertRedirects(ok, reverse("accounts:password_change_done"))
        self.reporter.refresh_from_db()
        self.assertTrue(self.reporter.check_password("Đề-án-06-mật-khẩu"))

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
            response = self.client.get(reverse("admin:catalogues_service_changelist"))
            self.assertEqual(response.status_code, 302, user)
