"""Charts of the national compilation, drawn from the national dict (docs/national-format.md).

Every chart is a function returning a matplotlib `Figure`; `png(fig)` (for the DOCX) and `svg(fig)`
(for the browser) render the same figure. Figures are built without pyplot (no global figure
registry, safe in threads and workers) on the Agg canvas. Output is deterministic: the SVG hash salt
is fixed and no date or software version is written, so the same dict gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Iterable

import matplotlib
import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from baocao06.core.vietnamese import format_number
from baocao06.reports.models import ReportStatus

# DejaVu Sans ships with matplotlib and covers every Vietnamese letter.
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "baocao06",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 portrait page with Decree 30 margins
DPI = 150
COLOR = "#1f4e79"
COLOR_LOW = "#c0504d"

# The report states in the glossary's words (ReportStatus), most advanced first.
STATUS_LABELS = {
    status: ReportStatus(status).label for status in ("accepted", "submitted", "returned", "draft", "not_started")
}
STATUS_COLORS = {
    "accepted": "#2e7d32",
    "submitted": "#1f4e79",
    "returned": "#c0504d",
    "draft": "#f0a30a",
    "not_started": "#9e9e9e",
}
EMPTY = "Chưa có số liệu"


# --- Formatting ---------------------------------------------------------------------------------


def vn_number(value, decimals: int | None = None) -> str:
    return format_number(value, decimals)


def vn_percent(value, decimals: int = 1) -> str:
    """ "70,3 %" (Vietnamese decimal comma, a space before the sign)."""
    return f"{format_number(value, decimals)} %"


def money_scale(values: Iterable[float]) -> tuple[float, str]:
    """The divisor and unit that keep money axes readable (đồng, triệu đồng, tỷ đồng)."""
    peak = max((abs(v) for v in values), default=0)
    if peak >= 1e9:
        return 1e9, "tỷ đồng"
    if peak >= 1e6:
        return 1e6, "triệu đồng"
    return 1, "đồng"


def _short(text: str, width: int = 48) -> str:
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


def _value_text(value, decimals: int | None, *, fixed: bool = False) -> str:
    """A bar's value: rounded to `decimals`, without trailing zeros (3.500; 1,5 tỷ), or with exactly
    `decimals` when `fixed` (rates: 72,00 %, 70,30 %)."""
    if fixed and decimals is not None:
        return format_number(value, decimals)
    return format_number(round(value, decimals) if decimals is not None else value)


def _number_axis(axis, suffix: str = ""):
    # Ticks are round numbers; rounding drops float noise (0.30000000000000004) before formatting.
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{format_number(round(v, 6))}{suffix}"))


# --- Rendering ----------------------------------------------------------------------------------


def _figure(height_in: float) -> Figure:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, max(2.2, height_in)), dpi=DPI)
        FigureCanvasAgg(fig)
    return fig


def png(fig: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def _empty(fig: Figure, title: str) -> Figure:
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title, loc="left", fontweight="bold")
        ax.text(0.5, 0.5, EMPTY, ha="center", va="center", color="#666666", transform=ax.transAxes)
    return fig


def _hbars(title: str, labels: list[str], values: list[float], *, xlabel: str, decimals, suffix="", colors=None):
    """Horizontal bars, first label on top, each bar labelled with its value."""
    fig = _figure(0.9 + 0.28 * len(labels))
    if not labels:
        return _empty(fig, title)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        ax.barh(positions, values, color=colors or COLOR, height=0.65)
        ax.set_yticks(positions, labels=labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_xlabel(xlabel)
        _number_axis(ax.xaxis, suffix)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        peak = max(values, default=0) or 1
        for y, value in zip(positions, values, strict=True):
            text = _value_text(value, decimals, fixed=suffix.strip() == "%")
            ax.text(value + peak * 0.01, y, f"{text}{suffix}", va="center", fontsize=7)
        ax.set_xlim(0, peak * 1.15)
    return fig


# --- Charts -------------------------------------------------------------------------------------


def completeness_chart(data: dict) -> Figure:
    """Assigned units by report status (the round's completeness)."""
    completeness = data.get("completeness") or {}
    by_status = completeness.get("by_status") or {}
    keys = [k for k in STATUS_LABELS if by_status.get(k)] + [
        k for k in by_status if k not in STATUS_LABELS and by_status.get(k)
    ]
    title = (
        f"Tình hình báo cáo: {format_number(completeness.get('included', 0))}/"
        f"{format_number(completeness.get('assigned', 0))} đơn vị được tổng hợp"
    )
    return _hbars(
        title,
        [STATUS_LABELS.get(k, k) for k in keys],
        [by_status[k] for k in keys],
        xlabel="Số đơn vị",
        decimals=0,
        colors=[STATUS_COLORS.get(k, COLOR) for k in keys],
    )


def cumulative_chart(points: list[tuple[dt.date, int]], *, assigned: int | None = None, title=None) -> Figure:
    """A cumulative line of reports over time from (date, count) points (counts per day, any order)."""
    title = title or "Số báo cáo đã gửi theo thời gian (lũy kế)"
    fig = _figure(2.8)
    if not points:
        return _empty(fig, title)
    days, totals, running = [], [], 0
    for day, count in sorted(points):
        running += count
        days.append(day)
        totals.append(running)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.step(days, totals, where="post", color=COLOR)
        ax.fill_between(days, totals, step="post", alpha=0.15, color=COLOR)
        if assigned:
            ax.axhline(assigned, color="#999999", linestyle="--", linewidth=0.8)
            ax.text(days[0], assigned, f" {format_number(assigned)} đơn vị được giao", va="bottom", fontsize=7)
        ax.set_title(title, loc="left", fontweight="bold")
        ax.set_ylabel("Số báo cáo")
        _number_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_day_label))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    return fig


