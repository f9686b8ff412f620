"""The national workbook's sheet per unit: the unit's own appendix tables as its snapshot version holds them.

Sheet names come from unit keys (`P01`, `X00004`): Excel allows 31 characters, no []:*?/\\, and names
are unique regardless of case; a clash gets a numbered suffix.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Iterator

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
    unit sheets while a second process reads and writes the other half (see `write_unit_sheets`). Given
    the round's `layout_hash`, the rows prepared when each version was submitted (`UnitSheet`) are
    used, and the rows of a version without them are stored once written.
    """

    def __init__(self, version_ids: list[int], layout, layout_hash: str | None = None):
        self.version_ids, self.layout, self.layout_hash = list(version_ids), layout, layout_hash

    def units(self) -> list[tuple[str, str]]:
        """(unit key, unit name) of each version, in order."""
        from ..unit_tables import unit_names

        names = unit_names(self.version_ids)
        return [names[v] for v in self.version_ids]

    def tables_of(self, version_ids: list[int]):
        from ..unit_tables import iter_unit_tables

        return iter_unit_tables(version_ids, self.layout)

    def __iter__(self):
        return self.tables_of(self.version_ids)


# Below this many unit sheets to write one process writes them all (a second one would cost more to start).
SPLIT_FROM = 400
# The rows of a unit's sheet before its tables: its name, then its key and version.
HEAD_ROWS = 2
# The prepared rows' format: part of every `UnitSheet.layout` key, so a change of the rows' XML
# (`_Writer.part`, `_table`, `TablePlan`, `rows.Sheet`) must change it and old rows are no longer used.
FORMAT = "unit-sheet-1"

Part = tuple[int, int, bytes]  # (rows, last column used, raw deflate ending on a sync flush)


def sheet_layout_key(layout_hash: str, styles) -> str:
    """What a unit sheet's prepared rows depend on besides the version (`UnitSheet.layout`)."""
    import hashlib

    attrs = "|".join(f"{k}={v}" for k, v in sorted(styles.attr.items(), key=lambda kv: str(kv[0])))
    return hashlib.sha256(f"{FORMAT}\n{layout_hash}\n{attrs}".encode()).hexdigest()


def write_unit_sheets(wb, unit_tables, *, start: float, end: float) -> None:
    """A sheet per unit, in the order of `unit_tables` (a `UnitSource`, or any iterable of what
    `unit_tables.iter_unit_tables` yields). A `UnitSource` with its layout's hash takes the rows
    prepared at submission; of the rest, many outside a transaction are split: a forked process writes
    the second half of the sheets' rows while this one writes the first."""
    plans = {t.key: TablePlan(t) for t in wb.layout.tables} if wb.layout is not None else {}
    info = {u.get("key"): u for u in wb.data.get("units") or []}
    writer = _Writer(wb.styles, plans, info, wb.provisional)
    # A unit's sheet never takes the name of a national sheet written before it (a unit keyed like a table).
    taken = {ws.name.casefold() for ws in wb.book.worksheets()}

    if not isinstance(unit_tables, UnitSource):
        total = max(len(info), 1)
        for n, (unit_key, unit_name, tables) in enumerate(unit_tables):
            if n % PROGRESS_EVERY == 0:
                wb.progress(start + (end - start) * min(n / total, 1.0), f"Trang của đơn vị ({n}/{total})")
            sh = _skeleton(wb, unit_key, taken)
            wb.book.bodies[sh.ws.index] = writer.body(unit_key, unit_name, writer.part(tables))
        return
    source = unit_tables
    units = source.units()
    indexes = [_skeleton(wb, key, taken).ws.index for key, _ in units]
    key = sheet_layout_key(source.layout_hash, wb.styles) if source.layout_hash else None
    parts = stored_parts(source.version_ids, key) if key else {}
    missing = [v for v in source.version_ids if v not in parts]
    if missing:
        made = _write_parts(writer, source, missing, wb.progress, start, start + (end - start) * 0.9)
        if key:
            store_parts(made, key)
        parts.update(made)
    wb.progress(start + (end - start) * 0.9, f"Trang của đơn vị ({len(units)} trang)")
    for index, version, (unit_key, unit_name) in zip(indexes, source.version_ids, units, strict=True):
        wb.book.bodies[index] = writer.body(unit_key, unit_name, parts[version])


def _write_parts(writer, source: UnitSource, missing: list[int], progress, start: float, end: float) -> dict:
    """The rows of the `missing` versions' sheets; many of them outside a transaction are split between
    this process and a forked one."""
    from django.db import connection

    total = len(missing)
    made: dict[int, Part] = {}
    helper = None
    mine = missing
    if total >= SPLIT_FROM and not connection.in_atomic_block:  # a second connection sees only committed data
        half = total // 2
        mine = missing[:half]
        helper = _Helper(writer, source, missing[half:])
    share = len(mine)
    for n, (version, part) in enumerate(_parts(writer, source, mine)):
        if n % PROGRESS_EVERY == 0:
            done = n * total // share if share else 0
            progress(start + (end - start) * n / max(share, 1), f"Trang của đơn vị ({done}/{total})")
        made[version] = part
    if helper is not None:
        progress(start + (end - start) * 0.95, f"Trang của đơn vị ({total - share} trang ở tiến trình thứ hai)")
        made.update(helper.result())
    return made


def _parts(writer, source: UnitSource, versions: list[int]) -> Iterator[tuple[int, Part]]:
    """(version, its sheet's rows) for each of `versions`, read in batches."""
    for version, (_key, _name, tables) in zip(versions, source.tables_of(versions), strict=True):
        yield version, writer.part(tables)


