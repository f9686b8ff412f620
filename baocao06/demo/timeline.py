"""Replaying a round of the demo as it would have happened, on one timeline.

Every report gets a plan (fill, submit on time or late, be reviewed, be returned and fixed …); the
plans' steps and the Secretariat's reminder passes are sorted by time and run through the real
actions with the clock set to that time, so the reminders see the reports as they were at 08:00 that
day, and versions, notifications and the audit log carry 2024 timestamps.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from baocao06.core import clock
from baocao06.core.vietnamese import format_number
from baocao06.definitions.validation import blocking, clean_part
from baocao06.notifications.reminders import send_due_reminders
from baocao06.reports.actions import context_for, do_save_part, do_save_parts, do_submit_report, view_for
from baocao06.review.actions import do_accept_report, do_add_comment, do_reply, do_return_report
from baocao06.review.anchors import Anchor, resolve
from baocao06.review.explanations import do_answer_explanation, do_request_explanation
from baocao06.rounds.actions import do_grant_extension

from .generator import Filler, period_words

SITTING = 6  # parts of a report the replay saves at once (one bulk save, one audit event per part)
CELL_REMARK = "Số liệu cột «{column}» chưa khớp với số liệu trên Cổng Dịch vụ công quốc gia; đề nghị rà soát lại."
SECTION_REMARK = "Đề nghị bổ sung số liệu cụ thể, so sánh với cùng kỳ năm trước."
FIX_SENTENCE = "Bổ sung theo nhận xét của Thư ký Tổ công tác: các chỉ tiêu chính đều tăng so với cùng kỳ năm 2023."
ANSWER = "Đơn vị chậm do chờ tổng hợp số liệu từ các đơn vị trực thuộc; sẽ gửi báo cáo trong tuần này."


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def office(moment: dt.datetime) -> dt.datetime:
    """The same moment if it is in office hours (08:00–18:00), else the next morning from 08:00."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 18:
        return moment
    day = local.date() + dt.timedelta(days=1 if local.hour >= 18 else 0)
    return aware(day, 8, local.minute)


