"""The same submission sent 50 times at once with one Idempotency-Key: one version, 50 equal answers."""

import datetime as dt
import json
import threading

from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase
from django.utils import timezone

from baocao06.api.actions import do_create_token
from baocao06.api.models import ApiRole
from baocao06.reports.models import ReportVersion
from baocao06.test import build_world, fill_completely

SENDERS = 50


class ParallelSubmitTests(TransactionTestCase):
    def setUp(self):
        build_world(self)
        fill_completely(self.report, self.reporter)
        _, self.secret = do_create_token(
            name="Cổng",
            unit=self.ministry,
            role=ApiRole.APPROVER,
            expires_at=timezone.now() + dt.timedelta(days=1),
            actor=self.secretariat,
        )

    def test_fifty_parallel_submits_with_one_key_make_one_version(self):
        barrier = threading.Barrier(SENDERS)
        answers = [None] * SENDERS

        def send(index):
            try:
                client = Client()
                barrier.wait()
                response = client.post(
                    f"/api/v1/reports/{self.report.pk}/submit",
                    data=json.dumps({}),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {self.secret}",
                    HTTP_IDEMPOTENCY_KEY="nop-bao-cao-6-thang",
                )
                answers[index] = (response.status_code, response.json())
            except Exception as exc:  # recorded and asserted on below
                answers[index] = exc
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual([a for a in answers if not isinstance(a, tuple)], [])
        self.assertEqual({status for status, _ in answers}, {201})
        self.assertEqual(len({json.dumps(body, sort_keys=True) for _, body in answers}), 1)
        self.assertEqual(ReportVersion.objects.filter(report=self.report).count(), 1)
