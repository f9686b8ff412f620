"""The load test's parts: its data and sessions, its edits, its figures, and the surge's check for lost writes.

The surge runs for real against a live server (two units, a few seconds): the browser's road (session,
CSRF, JSON autosave, the approver's submit form) and the API's (If-Match, Idempotency-Key).
"""

import asyncio

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import TestCase

from baocao06.benchmarks.load import client, setup, surge
from baocao06.catalogues.loading import load_catalogues
from baocao06.reports.models import Report, ReportPart
from baocao06.units.loading import load_units


class FiguresTests(TestCase):
    def test_percentiles_are_nearest_rank(self):
        values = [0.01 * i for i in range(1, 101)]  # 10 ms … 1 s
        self.assertAlmostEqual(client.percentile(values, 0.5), 0.50)
        self.assertAlmostEqual(client.percentile(values, 0.95), 0.95)
        self.assertAlmostEqual(client.percentile(values, 0.99), 0.99)
        self.assertAlmostEqual(client.percentile([0.3], 0.99), 0.3)

    def test_a_stage_counts_errors_and_the_rate_answered(self):
        stage = client.StageResult("api", rate=10, seconds=1)
        stage.samples = [client.Sample(due=i / 10, done=i / 10 + 0.05, status=200, ok=True) for i in range(10)]
        stage.samples[3] = client.Sample(due=0.3, done=0.4, status=503, ok=False)
        self.assertEqual(stage.errors, 1)
        self.assertAlmostEqual(stage.achieved, 9 / 0.95)
        self.assertEqual(stage.statuses(), {200: 9, 503: 1})

    def test_a_stage_holds_its_rate_when_the_answers_keep_up_within_the_latency_target(self):
        def stage(rate, latency, n=1500, status=200):
            result = client.StageResult("browser", rate=rate, seconds=n / rate)
            result.samples = [
                client.Sample(due=i / rate, done=i / rate + latency(i), status=status, ok=status == 200)
                for i in range(n)
            ]
            return result

        kept = stage(150, lambda i: 0.017)
        self.assertLess(kept.achieved, 150)  # 149.7/s: the window's edge, not a shortfall
        self.assertTrue(kept.holds(0.2))
        saturated = stage(200, lambda i: i * 0.0015)  # each answer later than the one before
        self.assertFalse(saturated.holds(60))  # answered well under the offer, whatever the latency allowed
        self.assertFalse(stage(150, lambda i: 0.25).holds(0.2))  # kept up, too slowly
        self.assertFalse(stage(150, lambda i: 0.01, status=503).holds(0.2))  # errors
        self.assertFalse(client.StageResult("api", rate=150, seconds=10).holds(0.2))  # nothing answered

    def test_the_client_keeps_no_cookie_between_requests_and_reads_the_answers(self):
        """A session cookie set on one answer must not ride on the next request (the anonymous /healthz,
        an API save): each request carries its own person's cookies or none. Against a real socket."""
        seen = []

        async def serve(reader, writer):
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = int(
                next((h.split(":")[1] for h in head.split("\r\n") if h.lower().startswith("content-length")), 0)
            )
            body = await reader.readexactly(length)
            cookie = next(
                (h.split(":", 1)[1].strip() for h in head.split("\r\n") if h.lower().startswith("cookie:")), None
            )
            seen.append((head.split(" ")[0], cookie, body))
            if head.startswith("PUT"):  # a chunked answer
                writer.write(b'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nETag: "7"\r\n\r\n')
                writer.write(b'3\r\n{"a\r\n5\r\n": 1}\r\n0\r\n\r\n')
            else:
                payload = b'{"status": "ok"}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\nSet-Cookie: sessionid=abc; Path=/\r\nContent-Length: "
                    + str(len(payload)).encode() + b"\r\n\r\n" + payload
                )  # fmt: skip
            await writer.drain()
            writer.close()

        async def run():
            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            async with client.new_client() as http:
                first = await http.get(f"{base}/healthz")
                await http.get(f"{base}/healthz")
                await http.post(f"{base}/x", data={"a": "b c"}, headers={"Cookie": "sessionid=mine"})
                put = await http.put(f"{base}/y", content='{"k": 1}')
            server.close()
            return first, put

        first, put = asyncio.run(run())
        self.assertEqual((first.status_code, first.json()), (200, {"status": "ok"}))
        self.assertEqual((put.status_code, put.headers["etag"], put.json()), (201, '"7"', {"a": 1}))
        self.assertEqual(
            seen,
            [("GET", None, b""), ("GET", None, b""), ("POST", "sessionid=mine", b"a=b+c"), ("PUT", None, b'{"k": 1}')],
        )

    def test_a_stored_section_is_matched_by_field_name_not_by_order(self):
        """PostgreSQL's jsonb hands a part's fields back in its own order; the surge's check for lost
        writes compared the first field of each and reported sections that were not lost."""
        sent = client.edited({"fields": {"noi_dung": "Đã triển khai", "de_xuat": "Không"}}, 4)
        stored = {"fields": {"de_xuat": "Không", "noi_dung": "Đã triển khai [lần 4]"}}
        self.assertTrue(client.holds(stored, sent))
        self.assertFalse(client.holds({"fields": {"de_xuat": "Không", "noi_dung": "Đã triển khai"}}, sent))

    def test_an_edit_raises_a_total_so_online_stays_below_it(self):
        data = {"rows": [{"key": "A", "values": {"total": "1.200", "online": "1.150"}}]}
        self.assertEqual(client.edited(data, 75)["rows"][0]["values"], {"total": "1.275", "online": "1.150"})
        self.assertEqual(data["rows"][0]["values"]["total"], "1.200")  # the filled copy is kept
        self.assertEqual(client.marker(client.edited(data, 3)), ("A", "1.203"))
        section = {"fields": {"body": "Nội dung.", "other": "x"}}
        self.assertEqual(client.edited(section, 4)["fields"], {"body": "Nội dung. [lần 4]", "other": "x"})


class SetupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_units()
        load_catalogues()
        cls.round, cls.people = setup.build(2, lambda text: None)

    def test_each_unit_gets_a_filled_draft_sessions_and_a_token(self):
        [first, second] = self.people
        report = Report.objects.get(pk=first.report_id)
        self.assertEqual((report.round, report.status), (self.round, "draft"))
        self.assertEqual(set(first.parts), set(report.parts.values_list("key", flat=True)))
        self.assertEqual(len(first.editable), 2)
        self.assertIn("fields", first.parts[first.editable[0]])
        self.assertTrue(any("total" in r["values"] for r in first.parts[first.editable[1]]["rows"]))
        self.assertNotEqual(first.token, second.token)

    def test_the_sessions_are_signed_in_and_the_approver_has_given_the_second_factor(self):
        person = self.people[0]
        for cookies in (person.reporter_cookies, person.approver_cookies):
            self.client.cookies.clear()
            for name, value in cookies.items():
                self.client.cookies[name] = value
            response = self.client.get(f"/bao-cao/{person.report_id}/")
            self.assertEqual(response.status_code, 200)  # not the sign-in page, not the second factor

    def test_revisions_are_read_back_before_the_surge(self):
        """A save a client gave up on may still have been served: the surge starts from what is stored."""
        person = self.people[0]
        key = person.editable[0]
        ReportPart.objects.filter(report_id=person.report_id, key=key).update(revision=person.revisions[key] + 3)
        expected = person.revisions[key] + 3
        setup.refresh_revisions(self.people)
        self.assertEqual(person.revisions[key], expected)

    def test_the_token_may_submit_for_its_unit(self):
        person = self.people[0]
        response = self.client.get(f"/api/v1/reports/{person.report_id}", HTTP_AUTHORIZATION=f"Bearer {person.token}")
        self.assertEqual((response.status_code, response.json()["status"]), (200, "draft"))


class SurgeTests(StaticLiveServerTestCase):
    def test_every_save_and_submission_lands_and_a_lost_write_would_be_found(self):
        load_units()
        load_catalogues()
        _, people = setup.build(2, lambda text: None)
        result = asyncio.run(surge.run(self.live_server_url, people, seconds=3))
        statuses = sorted(s.status for s in result.samples)
        self.assertEqual(statuses, [200] * 20 + [201, 302])  # 10 saves each; the API's 201, the form's 302
        self.assertEqual(result.acknowledged_saves, 20)
        self.assertEqual(surge.check(result, people), [])
        report = Report.objects.get(pk=people[0].report_id)
        self.assertEqual((report.status, report.versions.count()), ("submitted", 1))
        # A part that lost its last save is found.
        part = ReportPart.objects.get(report=report, key=people[0].editable[0])
        part.data = people[0].parts[part.key]
        part.save()
        problems = surge.check(result, people)
        self.assertEqual(problems, [f"{people[0].unit_key}/{part.key}: bản nháp không phải lần lưu cuối"])

    def test_the_apis_trivial_view_answers_a_units_token(self):
        """The API's floor in the load test (`GET /api/v1/token`) is a real, authenticated request."""
        load_units()
        load_catalogues()
        _, people = setup.build(1, lambda text: None)

        async def run(person):
            async with client.new_client() as http:
                return await client.token_check(self.live_server_url, http, person)

        self.assertEqual(asyncio.run(run(people[0])), 200)
        people[0].token += "x"
        self.assertEqual(asyncio.run(run(people[0])), 401)
