"""Every message about a password is in Vietnamese (Django 5.2's "too short" message has no Vietnamese
translation of its own: locale/vi/LC_MESSAGES/django.po adds it)."""

from django.urls import reverse

from baocao06.test import PASSWORD, BaseTestCase


class PasswordMessageTests(BaseTestCase):
    def test_a_too_short_new_password_is_explained_in_vietnamese(self):
        self.login(self.reporter)
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "Ngắn-1", "new_password2": "Ngắn-1"},
        )
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("Mật khẩu quá ngắn: phải có ít nhất 10 ký tự.", body)
        self.assertNotIn("too short", body)
        self.assertNotIn("This password", body)
