"""The report workflow is enforced on the server: every legal transition works through HTTP, every
illegal one is refused and leaves the report exactly as it was.

Two tests: the whole table (every action from every state, open and closed round), and a
property-based exploration (hypothesis) of random sequences of actions by the right and the wrong
people, checked after each step against a model written independently of `reports.workflow`.
"""

import itertools
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from baocao06.definitions.loading import store_definition
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.reports.models import Report
from baocao06.review.actions import do_accept_report, do_add_comment, do_return_report
from baocao06.review.anchors import Anchor
from baocao06.rounds.actions import do_close_round
from baocao06.test import BaseTestCase, login_client, open_test_round

MINI = Path(settings.BASE_DIR) / "baocao06" / "definitions" / "tests" / "fixtures" / "mini.yaml"
STATES = ["not_started", "draft", "submitted", "returned", "accepted"]
ACTIONS = ["save", "submit", "accept", "return", "reopen"]

# The expected workflow, written here independently of reports/workflow.py: (action, state) → new state.
LEGAL = {
    ("save", "not_started"): "draft",
    ("save", "draft"): "draft",
    ("save", "returned"): "returned",
    ("submit", "draft"): "submitted",
    ("submit", "returned"): "submitted",
    ("accept", "submitted"): "accepted",
    ("return", "submitted"): "returned",
    ("reopen", "accepted"): "returned",
}
# In a closed round only reviewing what was sent goes on.
LEGAL_WHEN_CLOSED = {("accept", "submitted")}
TEXT = {"fields": {"body": "Tình hình ổn định."}}
FIGURES = {"rows": [{"key": "s2", "values": {"total": "100", "online": "70"}}]}


class WorkflowCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        definition, _ = store_definition(MINI.read_text(encoding="utf-8"))
        cls.mini_round = open_test_round(definition, [cls.ministry], actor=cls.secretariat, title="Kỳ thử quy trình")
        cls.mini_report = Report.objects.get(round=cls.mini_round)

    def clients(self):
        people = {
            "reporter": self.reporter,
            "approver": self.approver,
            "secretariat": self.secretariat,
            "viewer": self.viewer,
            "outsider": self.outsider,
        }
        clients = {}
        for name, user in people.items():
            clients[name] = Client()
            login_client(clients[name], user)
        return clients

    # --- one action through HTTP, by the person who may do it (or by `who`) --------------------

    def act(self, clients, action, who=None, report=None):
        report = report or self.mini_report
        if action == "save":
            part = report.parts.filter(key="I.1").first()
            body = {"base_revision": part.revision if part else 0, "data": TEXT if part is None else _edited(part)}
            return clients[who or "reporter"].post(
                reverse("reports:save_part", args=[report.pk, "I.1"]), json.dumps(body), content_type="application/json"
            )
        if action == "submit":
            url = reverse("reports:submit", args=[report.pk])
            return clients[who or "approver"].post(url, {"idempotency_key": uuid.uuid4().hex})
        url = reverse(f"review:{action}", args=[report.pk])
        data = {"message": "Đề nghị bổ sung.", "reason": "Cập nhật số liệu."}
        return clients[who or "secretariat"].post(url, data)

    def snapshot(self, report=None):
        report = Report.objects.get(pk=(report or self.mini_report).pk)
        return (
            report.status,
            report.versions.count(),
            report.current_version_id,
            sorted(report.parts.values_list("key", "revision")),
            report.comments.filter(published_at__isnull=False).count(),
        )

    def bring_to(self, state):
        """Put the mini report in `state` through the actions (complete, so that it can be submitted)."""
        report = self.mini_report
        if state == "not_started":
            return
        do_save_part(report, "I.1", TEXT, base_revision=0, actor=self.reporter)
        do_save_part(report, "T2", FIGURES, base_revision=0, actor=self.reporter)
        if state == "draft":
            return
        do_submit_report(report, actor=self.approver)
        if state == "returned":
            do_add_comment(report, actor=self.secretariat, body="Sửa mục I.1", anchor=Anchor())
            do_return_report(report, actor=self.secretariat)
        elif state == "accepted":
            do_accept_report(report, actor=self.secretariat)


def _edited(part):
    body = part.data["fields"]["body"]
    return {"fields": {"body": body + " Thêm."}}


