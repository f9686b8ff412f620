"""An open-loop HTTP client for the load test: fixed arrival rates, latency from the scheduled moment.

Each request is due at `start + i / rate` whether or not the server has answered the previous ones;
its latency runs from that moment to the answer, so a server falling behind shows as latency, not as a
lower rate quietly offered (coordinated omission). A virtual person (one unit's page or system) has at
most one request in flight, as report.js saves one part at a time; a request waits for an idle person.
"""

from __future__ import annotations

import asyncio
import copy
import json
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from . import http
from .setup import Person

TIMEOUT = 15.0  # seconds; a request still unanswered then counts as an error


@dataclass
class Sample:
    due: float  # scheduled moment (monotonic seconds)
    done: float
    status: int  # HTTP status, 0 for a transport error or a timeout
    ok: bool

    @property
    def latency(self) -> float:
        return self.done - self.due


@dataclass
class StageResult:
    """One stage: what was offered, what was achieved, the latency distribution and the errors."""

    name: str
    rate: float
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    cpu: float = 0.0  # the server workers' CPU seconds per request during the stage
    client_cpu: float = 0.0  # this process's (the client's) CPU seconds per request
    machine: float = 0.0  # CPUs busy on the whole machine during the stage (server, client, PostgreSQL, others)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def errors(self) -> int:
        return len(self.samples) - len(self.ok)

    @property
    def achieved(self) -> float:
        """Answered requests per second over the stage, from its first due moment to its last answer."""
        if not self.samples:
            return 0.0
        start = min(s.due for s in self.samples)
        end = max(s.done for s in self.samples)
        return len(self.ok) / max(end - start, 1e-9)

    # Offered n requests at r per second, a server that keeps up answers them over (n - 1) / r seconds
    # plus the last one's latency: slightly under r per second (149.8 of 150 at 17 ms). One that does
    # not keep up falls far behind (155 of 200 when saturated), its latencies growing without end.
    KEEPS_UP = 0.97

    def holds(self, p95: float) -> bool:
        """The stage's offered rate was sustained: every request answered without error, p95 within
        `p95` seconds, and the answers kept up with the offer."""
        return (
            bool(self.samples)
            and self.errors == 0
            and self.percentile(0.95) <= p95
            and self.achieved >= self.KEEPS_UP * self.rate
        )

    def percentile(self, share: float) -> float:
        return percentile([s.latency for s in self.samples], share)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for s in self.samples:
            counts[s.status] = counts.get(s.status, 0) + 1
        return counts


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 < share ≤ 1) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-share * len(ordered) // 1))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- What one autosave sends ---------------------------------------------------------------------


def edited(data: dict, n: int) -> dict:
    """The part as a person has just changed it, from its filled state: a sentence added to the first
    field of a section, or a table's first "total" raised by n (so "online ≤ total" still holds)."""
    data = copy.deepcopy(data)
    if "fields" in data:
        first = next(iter(data["fields"]), None)
        if first is not None:
            data["fields"][first] = f"{data['fields'][first]} [lần {n}]"
        return data
    for row in data.get("rows") or []:
        value = str(row.get("values", {}).get("total") or "")
        if value.replace(".", "").isdigit():
            row["values"]["total"] = f"{int(value.replace('.', '')) + n:,}".replace(",", ".")
            return data
    return data


def holds(stored: dict, data: dict) -> bool:
    """Whether a stored part holds what `edited` changed in `data`: the same field's text (looked up
    by name: PostgreSQL's jsonb does not keep the order of a stored part's fields), or the same row's
    total."""
    if "fields" in data:
        first = next(iter(data["fields"]), None)
        return first is None or (stored.get("fields") or {}).get(first) == data["fields"][first]
    return marker(stored) == marker(data)


def marker(data: dict):
    """What `edited` changes in a part (to check that the latest write is the one stored)."""
    if "fields" in data:
        first = next(iter(data["fields"]), None)
        return data["fields"][first] if first else None
    for row in data.get("rows") or []:
        value = str(row.get("values", {}).get("total") or "")
        if value.replace(".", "").isdigit():
            return row["key"], value
    return None


