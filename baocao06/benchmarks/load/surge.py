"""QUALITY.md's deadline surge: every unit autosaves 10 times and submits inside the window.

Half the units work in the browser (session, CSRF, the JSON autosave of report.js, then the approver's
submit form), half through the API (PUT with If-Match, then submit with an Idempotency-Key). Each
unit's requests follow each other as one person's would (the next waits for the previous answer); their
moments are spread at random over the window. Afterwards the database is read back: every
acknowledged save must be the one stored, every unit must have exactly one submitted version holding
its last saved values, and every save must have its audit event.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import dataclass, field

from . import http
from .client import TIMEOUT, Sample, edited, holds, marker, new_client, save
from .setup import Person

SAVES = 10


@dataclass
class SurgeResult:
    units: int
    seconds: float
    saves: list[Sample] = field(default_factory=list)
    submits: list[Sample] = field(default_factory=list)
    last_sent: dict[int, dict[str, dict]] = field(default_factory=dict)  # report → part → data acknowledged
    acknowledged_saves: int = 0
    problems: list[str] = field(default_factory=list)  # what the check of the database found

    @property
    def samples(self) -> list[Sample]:
        return self.saves + self.submits

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not s.ok)


async def run(base: str, people: list[Person], seconds: float, seed: int = 606) -> SurgeResult:
    result = SurgeResult(len(people), seconds)
    rng = random.Random(seed)
    async with new_client() as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        plans = []
        for index, person in enumerate(people):
            moments = sorted(rng.uniform(0, seconds * 0.85) for _ in range(SAVES))
            submit_at = rng.uniform(moments[-1], seconds)
            road = "browser" if index % 2 == 0 else "api"
            plans.append(_unit(client, base, person, road, [start + m for m in moments], start + submit_at, result))
        await asyncio.gather(*plans)
    return result


async def _unit(client, base, person: Person, road: str, moments: list[float], submit_at: float, result) -> None:
    loop = asyncio.get_running_loop()
    sent = result.last_sent.setdefault(person.report_id, {})
    for n, due in enumerate(moments, 1):
        due = max(due, loop.time())  # one person: the next save waits for the previous answer
        await asyncio.sleep(max(0.0, due - loop.time()))
        part = person.editable[n % len(person.editable)]
        data = edited(person.parts[part], n)
        try:
            status, revision = await asyncio.wait_for(save(client, base, person, part, data, road), TIMEOUT)
        except (TimeoutError, OSError):
            status, revision = 0, None
        result.saves.append(Sample(due, loop.time(), status, status == 200))
        if status == 200:
            person.revisions[part] = revision
            sent[part] = data
            result.acknowledged_saves += 1
    due = max(submit_at, loop.time())
    await asyncio.sleep(max(0.0, due - loop.time()))
    try:
        status = await asyncio.wait_for(_submit(client, base, person, road), TIMEOUT)
    except (TimeoutError, OSError):
        status = 0
    ok = status == 201 if road == "api" else status == 302
    result.submits.append(Sample(due, loop.time(), status, ok))


async def _submit(client: http.Client, base: str, person: Person, road: str) -> int:
    key = uuid.uuid4().hex
    if road == "api":
        response = await client.post(
            f"{base}/api/v1/reports/{person.report_id}/submit",
            content=json.dumps({"revisions": None}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {person.token}",
                "Idempotency-Key": key,
            },
        )
        return response.status_code
    cookies = person.approver_cookies
    response = await client.post(
        f"{base}/bao-cao/{person.report_id}/gui/",
        data={"idempotency_key": key, "csrfmiddlewaretoken": cookies["csrftoken"]},
        headers={"Origin": base, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    if response.status_code == 302 and "/dang-nhap" in response.headers.get("location", ""):
        return 401  # sent to the sign-in page: not a submission
    return response.status_code


def check(result: SurgeResult, people: list[Person], since_event: int = 0) -> list[str]:
    """Read the database back: lost writes, missing or doubled versions, saves without audit events."""
    from baocao06.audit.models import AuditEvent
    from baocao06.reports.models import Report, ReportPart

    problems: list[str] = []
    ids = [p.report_id for p in people]
    reports = {r.pk: r for r in Report.objects.filter(pk__in=ids).select_related("current_version")}
    stored = {(p.report_id, p.key): p.data for p in ReportPart.objects.filter(report_id__in=ids)}
    for person in people:
        report = reports[person.report_id]
        versions = report.versions.count()
        if versions != 1 or report.status != "submitted":
            problems.append(f"{person.unit_key}: {versions} phiên bản, trạng thái {report.status}")
            continue
        content = report.current_version.content
        for part, data in result.last_sent.get(person.report_id, {}).items():
            if not holds(stored.get((person.report_id, part), {}), data):
                problems.append(f"{person.unit_key}/{part}: bản nháp không phải lần lưu cuối")
            if not _in_version(content, part, data):
                problems.append(f"{person.unit_key}/{part}: phiên bản đã gửi thiếu lần lưu cuối")
    audited = AuditEvent.objects.filter(
        action="report.part_saved", object_type="report", object_id__in=[str(i) for i in ids], id__gte=since_event
    ).count()
    if audited != result.acknowledged_saves:
        problems.append(f"{audited} sự kiện nhật ký cho {result.acknowledged_saves} lần lưu được xác nhận")
    result.problems = problems
    return problems


def _in_version(content: dict, part: str, data: dict) -> bool:
    """The submitted content holds the last saved text or figure of the part."""
    want = marker(data)
    if "fields" in data:
        return want in (content.get("sections", {}).get(part, {}).get("fields", {}) or {}).values()
    if want is None:
        return True
    row_key, typed = want
    for row in content.get("tables", {}).get(part, {}).get("rows", []):
        if row.get("key") == row_key:
            return str(row.get("values", {}).get("total")) == typed.replace(".", "")
    return False
