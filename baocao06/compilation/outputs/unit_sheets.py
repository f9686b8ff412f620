"""The national workbook's sheet per unit: the unit's own appendix tables as its snapshot version holds them.

Sheet names come from unit keys (`P01`, `X00004`): Excel allows 31 characters, no []:*?/\\, and names
are unique regardless of case; a clash gets a numbered suffix.
"""

from __future__ import annotations

import os
import pickle
import re

from .rows import Label, Sheet

INVALID = re.compile(r"[\[\]:*?/\\]")
RESERVED = {"history"}  # Excel reserves this sheet name
NUMERIC = {"integer", "money", "number", "percent"}
WHOLE = {"integer", "money"}
PROGRESS_EVERY = 100


def sheet_name(key: str, taken: set[str]) -> str:
    """A unique (case-insensitive, within `taken`, which it updates) Excel sheet name for a unit key."""
    base = INVALID.sub("_", str(key)).strip("'").strip() or "DV"
    base = base[:31]
    name, n = base, 1
    while name.casefold() in taken or name.casefold() in RESERVED:
        n += 1
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


class TablePlan:
    """How one appendix is laid out on a unit sheet: STT, the row label, then the unit's own columns."""

    def __init__(self, table):
        self.table = table
        self.label_key = table.label_column["key"]
        self.columns = [c for c in table.columns if not c.get("item_field") and c["key"] != self.label_key]
        heading = f"PHỤ LỤC {table.number}" + (f" (“{table.printed_as}”)" if table.printed_as else "")
        self.title = Label(f"{heading}. {table.title}")
        self.header = [(Label("STT"), "header"), (Label(table.label_column["label"]), "header")] + [
            (Label(c["label"] + (f" ({c['unit']})" if c.get("unit") else "")), "header") for c in self.columns
        ]
        self.groups = {g.key: g for g in table.groups}
        self.fixed = table.row_index
        self.plan = [(c["key"], *self._kind(c)) for c in self.columns]

    @staticmethod
    def _kind(column: dict) -> tuple[str, str, dict | None]:
        """(how, style, choice labels): how a value of the column is written."""
        kind = column["type"]
        if kind in NUMERIC:
            return "number", ("int" if kind in WHOLE else "dec"), None
        if kind in {"choice", "multichoice"}:
            return kind, "text", {c["value"]: c["label"] for c in column.get("choices") or []}
        return "text", "text", None

    def cells(self, row: dict, free_number: int) -> list:
        values = row.get("values") or {}
        fixed = self.fixed.get(row.get("key"))
        if fixed is not None:
            out = [(Label(fixed.number or ""), "stt"), (Label(fixed.label), "text")]
        else:
            out = [(Label(str(free_number)), "stt"), (str(values.get(self.label_key) or ""), "text")]
        for key, how, style, labels in self.plan:
            value = values.get(key)
            if value is None or value == "" or value == []:
                out.append(None)
            elif how == "number" and isinstance(value, int | float) and not isinstance(value, bool):
                out.append((value, style))
            elif how == "choice":
                out.append((Label(labels.get(value, str(value))), style))
            elif how == "multichoice":
                items = value if isinstance(value, list) else [value]
                out.append((Label("; ".join(labels.get(v, str(v)) for v in items)), style))
            else:
                out.append((str(value), "text"))
        return out


class UnitSource:
    """The snapshot's versions whose unit sheets the workbook holds, in unit order.

    Unlike a plain iterable of unit tables, it can be split: the workbook writes the first half of the
    unit sheets while a second process reads and writes the other half (see `write_unit_sheets`).
    """

    def __init__(self, version_ids: list[int], layout):
        self.version_ids, self.layout = list(version_ids), layout

    def units(self) -> list[tuple[str, str]]:
        """(unit key, unit name) of each version, in order."""
        from ..unit_tables import unit_names

        names = unit_names(self.version_ids)
        return [names[v] for v in self.version_ids]

    def tables(self, start: int = 0, end: int | None = None):
        from ..unit_tables import iter_unit_tables

        return iter_unit_tables(self.version_ids[start:end], self.layout)

    def __iter__(self):
        return self.tables()


# Below this many unit sheets one process writes them all (a second one would cost more to start).
SPLIT_FROM = 400


