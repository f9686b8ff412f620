"""A province's board of its level round costs the same number of queries for 10 and 100 communes."""

from __future__ import annotations

import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao06.reports.models import Report
from baocao06.test import login_client

from .levels import add_lower_units, build_levels


class LevelBoardQueries(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=10)

    def count(self) -> tuple[int, int]:
        login_client(self.client, self.hn_reviewer)
        url = reverse("rounds:board", args=[self.level_round.pk])
        self.client.get(url)  # warm the per-process layout cache
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), len(re.findall(r'href="[^"]*/don-vi/\d+/"', response.content.decode()))

    def test_the_query_count_does_not_grow_with_the_communes(self):
        small, rows_small = self.count()
        more = add_lower_units(self.province, 90, prefix="XM")
        Report.objects.bulk_create([Report(round=self.level_round, unit=u) for u in more])
        large, rows_large = self.count()
        self.assertEqual(rows_small, 11)  # 10 communes and the department
        self.assertEqual(rows_large, 100)  # one page of the board
        self.assertEqual(small, large)
