"""A unit's own system reads and writes its report through /api/v1 with the browser's rules."""

import datetime as dt
import json
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from baocao06.api.actions import do_create_token, do_revoke_token
from baocao06.api.models import ApiRole
from baocao06.audit.models import AuditEvent
from baocao06.reports.models import PartConflict, ReportVersion
from baocao06.test import BaseTestCase

SERVICE = "DA06-07"


class ApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        later = timezone.now() + dt.timedelta(days=30)
        make = lambda unit, role, name: do_create_token(  # noqa: E731
            name=name, unit=unit, role=role, expires_at=later, actor=cls.secretariat
        )
        cls.reporter_token, cls.reporter_secret = make(cls.ministry, ApiRole.REPORTER, "Hệ thống Bộ Tư pháp")
        cls.approver_token, cls.approver_secret = make(cls.ministry, ApiRole.APPROVER, "Cổng Bộ Tư pháp")
        cls.other_token, cls.other_secret = make(cls.other_province, ApiRole.APPROVER, "Hệ thống TP.HCM")
        cls.viewer_token, cls.viewer_secret = make(cls.ministry, ApiRole.VIEWER, "Kho dữ liệu")

    def call(self, method, path, secret=None, body=None, **headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if secret:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs, **extra)

    def part_url(self, key, report=None):
        return f"/reports/{(report or self.report).pk}/parts/{key}"


class ReadingTests(ApiTestCase):
    def test_a_token_lists_the_rounds_of_its_unit(self):
        response = self.call("get", "/rounds", self.reporter_secret)
        self.assertEqual(response.status_code, 200)
        [item] = response.json()
        self.assertEqual(
            (item["id"], item["report_id"], item["report_status"]), (self.round.pk, self.report.pk, "not_started")
        )

    def test_the_definition_slice_holds_only_what_addresses_the_unit(self):
        body = self.call("get", f"/reports/{self.report.pk}/definition", self.reporter_secret).json()
        sections = {s["key"]: s for s in body["sections"]}
        self.assertTrue(sections["II.3.3.5"]["is_part"])
        self.assertNotIn("II.1.4", sections)  # provinces only
        pl03 = next(t for t in body["tables"] if t["key"] == "PL03")
        rows = [r["key"] for g in pl03["groups"] for r in g["rows"]]
        self.assertIn(SERVICE, rows)
        self.assertNotIn("DA06-03", rows)
        rate = next(c for c in pl03["columns"] if c["key"] == "rate")
        self.assertEqual((rate["formula"], rate["input"]), ("ratio(online, total)", False))

    def test_a_part_is_read_with_its_etag(self):
        response = self.call("get", self.part_url("PL03"), self.reporter_secret)
        self.assertEqual((response.status_code, response["ETag"]), (200, '"0"'))
        self.assertEqual(response.json()["revision"], 0)