def write_unit_sheets(wb, unit_tables, *, start: float, end: float) -> None:
    """A sheet per unit, in the order of `unit_tables` (a `UnitSource`, or any iterable of what
    `unit_tables.iter_unit_tables` yields). A large `UnitSource` outside a transaction is split: a
    forked process writes the second half of the sheets' rows while this one writes the first."""
    plans = {t.key: TablePlan(t) for t in wb.layout.tables} if wb.layout is not None else {}
    info = {u.get("key"): u for u in wb.data.get("units") or []}
    writer = _Writer(wb.styles, plans, info, wb.provisional)
    # A unit's sheet never takes the name of a national sheet written before it (a unit keyed like a table).
    taken = {ws.name.casefold() for ws in wb.book.worksheets()}
    from django.db import connection

    if (
        not isinstance(unit_tables, UnitSource)
        or len(unit_tables.version_ids) < SPLIT_FROM
        or (
            connection.in_atomic_block  # a second connection would not see uncommitted data
        )
    ):
        total = max(len(info), 1)
        for n, (unit_key, unit_name, tables) in enumerate(unit_tables):
            if n % PROGRESS_EVERY == 0:
                wb.progress(start + (end - start) * min(n / total, 1.0), f"Trang của đơn vị ({n}/{total})")
            sh = _skeleton(wb, unit_key, taken)
            wb.book.bodies[sh.ws.index] = writer.body(unit_key, unit_name, tables)
        return
    units = unit_tables.units()
    indexes = [_skeleton(wb, key, taken).ws.index for key, _ in units]
    half = len(units) // 2
    helper = _Helper(writer, unit_tables, indexes, half)
    for n, (unit_key, unit_name, tables) in enumerate(unit_tables.tables(0, half)):
        if n % PROGRESS_EVERY == 0:
            wb.progress(start + (end - start) * n / len(units), f"Trang của đơn vị ({2 * n}/{len(units)})")
        wb.book.bodies[indexes[n]] = writer.body(unit_key, unit_name, tables)
    wb.progress(start + (end - start) * 0.5, f"Trang của đơn vị ({len(units) - half} trang ở tiến trình thứ hai)")
    wb.book.bodies.update(helper.result())


def _skeleton(wb, unit_key: str, taken: set[str]):
    """The unit's worksheet in the workbook's skeleton: name, widths, frozen panes (rows come apart)."""
    sh = wb.sheet(sheet_name(unit_key, taken), [6, 48] + [16] * 12)
    sh.ws.freeze_panes(2, 2)
    return sh


class _Writer:
    """The rows of one unit's sheet as compressed XML, without the workbook (any process can do it)."""

    def __init__(self, styles, plans: dict, info: dict, provisional: bool):
        self.styles, self.plans, self.info, self.provisional = styles, plans, info, provisional
        self.order = list(plans)

    def body(self, unit_key: str, unit_name: str, tables: dict) -> tuple[str, list[bytes]]:
        sh = Sheet(_NoBook, None, self.styles, shared=False)
        sh.row([(Label(unit_name), "title")], height=20)
        unit = self.info.get(unit_key) or {}
        line = f"Mã: {unit_key}"
        if unit.get("version"):
            line += f" — lần gửi {unit['version']}" + (" (gửi muộn)" if unit.get("late") else "")
        if self.provisional:
            line += " — TẠM TÍNH"
        sh.row([(line, "note")])
        for key in self.order:
            if tables.get(key):
                _table(sh, self.plans[key], tables[key])
        return sh.body()


class _NoBook:
    str_table = None  # unit sheets write their labels inline


class _Helper:
    """A forked process writing the rows of the units from `half` on; `result()` collects them.

    The parent's database connection is closed before the fork (each process then opens its own),
    and the child leaves by `os._exit`, so nothing of the parent's state is run twice.
    """

    def __init__(self, writer: _Writer, source: UnitSource, indexes: list[int], half: int):
        from django.db import connections

        connections.close_all()
        self.reader, writer_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(self.reader)
            status = 0
            try:
                bodies = {
                    indexes[half + n]: writer.body(key, name, tables)
                    for n, (key, name, tables) in enumerate(source.tables(half))
                }
                payload = pickle.dumps(("ok", bodies), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # the parent raises it
                payload, status = pickle.dumps(("error", f"{type(exc).__name__}: {exc}")), 1
            try:
                with os.fdopen(writer_end, "wb") as out:
                    out.write(payload)
            finally:
                connections.close_all()
                os._exit(status)
        os.close(writer_end)

    def result(self) -> dict:
        with os.fdopen(self.reader, "rb") as handle:
            payload = handle.read()
        os.waitpid(self.pid, 0)
        if not payload:
            raise RuntimeError("Tiến trình thứ hai dừng giữa chừng khi ghi trang các đơn vị.")
        status, value = pickle.loads(payload)  # noqa: S301 - our own child process, through a pipe
        if status != "ok":
            raise RuntimeError(f"Tiến trình thứ hai không ghi được trang các đơn vị: {value}")
        return value


def _table(sh, plan: TablePlan, rows: list[dict]) -> None:
    sh.row([])
    sh.row([(plan.title, "subtitle")])
    sh.row(plan.header, height=30)
    group = None
    free_number = 0
    for row in rows:
        if row.get("group") != group:
            group = row.get("group")
            spec = plan.groups.get(group)
            if spec is not None and spec.title:
                sh.row([(Label(spec.number or ""), "group"), (Label(spec.title), "group")])
            free_number = 0
        if row.get("key") not in plan.fixed:
            free_number += 1
        sh.row(plan.cells(row, free_number))