class Writer:
    """Autosaves of a section or a table: as the browser (session + CSRF, JSON POST) or the API (PUT, If-Match)."""

    def __init__(self, base: str, people: list[Person], road: str):
        self.base, self.road = base, road
        self.idle: deque[Person] = deque(people)
        self.wakeup = asyncio.Event()
        self.count = 0

    async def person(self) -> Person:
        while not self.idle:
            self.wakeup.clear()
            await self.wakeup.wait()
        return self.idle.popleft()

    def release(self, person: Person) -> None:
        self.idle.append(person)
        self.wakeup.set()

    async def send(self, client: http.Client) -> int:
        person = await self.person()
        try:
            self.count += 1
            part = person.editable[self.count % len(person.editable)]  # a section, then a table …
            data = edited(person.parts[part], self.count)
            status, revision = await save(client, self.base, person, part, data, self.road)
            if status == 200:
                person.revisions[part] = revision
            return status
        finally:
            self.release(person)


async def save(client: http.Client, base: str, person: Person, part: str, data: dict, road: str):
    """One autosave; returns (status, new revision)."""
    revision = person.revisions.get(part, 0)
    if road == "browser":
        response = await client.post(
            f"{base}/bao-cao/{person.report_id}/phan/{part}/",
            content=json.dumps({"base_revision": revision, "data": data}),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": person.reporter_cookies["csrftoken"],
                "Origin": base,
                "Cookie": _cookie(person.reporter_cookies),
            },
        )
        body = _json(response)
        return response.status_code, body.get("revision", revision)
    response = await client.put(
        f"{base}/api/v1/reports/{person.report_id}/parts/{part}",
        content=json.dumps({"data": data}),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {person.token}",
            "If-Match": f'"{revision}"',
        },
    )
    etag = response.headers.get("etag", "").strip('"')
    return response.status_code, int(etag) if etag.isdigit() else revision


def _cookie(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _json(response: http.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --- Stages ----------------------------------------------------------------------------------------


async def run_stage(
    name: str, rate: float, seconds: float, send: Callable[[http.Client], Awaitable[int]], client
) -> StageResult:
    """Offer `rate` requests a second for `seconds`; every request is awaited before returning."""
    result = StageResult(name, rate, seconds)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    total = max(1, int(rate * seconds))

    async def one(due: float) -> None:
        try:
            status = await asyncio.wait_for(send(client), TIMEOUT)
        except (TimeoutError, OSError):
            status = 0
        result.samples.append(Sample(due, loop.time(), status, 200 <= status < 300))

    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return result


def new_client() -> http.Client:
    """The client every virtual person shares (`http.Client`: one connection per request, as gunicorn's
    sync workers answer, and far less CPU than httpx on the measured machine). It keeps no cookies:
    each request carries its own person's (`Cookie` header) or none. A shared jar would hand the
    session cookie a browser save was answered with to every later request, so the "anonymous"
    /healthz and the API's autosaves would load a session and a user that neither has (httpx's jar did:
    /healthz then cost what a signed-in request costs)."""
    return http.Client(timeout=TIMEOUT)


async def trivial(base: str, client: http.Client, person: Person | None = None) -> int:
    """The trivial view; with `person`, carrying that reporter's session cookies."""
    headers = {"Cookie": _cookie(person.reporter_cookies)} if person is not None else {}
    response = await client.get(f"{base}/healthz", headers=headers)
    return response.status_code


async def token_check(base: str, client: http.Client, person: Person) -> int:
    """The API's trivial view (`GET /api/v1/token`), with that reporter's token: what any API request
    costs (the API stack and the token's lookup), the floor under an API autosave."""
    response = await client.get(f"{base}/api/v1/token", headers={"Authorization": f"Bearer {person.token}"})
    return response.status_code


def monotonic() -> float:
    return time.monotonic()
