"""A schemathesis run over the API's OpenAPI document, in process against the WSGI application.

Generated requests (valid and invalid) go to every operation with real tokens, against random ids,
the unit's own report and its real part keys; every answer must be a documented status with the
documented JSON shape, and none may be a server error.
"""

import datetime as dt

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from baocao06.api.actions import do_create_token
from baocao06.api.models import ApiRole
from baocao06.test import BaseTestCase

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25


class SchemathesisTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        later = timezone.now() + dt.timedelta(days=30)
        cls.tokens = {
            role: do_create_token(name=role, unit=cls.ministry, role=role, expires_at=later, actor=cls.secretariat)[1]
            for role in (ApiRole.APPROVER, ApiRole.VIEWER)
        }

    def run_operation(self, operation, mode, secret, path_parameters=None):
        strategy = operation.as_strategy(
            generation_mode=mode, headers={"Authorization": f"Bearer {secret}"}, path_parameters=path_parameters
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()

    def setUp(self):
        # Django's WSGI handler closes the database connection after each request; the test client
        # switches that off to keep the test's transaction, and so must an in-process WSGI run.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        self.addCleanup(signals.request_started.connect, close_old_connections)
        self.addCleanup(signals.request_finished.connect, close_old_connections)

    def test_the_api_answers_every_generated_request_as_documented(self):
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        self.fill_completely(self.report, self.reporter, skip={"PL01"})
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertGreaterEqual(len(operations), 8)
        for operation in operations:
            params = {p.name for p in operation.path_parameters}
            fixed = [None]
            if "report_id" in params:
                fixed.append({"report_id": self.report.pk, **({"key": "PL01"} if "key" in params else {})})
                if "key" in params:
                    fixed.append({"report_id": self.report.pk, "key": "I.1"})
            if "round_id" in params:
                fixed.append({"round_id": self.round.pk})
            has_body = len(operation.body) > 0
            runs = [(GenerationMode.POSITIVE, p) for p in fixed]
            # Invalid requests: with a body anything goes; without one only the path can be invalid.
            runs += [(GenerationMode.NEGATIVE, p) for p in (fixed if has_body else [None] if params else [])]
            for mode, path_parameters in runs:
                for secret in self.tokens.values():
                    with self.subTest(operation=operation.label, mode=mode.value, path=path_parameters):
                        self.run_operation(operation, mode, secret, path_parameters)
