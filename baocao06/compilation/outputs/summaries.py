"""Compiled summaries printed under outline sections: the figures of the appendix a section cites
(the section of a table is the `section` of that table in the definition), with their charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from baocao06.core.vietnamese import format_number

from .. import charts
from .parts import table_key

ORIGIN_LABELS = {"carried_over": "Nhiệm vụ tồn năm trước chuyển sang", "new": "Nhiệm vụ mới được giao"}


@dataclass
class Summary:
    paragraphs: list[str] = field(default_factory=list)
    charts: list[tuple[str, str, Callable]] = field(default_factory=list)  # (has_figures name, caption, builder)


def _section_of(layout, key: str) -> str | None:
    table = layout.table_index.get(key) if layout is not None else None
    if table is not None and table.section:
        return table.section
    return None  # a table without a `section` in its definition is summarised nowhere


def _num(value) -> str:
    return format_number(value, 0) if value is not None else "—"


def _pct(value) -> str:
    return f"{format_number(value, 2)} %" if value is not None else "—"  # rates always with 2 decimals


def _appendix_name(key: str, layout, printed_as: str | None = None) -> str:
    """ "Phụ lục 03" by the one numbering rule (outputs/numbering.py); `printed_as` is not a number."""
    from .numbering import name

    return name(key, layout)


def tasks_summary(data: dict, layout) -> list[str]:
    tasks = data.get("tasks") or {}
    national = tasks.get("national") or {}
    if not national:
        return []
    tasks_key = table_key(layout, "tasks", data)
    table = layout.table_index.get(tasks_key) if layout is not None else None
    origin_column = table.column_index.get("origin") if table else None
    origins = {c["value"]: c["label"] for c in (origin_column or {}).get("choices", [])} or ORIGIN_LABELS
    lines = [
        f"Tổng hợp từ {_appendix_name(tasks_key, layout)}: tổng số {_num(national.get('rows'))} nhiệm vụ, trong đó:"
    ]
    # In the definition's order of the choices, not the stored dict's (PostgreSQL's jsonb reorders keys).
    by_origin = national.get("by_origin") or {}
    for key in [k for k in origins if k in by_origin] + sorted(k for k in by_origin if k not in origins):
        lines.append(f"- {origins.get(key, key)}: {_num(by_origin[key])};")
    for result in tasks.get("results") or []:
        lines.append(f"- {result['label']}: {_num((national.get('by_result') or {}).get(result['value'], 0))};")
    lines[-1] = lines[-1].rstrip(";") + "."
    open_tasks = tasks.get("open") or []
    if open_tasks:
        overdue = sum(1 for t in open_tasks if t.get("overdue_days"))
        lines.append(
            f"Còn {_num(len(open_tasks))} nhiệm vụ chưa hoàn thành, trong đó {_num(overdue)} nhiệm vụ quá hạn; "
            f"danh sách rõ đơn vị, nhiệm vụ, thời hạn tại {_appendix_name(tasks_key, layout)}."
        )
    return lines


def service_summary(service: dict, layout) -> list[str]:
    total = (service.get("total") or {}).get("values") or {}
    name = _appendix_name(service["table"], layout, service.get("printed_as"))
    text = (
        f"Theo {name}: tổng số {_num(total.get('total'))} hồ sơ, "
        f"trong đó {_num(total.get('online'))} hồ sơ trực tuyến, tỷ lệ {_pct(total.get('rate'))}"
    )
    if total.get("savings_total") is not None:
        text += f"; tổng số tiền tiết kiệm {_num(total.get('savings_total'))} đồng"
    units = (service.get("total") or {}).get("units")
    if units is not None:
        text += f"; {_num(units)} đơn vị báo cáo"
    return [text + "."]


def rankings_summary(data: dict) -> list[str]:
    ranked = [r for r in (data.get("rankings") or {}).get("provinces") or [] if r.get("rate") is not None]
    if not ranked:
        return []
    top = ", ".join(f"{r['name']} ({_pct(r['rate'])})" for r in ranked[:5])
    bottom = ", ".join(f"{r['name']} ({_pct(r['rate'])})" for r in reversed(ranked[-5:]) if r not in ranked[:5])
    text = f"Tỷ lệ hồ sơ trực tuyến cao nhất: {top}"
    return [text + (f"; thấp nhất: {bottom}." if bottom else ".")]


def pl02_summary(data: dict, layout) -> list[str]:
    items = data.get("pl02") or []
    if not items:
        return []
    common = [i for i in items if i.get("common", True)]
    led = [i for i in items if not i.get("common", True)]
    done = sum((i.get("by_result") or {}).get("done", 0) for i in common)
    not_done = sum((i.get("by_result") or {}).get("not_done", 0) for i in common)
    led_done = sum(1 for i in led if (i.get("lead_answer") or {}).get("result") == "done")
    unanswered = sum(1 for i in led if i.get("lead_answer") is None)
    return [
        f"Nghị quyết 175/NQ-CP ({_appendix_name(table_key(layout, 'tracker'), layout)}): {_num(len(items))} nhiệm vụ. "
        f"Nhiệm vụ chung: {_num(done)} lượt đơn vị đã hoàn thành, {_num(not_done)} lượt chưa hoàn thành. "
        f"Nhiệm vụ giao đơn vị chủ trì: {_num(led_done)}/{_num(len(led))} đã hoàn thành, "
        f"{_num(unanswered)} nhiệm vụ đơn vị chủ trì chưa báo cáo."
    ]


def pl06_summary(data: dict, layout) -> list[str]:
    groups = data.get("pl06") or []
    units = [u for g in groups for u in g.get("units") or []]
    rows = [r for u in units for r in u.get("rows") or []]
    if not rows:
        return []
    # Distinct services, as the appendix lists them (one service reported by several units is one).
    services = {" ".join(str(r.get("service") or "").split()).casefold() for r in rows} - {""}
    return [
        f"Có {_num(len(services))} dịch vụ công thiết yếu chưa hoàn thành tích hợp ({_num(len(rows))} lượt báo cáo "
        f"của {_num(len(units))} đơn vị; chi tiết tại {_appendix_name(table_key(layout, 'list'), layout)})."
    ]


def pl07_summary(data: dict, layout) -> list[str]:
    items = data.get("pl07") or []
    entries = [e for i in items for cell in (i.get("cells") or {}).values() for e in cell]
    if not entries:
        return []
    table = layout.table_index.get(table_key(layout, "matrix")) if layout is not None else None
    # The engine counts the values of every choice column of the matrix (4709: "causes").
    labels = {
        choice["value"]: choice["label"]
        for column in (table.columns if table else [])
        if column["type"] in {"choice", "multichoice"}
        for choice in column.get("choices") or []
    }
    causes: dict[str, int] = {}
    for item in items:
        for key, count in (item.get("causes") or {}).items():
            causes[key] = causes.get(key, 0) + (count or 0)
    text = (
        f"{_num(len(entries))} ý kiến đánh giá tiện ích, giá trị mang lại của "
        f"{_num(len({e['key'] for e in entries}))} đơn vị "
        f"(chi tiết tại {_appendix_name(table_key(layout, 'matrix'), layout)})"
    )
    # Most often first; ties in the definition's order of the choices (never the stored dict's order,
    # which PostgreSQL's jsonb does not keep).
    order = {value: i for i, value in enumerate(labels)}
    ranked = sorted(causes.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    if ranked:
        text += "; nguyên nhân chưa được hưởng lợi được nêu nhiều nhất: " + ", ".join(
            f"{labels.get(k, k)} ({_num(v)})" for k, v in ranked[:3]
        )
    return [text + "."]


def section_summaries(data: dict, layout) -> dict[str, Summary]:
    """The compiled summary of each outline section that cites a national table."""
    result: dict[str, Summary] = {}

    def at(table_key: str) -> Summary:
        key = _section_of(layout, table_key) or ""
        return result.setdefault(key, Summary())

    if data.get("tasks"):
        summary = at(table_key(layout, "tasks", data))
        summary.paragraphs += tasks_summary(data, layout)
        summary.charts.append(("tasks", "Nhiệm vụ theo kết quả thực hiện", charts.task_status_chart))
    services = data.get("services") or []
    for index, service in enumerate(services):
        summary = at(service["table"])
        summary.paragraphs += service_summary(service, layout)
        if index == len(services) - 1:
            summary.paragraphs += rankings_summary(data)
    if services:
        summary = at(services[0]["table"])
        summary.charts += [
            ("online_rate", "Tỷ lệ hồ sơ trực tuyến theo dịch vụ", charts.online_rate_chart),
            ("savings", "Chi phí tiết kiệm theo dịch vụ", charts.savings_chart),
            ("rankings", "Tỉnh, thành phố có tỷ lệ trực tuyến cao nhất và thấp nhất", charts.rankings_chart),
        ]
    at(table_key(layout, "tracker")).paragraphs += pl02_summary(data, layout)
    at(table_key(layout, "list")).paragraphs += pl06_summary(data, layout)
    at(table_key(layout, "matrix")).paragraphs += pl07_summary(data, layout)
    result.pop("", None)
    return result
