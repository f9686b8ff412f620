"""Operators create and revoke API tokens from the command line too."""

from io import StringIO

from django.core.management import CommandError, call_command

from baocao06.api.models import ApiToken
from baocao06.test import BaseTestCase


class TokenCommandTests(BaseTestCase):
    def test_a_token_is_printed_once_works_and_is_revoked(self):
        out, err = StringIO(), StringIO()
        call_command(
            "create_api_token", "P01", "reporter", "--name", "Một cửa", "--user", "thuky", stdout=out, stderr=err
        )
        secret = out.getvalue().strip()
        token = ApiToken.objects.get(unit=self.province)
        self.assertTrue(secret.startswith(f"bc06_{token.prefix}_"))
        self.assertIn("Mã chỉ hiện một lần", err.getvalue())
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        self.assertEqual(self.client.get("/api/v1/rounds", **auth).status_code, 200)
        call_command("revoke_api_token", token.prefix, "--user", "thuky", stdout=StringIO())
        self.assertEqual(self.client.get("/api/v1/rounds", **auth).status_code, 401)

    def test_only_the_secretariat_creates_tokens(self):
        with self.assertRaises(CommandError):
            call_command("create_api_token", "P01", "approver", "--name", "x", "--user", self.reporter.username)
        self.assertFalse(ApiToken.objects.exists())