@dataclass
class Timeline:
    events: list[tuple[dt.datetime, int, Callable[[], object]]] = field(default_factory=list)

    def at(self, moment: dt.datetime, step: Callable[[], object]) -> None:
        self.events.append((moment, len(self.events), step))

    def run(self, out: Callable[[str], object] | None = None) -> None:
        """Run the steps in time order; `out` hears how far it is about every tenth of the way."""
        events = sorted(self.events, key=lambda e: (e[0], e[1]))
        started = time.perf_counter()
        every = max(1, len(events) // 10)
        for done, (moment, _, step) in enumerate(events, 1):
            with clock.frozen_at(moment):
                step()
            if out is not None and (done % every == 0 or done == len(events)):
                day = timezone.localtime(moment).strftime("%d/%m/%Y")
                out(f"  {done:>5}/{len(events)} bước (đến ngày {day}), {time.perf_counter() - started:.0f} s")
        self.events.clear()


@dataclass(frozen=True)
class RoundScript:
    """How a round of the demo goes."""

    seed: int
    fill_from: dt.datetime
    deadline: dt.datetime
    reminders: tuple[dt.datetime, ...]
    fates: tuple[tuple[str, float], ...]  # (fate, cumulative probability)
    late_share: float
    review: bool
    scripted: dict[str, str]  # unit key → fate
    # Explanations asked and an extension granted after the deadline (not for a round still open today).
    follow_up: bool = True


# --- Saving --------------------------------------------------------------------------------------


def save(report, key: str, data: dict, actor) -> None:
    """Save one part on top of whatever revision it has now (the demo never conflicts with itself).

    The revisions the page would hold are kept on the report (`demo_revisions`, filled by
    `replay_round` from the parts it reads anyway), so a save does not ask the database first."""
    known = report.__dict__.get("demo_revisions")
    if known is None:
        revision = report.parts.filter(key=key).values_list("revision", flat=True).first() or 0
    else:
        revision = known.get(key, 0)
    result = do_save_part(report, key, data, base_revision=revision, actor=actor)
    if known is not None:
        known[key] = result.part.revision


def save_sitting(report, parts: dict[str, dict], actor) -> None:
    """Several parts typed in one sitting, saved at its end: one bulk save, one audit event per part
    (the same trail as saving them one by one), on the revisions the page holds."""
    known = report.__dict__.get("demo_revisions")
    if known is None:
        known = dict(report.parts.values_list("key", "revision"))
    base = {key: known.get(key, 0) for key in parts}
    results = do_save_parts(report, parts, base, actor=actor, source="browser", each_audited=True)
    known.update({key: result.part.revision for key, result in results.items()})
    report.demo_revisions = known


def merge_carried(view, filler: Filler, parts: dict, existing: dict) -> dict:
    """Keep the rows carried over from the previous round (with their identity), give them this
    round's result, and mark the generated rows as new (as the definition says)."""
    for key, table_view in view.table_index.items():
        carry = (table_view.table.tasks or {}).get("carry_over")
        if not carry or key not in existing or key not in parts:
            continue
        generated = parts[key]["rows"]
        fixed = [r for r in generated if r["key"] in table_view.fixed_rows]
        fresh = [r for r in generated if r["key"] not in table_view.fixed_rows]
        carried = [dict(r, values=dict(r["values"])) for r in existing[key]["rows"]]
        for row in carried:
            source = filler.free_row_values(table_view.table)
            for column in carry.get("clear") or []:
                if source.get(column) is not None:
                    row["values"][column] = source[column]
        for row in fresh:
            row["values"].update(carry.get("new") or {})
        parts[key] = {"rows": fixed + carried + fresh[: max(1, len(fresh) // 2)]}
    return parts


# --- Review --------------------------------------------------------------------------------------


def review_points(report) -> tuple[Anchor | None, Anchor | None]:
    """A figure and a narrative field of the submitted version that a reviewer would question."""
    view, content = view_for(report), report.current_version.content
    cell = None
    for table_view in view.tables:
        table = table_view.table
        rows = {r["key"]: r for r in content["tables"].get(table_view.key, {}).get("rows", [])}
        numeric = [
            c for c in table.columns if c["type"] in {"integer", "money"} and table.is_input(c) and not c.get("formula")
        ]
        for row_key, row in rows.items():
            fixed = table_view.fixed_rows.get(row_key)
            column = next((c for c in numeric if isinstance(row["values"].get(c["key"]), int)), None)
            if fixed is not None and not fixed.heading and column is not None:
                cell = resolve(view, content, table_view.key, row=row_key, column=column["key"])
                break
        if cell:
            break
    section = None
    for key, data in content["sections"].items():
        if data.get("fields"):
            section = resolve(view, content, key, field=next(iter(data["fields"])))
            break
    return cell, section


def remark(report, secretariat, cell: Anchor | None, section: Anchor | None) -> None:
    if cell is not None:
        column = view_for(report).table_index[cell.part].table.column_index[cell.column]["label"]
        do_add_comment(report, actor=secretariat, body=CELL_REMARK.format(column=column), anchor=cell)
    if section is not None:
        do_add_comment(report, actor=secretariat, body=SECTION_REMARK, anchor=section)


def fix(report, reporter, cell: Anchor | None, section: Anchor | None) -> None:
    """What a unit does with the remarks: correct the figure, complete the text, answer the thread."""
    view = view_for(report)
    if cell is not None:
        part = report.parts.get(key=cell.part)
        data = {"rows": [dict(r, values=dict(r["values"])) for r in part.data["rows"]]}
        for row in data["rows"]:
            if row["key"] == cell.row:
                old = int(str(row["values"].get(cell.column) or "0").replace(".", "") or 0)
                row["values"][cell.column] = format_number(old + max(1, old // 20))
        if not blocking(clean_part(view, cell.part, data, **context_for(report))[1]):
            save(report, cell.part, data, reporter)
    if section is not None:
        part = report.parts.get(key=section.part)
        fields = dict(part.data["fields"])
        fields[section.field] = (fields.get(section.field, "") + "\n" + FIX_SENTENCE).strip()
        save(report, section.part, {"fields": fields}, reporter)
    first = report.comments.filter(parent__isnull=True, published_at__isnull=False).order_by("id").first()
    if first is not None:
        do_reply(first, actor=reporter, body="Đơn vị đã rà soát và cập nhật theo nhận xét.", from_secretariat=False)


# --- One report's plan -------------------------------------------------------------------------------


def plan_report(timeline: Timeline, report, script: RoundScript, people, secretariat, rng, existing: dict) -> str:
    """Schedule what happens to one report; returns its fate."""
    reporter, approver = people
    roll = random.Random(f"{script.seed}:{report.unit.key}").random()  # a unit's fate does not depend on others
    fate = script.scripted.get(report.unit.key) or next(f for f, p in script.fates if roll < p)
    if fate == "not_started":
        return fate
    completeness = 0.6 if fate == "draft" else 1.0
    if fate == "draft" and report.unit.key not in script.scripted:
        completeness = rng.uniform(0.2, 0.8)
    view = view_for(report)
    filler = Filler(view, script.seed, report.unit.name, period_words(report.round))
    parts = merge_carried(view, filler, filler.report(completeness), existing)
    moment = office(script.fill_from + dt.timedelta(hours=rng.randint(0, 100)))
    sitting: dict[str, dict] = {}
    for n, (key, data) in enumerate(parts.items(), 1):
        moment += dt.timedelta(minutes=rng.randint(2, 25))
        sitting[key] = data
        if len(sitting) == SITTING or n == len(parts):
            timeline.at(moment, lambda sitting=sitting: save_sitting(report, sitting, reporter))
            sitting = {}
    if fate == "draft":
        return fate
    late = fate == "submitted" and rng.random() < script.late_share
    deadline_day = timezone.localtime(script.deadline).date()
    if late:
        submit_at = aware(deadline_day + dt.timedelta(days=1 + rng.randint(0, 8)), 10)
    else:
        submit_at = min(office(moment + dt.timedelta(hours=rng.randint(1, 30))), aware(deadline_day, 16))
    submit_at = max(submit_at, moment + dt.timedelta(minutes=5))
    timeline.at(submit_at, lambda: do_submit_report(report, actor=approver))
    if script.review:
        plan_review(timeline, report, fate, submit_at, people, secretariat, rng)
    return "late" if late else fate


def plan_review(timeline: Timeline, report, fate: str, submitted: dt.datetime, people, secretariat, rng) -> None:
    """The Secretariat's review: accept, return (then perhaps a fix, resubmission and acceptance) or not yet."""
    reporter, approver = people
    at = office(submitted + dt.timedelta(hours=rng.randint(20, 70)))
    points: dict = {}
    scripted = fate in {"returned", "returned_fixed"}
    if scripted:
        decision = fate
    else:
        roll = random.Random(f"{report.unit.key}:{report.round_id}:review").random()
        decision = "accepted" if roll < 0.55 else "returned" if roll < 0.68 else "returned_fixed" if roll < 0.8 else ""
    if decision == "accepted":
        timeline.at(at, lambda: do_accept_report(report, actor=secretariat))
        return
    if not decision:
        return  # still waiting for review

    def return_with_remarks():
        report.refresh_from_db()
        points["cell"], points["section"] = review_points(report)
        remark(report, secretariat, points["cell"], points["section"])
        do_return_report(
            report, actor=secretariat, message="" if (points["cell"] or points["section"]) else "Rà soát lại."
        )

    timeline.at(at, return_with_remarks)
    if decision != "returned_fixed":
        return
    fixed_at = office(at + dt.timedelta(hours=rng.randint(18, 30)))
    timeline.at(fixed_at, lambda: fix(report, reporter, points.get("cell"), points.get("section")))
    timeline.at(fixed_at + dt.timedelta(hours=2), lambda: do_submit_report(report, actor=approver))
    if not scripted and rng.random() < 0.5:
        timeline.at(fixed_at + dt.timedelta(days=1), lambda: do_accept_report(report, actor=secretariat))


def plan_follow_up(timeline: Timeline, round_, script: RoundScript, fates: dict, secretariat, people_of, rng) -> None:
    """Reminders at their times; the day after the deadline, explanations asked and an extension granted."""
    for moment in script.reminders:
        timeline.at(moment, lambda moment=moment: send_due_reminders(now=moment, worker="demo"))
    day_after = aware(timezone.localtime(script.deadline).date() + dt.timedelta(days=2), 9)
    overdue = [r for r in round_.reports.select_related("unit") if fates.get(r.pk) in {"not_started", "draft"}]
    for report in overdue[::2]:
        if report.unit.key in script.scripted:
            continue
        timeline.at(day_after, lambda report=report: do_request_explanation(report, actor=secretariat))
        if rng.random() < 0.6:
            reporter = people_of(report.unit)[0]
            timeline.at(
                office(day_after + dt.timedelta(hours=rng.randint(3, 28))),
                lambda report=report, reporter=reporter: do_answer_explanation(
                    report.explanations.get(), actor=reporter, answer=ANSWER
                ),
            )
    late = [r for r in round_.reports.select_related("unit") if fates.get(r.pk) == "late"]
    if late:
        report = late[0]
        until = script.deadline + dt.timedelta(days=10)
        timeline.at(
            script.deadline + dt.timedelta(hours=9),
            lambda: do_grant_extension(
                report,
                until=until,
                note="Đơn vị đề nghị gia hạn do chờ số liệu của đơn vị trực thuộc.",
                actor=secretariat,
            ),
        )


def replay_round(round_, script: RoundScript, secretariat, people_of, out=None) -> dict[str, int]:
    """Plan every report of the round and the Secretariat's follow-up, then run the timeline."""
    rng = random.Random(script.seed)
    timeline = Timeline()
    fates: dict[int, str] = {}
    reports = list(
        round_.reports.select_related("unit").prefetch_related("parts").order_by("unit__kind_order", "unit__sort_key")
    )
    existing = {}
    for report in reports:
        parts = list(report.parts.all())
        existing[report.pk] = {p.key: p.data for p in parts}
        report.demo_revisions = {p.key: p.revision for p in parts}
        report._prefetched_objects_cache = {}  # later reads of its parts go to the database
    for report in reports:
        report.round = round_  # one round object for all (its period words, without re-reading the layout)
        fates[report.pk] = plan_report(
            timeline, report, script, people_of(report.unit), secretariat, rng, existing.get(report.pk, {})
        )
    if script.follow_up:
        plan_follow_up(timeline, round_, script, fates, secretariat, people_of, rng)
    timeline.run(out)
    counts: dict[str, int] = {}
    for status in round_.reports.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