def stored_parts(version_ids: list[int], key: str) -> dict[int, Part]:
    """The prepared rows of these versions' sheets for the layout key (those there are)."""
    from baocao06.compilation.models import UnitSheet

    found: dict[int, Part] = {}
    for batch in range(0, len(version_ids), 500):
        rows = UnitSheet.objects.filter(version_id__in=version_ids[batch : batch + 500], layout=key).values_list(
            "version_id", "rows", "max_col", "data"
        )
        for version, count, max_col, data in rows:
            found[version] = (count, max_col, bytes(data))
    return found


def store_parts(parts: dict[int, Part], key: str) -> None:
    """Keep the rows written (a version's rows for this key are the same whoever writes them first)."""
    from baocao06.compilation.models import UnitSheet

    items = list(parts.items())
    for batch in range(0, len(items), 200):
        UnitSheet.objects.bulk_create(
            [
                UnitSheet(version_id=version, layout=key, rows=count, max_col=max_col, data=data)
                for version, (count, max_col, data) in items[batch : batch + 200]
            ],
            ignore_conflicts=True,
        )


def prepare_unit_sheets(version_ids: list[int]) -> int:
    """Write and keep the national workbook's rows of each version's sheet that has none yet (run when
    a version is submitted, `compilation.tasks.prepare_unit_sheets_task`); returns how many were made."""
    import io

    from baocao06.compilation.models import UnitSheet
    from baocao06.reports.models import ReportVersion
    from baocao06.rounds.models import Round

    from .rows import Styles, Workbook
    from .xlsx import STYLE_BASE, STYLE_SPECS

    book = Workbook(io.BytesIO(), {"in_memory": True})  # only for the styles' indexes, as the workbook has them
    styles = Styles(book, STYLE_SPECS, STYLE_BASE)
    by_round: dict[int, list[int]] = {}
    for version, round_id in ReportVersion.objects.filter(pk__in=version_ids).values_list("pk", "report__round_id"):
        by_round.setdefault(round_id, []).append(version)
    made = 0
    for round_id, versions in by_round.items():
        round_ = Round.objects.defer("layout").get(pk=round_id)
        layout = round_.get_layout()
        key = sheet_layout_key(round_.layout_hash, styles)
        done = set(UnitSheet.objects.filter(version_id__in=versions, layout=key).values_list("version_id", flat=True))
        todo = [v for v in versions if v not in done]
        if not todo:
            continue
        writer = _Writer(styles, {t.key: TablePlan(t) for t in layout.tables}, {}, False)
        parts = _write_parts(writer, UnitSource(todo, layout), todo, lambda fraction, step: None, 0.0, 1.0)
        store_parts(parts, key)
        made += len(parts)
    return made


def _skeleton(wb, unit_key: str, taken: set[str]):
    """The unit's worksheet in the workbook's skeleton: name, widths, frozen panes (rows come apart)."""
    sh = wb.sheet(sheet_name(unit_key, taken), [6, 48] + [16] * 12)
    sh.ws.freeze_panes(2, 2)
    return sh


class _Writer:
    """The rows of one unit's sheet as compressed XML, without the workbook (any process can do it):
    the head (the unit's name, key and version: the snapshot's facts) and the part after it (the
    version's tables: `part`, prepared once per version)."""

    def __init__(self, styles, plans: dict, info: dict, provisional: bool):
        self.styles, self.plans, self.info, self.provisional = styles, plans, info, provisional
        self.order = list(plans)

    def part(self, tables: dict) -> Part:
        """The sheet's rows from row `HEAD_ROWS` + 1 on: the version's tables."""
        sh = Sheet(_NoBook, None, self.styles, shared=False)
        sh.next_row = HEAD_ROWS
        for key in self.order:
            if tables.get(key):
                _table(sh, self.plans[key], tables[key])
        _ref, chunks = sh.body()
        return sh.next_row, sh.max_col, b"".join(chunks)

    def body(self, unit_key: str, unit_name: str, part: Part) -> tuple[str, list[bytes]]:
        sh = Sheet(_NoBook, None, self.styles, shared=False)
        sh.row([(Label(unit_name), "title")], height=20)
        unit = self.info.get(unit_key) or {}
        line = f"Mã: {unit_key}"
        if unit.get("version"):
            line += f" — lần gửi {unit['version']}" + (" (gửi muộn)" if unit.get("late") else "")
        if self.provisional:
            line += " — TẠM TÍNH"
        sh.row([(line, "note")])
        rows, max_col, data = part
        sh.next_row, sh.max_col = max(sh.next_row, rows), max(sh.max_col, max_col)
        ref, chunks = sh.body()
        return ref, [*chunks, data]  # two raw deflate streams, each ending on a sync flush: one stream


class _NoBook:
    str_table = None  # unit sheets write their labels inline


class _Helper:
    """A forked process writing the rows of the `versions`' sheets; `result()` collects them.

    The parent's database connection is closed before the fork (each process then opens its own),
    and the child leaves by `os._exit`, so nothing of the parent's state is run twice.
    """

    def __init__(self, writer: _Writer, source: UnitSource, versions: list[int]):
        from django.db import connections

        connections.close_all()
        self.reader, writer_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(self.reader)
            status = 0
            try:
                parts = dict(_parts(writer, source, versions))
                payload = pickle.dumps(("ok", parts), protocol=pickle.HIGHEST_PROTOCOL)
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