def _day_label(value, _pos):
    return mdates.num2date(value).strftime("%d/%m")


def _service_table(data: dict, table: str | None) -> dict | None:
    services = data.get("services") or []
    if table is None:
        return services[0] if services else None
    return next((s for s in services if s.get("table") == table), None)


def _service_label(row: dict) -> str:
    number = row.get("number")
    return _short(f"{number}. {row['label']}" if number else row["label"], 52)


def online_rate_chart(data: dict, table: str | None = None) -> Figure:
    """Online rate of each service of a service appendix (PL03 by default: the first one)."""
    service = _service_table(data, table) or {}
    rows = [r for r in service.get("rows") or [] if (r.get("values") or {}).get("rate") is not None]
    name = f"Phụ lục {service.get('number', '')}".strip()  # the numbering rule of outputs/numbering.py
    return _hbars(
        f"Tỷ lệ hồ sơ trực tuyến theo dịch vụ ({name})",
        [_service_label(r) for r in rows],
        [float(r["values"]["rate"]) for r in rows],
        xlabel="Tỷ lệ trực tuyến (%)",
        decimals=2,  # rates always with 2 decimals, as in the appendices
        suffix=" %",
    )


def savings_chart(data: dict, table: str | None = None) -> Figure:
    """Savings (typed total) of each service of a service appendix."""
    service = _service_table(data, table) or {}
    rows = [r for r in service.get("rows") or [] if (r.get("values") or {}).get("savings_total")]
    divisor, unit = money_scale(r["values"]["savings_total"] for r in rows)
    name = f"Phụ lục {service.get('number', '')}".strip()
    return _hbars(
        f"Chi phí tiết kiệm theo dịch vụ ({name})",
        [_service_label(r) for r in rows],
        [r["values"]["savings_total"] / divisor for r in rows],
        xlabel=f"Tổng số tiền tiết kiệm ({unit})",
        decimals=1 if divisor > 1 else 0,
    )


def rankings_chart(data: dict, count: int = 10, kind: str = "provinces") -> Figure:
    """The `count` highest and lowest provinces (or ministries) by online rate."""
    ranked = [r for r in (data.get("rankings") or {}).get(kind) or [] if r.get("rate") is not None]
    who = "tỉnh, thành phố" if kind == "provinces" else "bộ, ngành"
    title = f"Tỷ lệ hồ sơ trực tuyến: {who} cao nhất và thấp nhất"
    top = ranked[:count]
    bottom = [r for r in ranked[-count:] if r not in top]
    rows = top + bottom
    return _hbars(
        title,
        [f"{r['rank']}. {_short(r['name'], 30)}" for r in rows],
        [float(r["rate"]) for r in rows],
        xlabel="Tỷ lệ trực tuyến (%)",
        decimals=2,  # rates always with 2 decimals, as in the appendices
        suffix=" %",
        colors=[COLOR] * len(top) + [COLOR_LOW] * len(bottom),
    )


def task_status_chart(data: dict) -> Figure:
    """Tasks of appendix 01 nationwide by result (item I.2)."""
    tasks = data.get("tasks") or {}
    by_result = (tasks.get("national") or {}).get("by_result") or {}
    labels = {r["value"]: r["label"] for r in tasks.get("results") or []}
    keys = [k for k in labels if by_result.get(k)] + [k for k in by_result if k not in labels and by_result[k]]
    return _hbars(
        f"Nhiệm vụ theo kết quả thực hiện (tổng số {format_number(sum(by_result.values()))})",
        [labels.get(k, k) for k in keys],
        [by_result[k] for k in keys],
        xlabel="Số nhiệm vụ",
        decimals=0,
    )


def has_figures(data: dict, chart: str) -> bool:
    """Whether a chart of the dict would show anything (the DOCX leaves out empty charts)."""
    if chart == "completeness":
        return any((data.get("completeness") or {}).get("by_status", {}).values())
    if chart == "tasks":
        return any(((data.get("tasks") or {}).get("national") or {}).get("by_result", {}).values())
    if chart == "rankings":
        return any(r.get("rate") is not None for r in (data.get("rankings") or {}).get("provinces") or [])
    service = _service_table(data, None) or {}
    column = {"online_rate": "rate", "savings": "savings_total"}[chart]
    return any((r.get("values") or {}).get(column) for r in service.get("rows") or [])