class WritingTests(ApiTestCase):
    def put(self, key, data, if_match=None, secret=None):
        headers = {"If-Match": if_match} if if_match is not None else {}
        return self.call("put", self.part_url(key), secret or self.reporter_secret, {"data": data}, **headers)

    def test_a_write_with_the_current_etag_is_stored_and_audited(self):
        data = {"rows": [{"key": SERVICE, "values": {"total": "1.000", "online": 703}}]}
        response = self.put("PL03", data, '"0"')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["ETag"], '"1"')
        body = response.json()
        row = next(r for r in body["values"]["rows"] if r["key"] == SERVICE)
        self.assertEqual((row["values"]["total"], row["values"]["rate"]), (1000, 70.3))
        self.assertEqual(self.report.parts.get(key="PL03").data["rows"][0]["values"], {"total": "1.000", "online": 703})
        event = AuditEvent.objects.get(action="report.part_saved")
        self.assertEqual((event.actor, event.data["source"]), (self.reporter_token.user, "api"))
        self.assertEqual(event.actor_label, f"api-{self.reporter_token.prefix}")

    def test_a_missing_if_match_is_428_and_a_stale_one_412(self):
        self.assertEqual(self.put("I.1", {"fields": {"body": "x"}}).status_code, 428)
        self.assertEqual(self.put("I.1", {"fields": {"body": "bản một"}}, '"0"').status_code, 200)
        stale = self.put("I.1", {"fields": {"body": "bản cũ"}}, '"0"')
        self.assertEqual(stale.status_code, 412)
        self.assertEqual(stale["ETag"], '"1"')
        self.assertEqual(stale.json()["current"]["data"]["fields"]["body"], "bản một")
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "bản một")
        self.assertEqual(PartConflict.objects.get().data["fields"]["body"], "bản cũ")  # kept, not lost
        self.assertEqual(self.put("I.1", {"fields": {"body": "?"}}, "rubbish").status_code, 412)

    def test_a_retry_whose_answer_was_lost_succeeds_and_writes_nothing_new(self):
        for key, data in (
            ("I.1", {"fields": {"body": "Gửi lại vì mất kết nối"}}),
            ("PL03", {"rows": [{"key": SERVICE, "values": {"total": "1.000", "online": 703}}]}),
        ):
            with self.subTest(key=key):
                first = self.put(key, data, '"0"')
                retry = self.put(key, data, '"0"')  # the same If-Match and body: the first answer was lost
                self.assertEqual((first.status_code, retry.status_code), (200, 200), retry.content)
                self.assertEqual((first["ETag"], retry["ETag"]), ('"1"', '"1"'))
                self.assertEqual((retry.json()["revision"], retry.json()["changed"]), (1, False))
                self.assertEqual(self.report.parts.get(key=key).revision, 1)
                self.assertEqual(AuditEvent.objects.filter(action="report.part_saved", data__part=key).count(), 1)
        self.assertFalse(PartConflict.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="report.edit_refused").exists())
        # Different content on the same old ETag is still someone else's edit being overwritten: 412.
        self.assertEqual(self.put("I.1", {"fields": {"body": "Nội dung khác"}}, '"0"').status_code, 412)

    def test_problems_name_the_place_as_the_report_page_does(self):
        data = {"rows": [{"key": SERVICE, "values": {"total": "100", "online": "120"}}]}
        [problem] = self.put("PL03", data, "*").json()["problems"]
        self.assertEqual(problem["place"], "PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»")
        self.assertEqual(problem["message"], "Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ.")

    def test_a_malformed_body_is_a_json_422(self):
        response = self.call(
            "put", self.part_url("I.1"), self.reporter_secret, {"data": {"fields": 3}}, **{"If-Match": '"0"'}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["code"], "invalid_request")

    def test_a_table_body_is_validated_once_with_the_same_errors(self):
        """schemas._Input: each row is validated once (not once per level above it), and the errors
        name the same places as django-ninja's own validator did."""
        from ninja.schema import DjangoGetter

        from baocao06.api.schemas import PartIn

        rows = [{"key": f"r{i}", "values": {"total": "1"}} for i in range(25)]
        with mock.patch.object(DjangoGetter, "__init__", autospec=True, side_effect=DjangoGetter.__init__) as getter:
            self.assertEqual(len(PartIn.model_validate({"data": {"rows": rows}}).data.rows), 25)
        self.assertEqual(getter.call_count, 1)  # PartIn's own: no table or row read a second time
        bad = {"data": {"rows": [{"key": SERVICE, "values": {"total": {"x": 1}}, "extra": 1}]}}
        response = self.call("put", self.part_url("PL03"), self.reporter_secret, bad, **{"If-Match": '"0"'})
        self.assertEqual(response.status_code, 422)
        self.assertIn(
            {
                "type": "extra_forbidden",
                "loc": "('body', 'payload', 'data', 'function-wrap[_run_root_validator()]', 'rows', 0, 'extra')",
                "msg": "Extra inputs are not permitted",
            },
            [{k: e[k] for k in ("type", "loc", "msg")} for e in response.json()["detail"]],
        )

    def test_a_viewer_token_cannot_write(self):
        response = self.put("I.1", {"fields": {"body": "x"}}, '"0"', secret=self.viewer_secret)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.report.parts.exists())