class TransitionTableTests(WorkflowCase):
    def test_every_action_from_every_state_in_an_open_and_a_closed_round(self):
        for closed, state, action in itertools.product([False, True], STATES, ACTIONS):
            with self.subTest(closed=closed, state=state, action=action), transaction.atomic():
                self.bring_to(state)
                if closed:
                    do_close_round(self.mini_round, actor=self.secretariat)
                before = self.snapshot()
                self.assertEqual(before[0], state)
                response = self.act(self.clients(), action)
                after = self.snapshot()
                legal = (action, state) in (LEGAL_WHEN_CLOSED if closed else LEGAL)
                if legal:
                    self.assertEqual(after[0], LEGAL[(action, state)], response.status_code)
                    self.assertIn(response.status_code, (200, 302))
                else:
                    self.assertEqual(after, before)
                    self.assertIn(response.status_code, (302, 403, 409, 422))
                transaction.set_rollback(True)

    def test_the_wrong_people_are_refused_whatever_the_state(self):
        wrong = {
            "save": ["secretariat", "viewer", "outsider"],
            "submit": ["reporter", "secretariat", "viewer", "outsider"],
            "accept": ["reporter", "approver", "viewer", "outsider"],
            "return": ["reporter", "approver", "viewer", "outsider"],
            "reopen": ["reporter", "approver", "viewer", "outsider"],
        }
        for state in STATES:
            with transaction.atomic():
                self.bring_to(state)
                clients = self.clients()
                before = self.snapshot()
                for action, people in wrong.items():
                    for who in people:
                        with self.subTest(state=state, action=action, who=who):
                            response = self.act(clients, action, who)
                            self.assertIn(response.status_code, (403, 404))
                            self.assertEqual(self.snapshot(), before)
                transaction.set_rollback(True)


PEOPLE = ["reporter", "approver", "secretariat", "viewer", "outsider"]
RIGHT = {"save": {"reporter", "approver"}, "submit": {"approver"}}  # the rest: the Secretariat
# Each step is one of these moves; the right person acting is listed more often than the wrong one.
MOVES = (
    [("save_text", None), ("save_figures", None), ("submit", None)] * 3
    + [("accept", None), ("return", None), ("reopen", None)] * 4
    + [(action, who) for action in ACTIONS for who in PEOPLE if who not in RIGHT.get(action, {"secretariat"})]
    + [("close_round", None)]
)


class WorkflowMachine(RuleBasedStateMachine):
    """Random sequences of moves by the right and the wrong people; after each, the report is what
    the model says, and a refused move changed nothing."""

    case: WorkflowCase  # set by the test
    seen: dict  # (action, state, legal) → how often, across all examples

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clients = self.case.clients()
        self.state = "not_started"
        self.text = self.figures = False
        self.closed = False

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(state=st.sampled_from(STATES))
    def start(self, state):
        self.case.bring_to(state)
        self.state = state
        self.text = self.figures = state != "not_started"

    def _legal(self, action) -> bool:
        if self.closed and action != "accept":
            return False
        if action == "submit" and not (self.text and self.figures):
            return False  # refused for its content: the same "nothing changes" applies
        return (action, self.state) in LEGAL

    def _save_figures(self):
        part = self.case.mini_report.parts.filter(key="T2").first()
        return self.clients["reporter"].post(
            reverse("reports:save_part", args=[self.case.mini_report.pk, "T2"]),
            json.dumps({"base_revision": part.revision if part else 0, "data": FIGURES}),
            content_type="application/json",
        )

    @rule(move=st.sampled_from(MOVES))
    def step(self, move):
        name, who = move
        if name == "close_round":
            url = reverse("rounds:close", args=[self.case.mini_round.pk])
            assert self.clients["secretariat"].post(url, {"confirm": "1"}).status_code == 302
            self.closed = True
            return
        action = "save" if name.startswith("save") else name
        before = self.case.snapshot()
        if who is not None:
            response = self.case.act(self.clients, action, who)
            assert response.status_code in (403, 404), (action, who, response.status_code)
            assert self.case.snapshot() == before, (action, who)
            return
        if name == "save_figures" and self.figures:
            return  # the same content again writes nothing: not a transition
        response = self._save_figures() if name == "save_figures" else self.case.act(self.clients, action)
        legal = self._legal(action)
        self.seen[(action, self.state, legal)] = self.seen.get((action, self.state, legal), 0) + 1
        after = self.case.snapshot()
        if legal:
            assert response.status_code in (200, 302), (action, self.state, response.status_code)
            self.state = LEGAL[(action, self.state)]
            assert after[0] == self.state, (action, after[0], self.state)
            self.text |= name == "save_text"
            self.figures |= name == "save_figures"
        else:
            assert after == before, (action, self.state, before, after)
            assert response.status_code in (302, 409, 422), (action, self.state, response.status_code)

    @invariant()
    def status_is_the_models(self):
        assert Report.objects.get(pk=self.case.mini_report.pk).status == self.state


class WorkflowPropertyTests(WorkflowCase):
    def test_random_sequences_of_actions_follow_the_workflow(self):
        WorkflowMachine.case = self
        WorkflowMachine.seen = {}
        run_state_machine_as_test(
            WorkflowMachine,
            settings=hsettings(
                max_examples=60,
                stateful_step_count=12,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
        # The exploration went through most legal transitions and many refusals, in long histories
        # (the table test above has every single transition; this one checks sequences of them).
        legal = {(a, s) for a, s, ok in WorkflowMachine.seen if ok}
        refused = {(a, s) for a, s, ok in WorkflowMachine.seen if not ok}
        self.assertGreaterEqual(len(legal), 6, sorted(legal))
        self.assertLessEqual(legal, set(LEGAL))
        self.assertGreaterEqual(len(refused), 12, sorted(refused))
