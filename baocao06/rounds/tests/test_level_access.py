"""The access matrix of level rounds, generated from every URL pattern and API route.

Each pattern that names a report or a round is requested, for a report and the level round of Hà Nội,
by five people: a commune of Hà Nội, a commune of TP.HCM, Hà Nội's reviewer, TP.HCM's reviewer and the
Secretariat. Outsiders get 403 or 404 from every one of them, by every method the view accepts, and each
refusal is logged; insiders get the pages they are meant to have.
"""

from __future__ import annotations

import datetime as dt
import re

from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from baocao06.api.actions import do_create_token
from baocao06.api.models import ApiRole
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import anchor_for, do_add_comment
from baocao06.review.explanations import do_request_explanation
from baocao06.test import fill_completely, login_client

from .levels import build_levels

OBJECT_PARAMS = {"report_id", "round_id"}
# Parameters naming objects that are not a unit's (national snapshots, files, jobs, definitions): those
# patterns are the Secretariat's and viewers' and are covered by their own tests.
NATIONAL_PARAMS = {"job_id", "snapshot_id", "file_id", "generation_id", "definition_id", "draft_id", "pk", "object_id"}


def patterns(resolver=None, prefix=""):
    """(namespaced name, parameter names) of every named URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (
                f"{prefix}{entry.name}",
                set(entry.pattern.converters) or set(re.findall(r"\(\?P<(\w+)>", str(entry.pattern))),
            )


class LevelAccessMatrix(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=2)
        fill_completely(cls.commune_report, cls.commune_reporter)
        do_submit_report(cls.commune_report, actor=cls.commune_approver)
        cls.comment = do_add_comment(
            cls.commune_report, actor=cls.hn_reviewer, body="Kiểm tra lại", anchor=anchor_for(cls.commune_report)
        )
        cls.explanation, _ = do_request_explanation(cls.commune_report, actor=cls.hn_reviewer)
        cls.people = {
            "commune": cls.commune_reporter,
            "other_commune": cls.other_commune_reporter,
            "province": cls.hn_reviewer,
            "other_province": cls.other_reviewer,
            "secretariat": cls.secretariat,
        }

    def values(self) -> dict:
        return {
            "report_id": self.commune_report.pk,
            "round_id": self.level_round.pk,
            "comment_id": self.comment.pk,
            "request_id": self.explanation.pk,
            "old": 1,
            "new": 1,
            "number": 1,
            "conflict_id": 1,
            "key": "DV",
            "fmt": "csv",
            "name": "tien-do",
        }

    def urls(self):
        values = self.values()
        found = []
        for name, params in patterns():
            if not params & OBJECT_PARAMS or params & NATIONAL_PARAMS or name.startswith("admin:"):
                continue
            if name.startswith("api-") or "api" in name.split(":")[0]:
                continue  # the API is requested with tokens below
            missing = params - set(values)
            self.assertFalse(missing, f"{name}: no sample value for {missing}")
            found.append((name, reverse(name, kwargs={p: values[p] for p in params})))
        self.assertGreater(len(found), 20)
        return found

    def request(self, url):
        response = self.client.get(url)
        if response.status_code == 405:
            response = self.client.post(url, {})
        return response

    def test_outsiders_get_403_or_404_everywhere_and_each_refusal_is_logged(self):
        for who in ("other_commune", "other_province"):
            login_client(self.client, self.people[who])
            for name, url in self.urls():
                with self.subTest(who=who, url=name), self.assertLogs("baocao06.access", "WARNING") as logs:
                    response = self.request(url)
                    self.assertIn(response.status_code, (403, 404), f"{who} {name} {url}")
                self.assertTrue(any("access denied" in line for line in logs.output))

    def test_the_province_secretariat_and_commune_get_what_they_are_meant_to(self):
        expected = {
            # (pattern, person): status
            ("reports:detail", "commune"): 200,
            ("reports:detail", "province"): 200,
            ("reports:detail", "secretariat"): 200,
            ("rounds:board", "commune"): 403,
            ("rounds:board", "province"): 200,
            ("rounds:board", "secretariat"): 200,
            ("rounds:followup", "commune"): 403,
            ("rounds:followup", "province"): 200,
            # The Secretariat reads a level round; the province reviews and follows it up.
            ("rounds:followup", "secretariat"): 403,
            ("review:review", "commune"): 403,
            ("review:review", "province"): 200,
            ("review:review", "secretariat"): 403,
            ("rounds:board_export", "province"): 200,
            ("rounds:board_export", "commune"): 403,
            ("rounds:overdue_tasks", "province"): 200,
            ("review:compare", "province"): 200,
            # The national drill-down from a province to its communes: Secretariat and viewers only.
            ("compilation:level_figures", "secretariat"): 200,
            ("compilation:level_figures", "province"): 403,
            ("compilation:level_figures", "commune"): 403,
        }
        urls = dict(self.urls())
        got = {}
        for (name, who), _status in expected.items():
            login_client(self.client, self.people[who])
            got[(name, who)] = self.client.get(urls[name]).status_code
        self.assertEqual(got, expected)

    def test_no_request_from_anyone_fails_with_a_server_error(self):
        for who, user in self.people.items():
            login_client(self.client, user)
            for name, url in self.urls():
                with self.subTest(who=who, url=name):
                    self.assertLess(self.client.get(url).status_code, 500)

    def test_api_tokens_reach_only_their_own_units_report(self):
        tokens = {}
        units = {
            "commune": self.commune,
            "other_commune": self.other_communes[0],
            "province": self.province,
            "other_province": self.other_province,
        }
        for who, unit in units.items():
            _, tokens[who] = do_create_token(
                name=who,
                unit=unit,
                role=ApiRole.APPROVER,
                expires_at=timezone.now() + dt.timedelta(days=30),
                actor=self.secretariat,
            )
        routes = [
            f"/api/v1/reports/{self.commune_report.pk}",
            f"/api/v1/reports/{self.commune_report.pk}/definition",
            f"/api/v1/reports/{self.commune_report.pk}/parts/DV",
        ]
        for who, token in tokens.items():
            for route in routes:
                with self.subTest(who=who, route=route):
                    response = self.client.get(route, HTTP_AUTHORIZATION=f"Bearer {token}")
                    self.assertEqual(response.status_code, 200 if who == "commune" else 404)
            response = self.client.get(
                f"/api/v1/rounds/{self.level_round.pk}/national", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            self.assertEqual(response.status_code, 403, who)
