"""A fresh install gets its first Secretariat account from a command (README, "A fresh install"):
the password asked twice without echo and checked, refused once a Secretariat account exists, audited."""

from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from baocao06.accounts.models import GlobalRole, User
from baocao06.audit.models import AuditEvent

GOOD = "Sông Hồng chảy qua bến Chương Dương lúc rạng đông"


def create(*passwords, username="thuky", **options):
    out = StringIO()
    with mock.patch("baocao06.accounts.management.commands.create_secretariat.getpass", side_effect=passwords):
        call_command("create_secretariat", username, stdout=out, **options)
    return out.getvalue()


class FirstSecretariatTests(TestCase):
    def test_it_creates_the_first_secretariat_account_and_audits_it(self):
        out = create(GOOD, GOOD, full_name="Nguyễn Văn A", email="thuky@example.gov.vn")
        user = User.objects.get(username="thuky")
        self.assertEqual(
            (user.global_role, user.full_name, user.email),
            (GlobalRole.SECRETARIAT, "Nguyễn Văn A", "thuky@example.gov.vn"),
        )
        self.assertTrue(user.check_password(GOOD))
        self.assertTrue(user.is_secretariat)
        self.assertIn("xác thực hai lớp", out)
        event = AuditEvent.objects.get(action="account.first_secretariat_created")
        self.assertEqual((event.object_id, event.data["username"]), (str(user.pk), "thuky"))
        self.assertNotIn(GOOD, str(event.data) + str(event.changes))

    def test_there_is_no_second_first_account(self):
        create(GOOD, GOOD)
        with self.assertRaisesMessage(CommandError, "Đã có tài khoản Thư ký Tổ công tác"):
            create(GOOD, GOOD, username="thuky2")
        self.assertFalse(User.objects.filter(username="thuky2").exists())

    def test_passwords_that_differ_or_are_weak_are_refused(self):
        with self.assertRaisesMessage(CommandError, "không giống nhau"):
            create(GOOD, GOOD + "x")
        with self.assertRaisesMessage(CommandError, "Mật khẩu quá ngắn"):
            create("ngắn", "ngắn")
        with self.assertRaisesMessage(CommandError, "quá phổ biến"):
            create("password123", "password123")
        self.assertFalse(User.objects.exists())
        self.assertFalse(AuditEvent.objects.exists())