class SubmissionTests(ApiTestCase):
    def submit(self, key="k-1", body=None, secret=None):
        headers = {"Idempotency-Key": key} if key else {}
        return self.call(
            "post", f"/reports/{self.report.pk}/submit", secret or self.approver_secret, body or {}, **headers
        )

    def test_submission_needs_the_approver_role_and_a_key(self):
        self.fill_completely(self.report, self.reporter)
        self.assertEqual(self.submit(secret=self.reporter_secret).status_code, 403)
        self.assertEqual(self.submit(key=None).status_code, 400)
        self.assertFalse(ReportVersion.objects.exists())

    def test_a_replay_returns_the_same_version_and_another_body_is_refused(self):
        self.fill_completely(self.report, self.reporter)
        first = self.submit()
        self.assertEqual(first.status_code, 201, first.content)
        again = self.submit()
        self.assertEqual((again.status_code, again.json()), (201, first.json()))
        self.assertEqual(ReportVersion.objects.count(), 1)
        revisions = dict(self.report.parts.values_list("key", "revision"))
        other = self.submit(body={"revisions": revisions})
        self.assertEqual((other.status_code, other.json()["code"]), (422, "idempotency_key_reused"))
        self.assertEqual(ReportVersion.objects.count(), 1)
        event = AuditEvent.objects.get(action="report.submitted")
        self.assertEqual((event.actor, event.data["source"]), (self.approver_token.user, "api"))

    def test_submitting_with_old_revisions_is_412(self):
        self.fill_completely(self.report, self.reporter)
        revisions = {**dict(self.report.parts.values_list("key", "revision")), "I.1": 0}
        response = self.submit(body={"revisions": revisions})
        self.assertEqual((response.status_code, response.json()["code"]), (412, "stale_revisions"))

    def test_an_incomplete_report_is_refused_with_every_problem(self):
        response = self.submit()
        self.assertEqual(response.status_code, 422)
        places = [p["place"] for p in response.json()["problems"]]
        self.assertIn("PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»", places)

    def test_status_shows_the_version(self):
        self.fill_completely(self.report, self.reporter)
        self.submit()
        body = self.call("get", f"/reports/{self.report.pk}", self.approver_secret).json()
        self.assertEqual((body["status"], body["versions"][0]["number"], body["editable"]), ("submitted", 1, False))


class TokenTests(ApiTestCase):
    def test_a_token_of_another_unit_reads_and_writes_nothing(self):
        with self.assertLogs("baocao06.access", "WARNING"):
            for method, path, body in [
                ("get", f"/reports/{self.report.pk}", None),
                ("get", f"/reports/{self.report.pk}/definition", None),
                ("get", self.part_url("I.1"), None),
                ("put", self.part_url("I.1"), {"data": {"fields": {"body": "x"}}}),
                ("post", f"/reports/{self.report.pk}/check", None),
                ("post", f"/reports/{self.report.pk}/submit", {}),
            ]:
                response = self.call(method, path, self.other_secret, body, **{"If-Match": "*", "Idempotency-Key": "k"})
                self.assertEqual((response.status_code, response.json()["code"]), (404, "not_found"), path)
        self.assertFalse(self.report.parts.exists())

    def test_missing_malformed_expired_and_revoked_tokens_are_refused(self):
        self.assertEqual(self.call("get", "/rounds").status_code, 401)
        self.assertEqual(self.call("get", "/rounds", "bc06_nothing_here").status_code, 401)
        self.assertEqual(self.call("get", "/rounds", self.reporter_secret + "x").status_code, 401)
        do_revoke_token(self.reporter_token, actor=self.secretariat)
        response = self.call("get", "/rounds", self.reporter_secret)
        self.assertEqual((response.status_code, response["WWW-Authenticate"]), (401, 'Bearer realm="baocao06"'))
        self.approver_token.expires_at = timezone.now() - dt.timedelta(seconds=1)
        self.approver_token.save()
        self.assertEqual(self.call("get", "/rounds", self.approver_secret).status_code, 401)
        self.assertTrue(AuditEvent.objects.filter(action="api_token.revoked").exists())

    def test_a_token_tells_its_unit_role_and_expiry_in_one_query(self):
        self.call("get", "/token", self.viewer_secret)  # marks the token used (one write a minute)
        with self.assertNumQueries(1):  # the token, its unit and user
            response = self.call("get", "/token", self.viewer_secret)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["unit"], body["role"]), (self.ministry.key, "viewer"))
        expires = dt.datetime.fromisoformat(body["expires_at"])  # JSON keeps milliseconds
        self.assertLess(abs(expires - self.viewer_token.expires_at), dt.timedelta(milliseconds=1))
        self.assertEqual(self.call("get", "/token").status_code, 401)
        do_revoke_token(self.viewer_token, actor=self.secretariat)
        self.assertEqual(self.call("get", "/token", self.viewer_secret).status_code, 401)

    def test_a_token_never_opens_a_browser_session(self):
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.reporter_secret}"}
        page = self.client.get(reverse("reports:detail", args=[self.report.pk]), **auth)
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("accounts:login"), page["Location"])
        api = self.client.get("/api/v1/rounds", **auth)
        self.assertEqual(api.status_code, 200)
        self.assertNotIn("sessionid", api.cookies)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(self.reporter_token.user.is_active)
        self.assertFalse(self.reporter_token.user.has_usable_password())
        self.assertFalse(self.client.login(username=self.reporter_token.user.username, password=""))

    def test_a_browser_session_does_not_open_the_api(self):
        self.login(self.reporter)
        self.assertEqual(self.client.get("/api/v1/rounds").status_code, 401)

    def test_only_a_hash_of_the_secret_is_stored(self):
        self.assertNotIn(self.reporter_secret, self.reporter_token.token_hash)
        self.assertEqual(len(self.reporter_token.token_hash), 64)
        self.assertTrue(self.reporter_secret.startswith(f"bc06_{self.reporter_token.prefix}_"))


class NationalTests(ApiTestCase):
    def test_a_viewer_token_reads_the_national_tables(self):
        self.fill_completely(self.province_report, self.province_reporter)
        from baocao06.compilation.engine import compile_round
        from baocao06.reports.actions import do_submit_report

        do_submit_report(self.province_report, actor=self.province_approver)
        content = self.province_report.versions.get().content["tables"]["PL03"]["rows"]
        expected = next(r for r in content if r["key"] == SERVICE)["values"]["total"]
        url = f"/rounds/{self.round.pk}/national"
        response = self.call("get", url, self.viewer_secret)
        self.assertEqual((response.status_code, response.json()["code"]), (404, "not_compiled"))

        response = self.call("get", url + "?live=true", self.viewer_secret)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["snapshot"])
        pl03 = next(t for t in response.json()["national"]["services"] if t["table"] == "PL03")
        row = next(r for r in pl03["rows"] if r["key"] == SERVICE)
        self.assertEqual((row["values"]["total"], row["units"]), (expected, 1))

        snapshot = compile_round(self.round, provisional=True)
        response = self.call("get", url, self.viewer_secret)
        self.assertEqual(response.json()["snapshot"]["content_hash"], snapshot.content_hash)
        self.assertEqual(response.json()["national"], snapshot.data)
        self.assertEqual(self.call("get", url, self.reporter_secret).status_code, 403)


class DocumentTests(ApiTestCase):
    def test_the_openapi_document_and_the_docs_page_are_served_without_a_cdn(self):
        document = self.client.get("/api/v1/openapi.json")
        self.assertEqual(document.status_code, 200)
        paths = document.json()["paths"]
        self.assertIn("/api/v1/reports/{report_id}/parts/{key}", paths)
        page = self.client.get("/api/v1/docs").content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", page)
        self.assertNotIn("cdn.", page)

    def test_the_secretariat_creates_a_token_in_the_admin_and_sees_it_once(self):
        self.login(self.secretariat)
        expires = (timezone.localtime() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
        response = self.client.post(
            reverse("admin:api_apitoken_add"),
            {
                "name": "Hệ thống một cửa",
                "unit": self.province.pk,
                "role": ApiRole.REPORTER,
                "expires_at_0": expires,
                "expires_at_1": "08:00:00",
            },
        )
        self.assertEqual(response.status_code, 200, response.content.decode()[:2000])
        body = response.content.decode()
        self.assertIn("Mã chỉ hiện một lần", body)
        secret = body.split('id="api-token-secret"')[0].rsplit('value="', 1)[1].split('"')[0]
        self.assertEqual(self.call("get", "/rounds", secret).json()[0]["report_id"], self.province_report.pk)
        self.assertEqual(AuditEvent.objects.filter(action="api_token.created", unit=self.province).count(), 1)
