"""Reading a filled workbook back into draft parts, checked by the one validation engine.

`plan_import` never writes: it checks the file (safety.py), recognises the round and the unit,
reads every appendix sheet and the narrative sheet into parts shaped exactly as the browser sends
them, runs `clean_part` on each, and maps every problem back to its sheet and cell ("PL03!E12").
It then compares each part with the current draft and with the draft as it was exported, so that
only what the person changed in the file is written, and nothing newer is overwritten by accident.
`actions.do_import_workbook` commits a plan, all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

from baocao06.definitions import cells
from baocao06.definitions.validation import FREE_ROW_KEY, clean_part
from baocao06.reports.actions import context_for, normalise_part, view_for

from . import reading, sheets
from .safety import WorkbookRefused, check_upload
from .signatures import part_signature

logger = logging.getLogger("baocao06.workbooks")


@dataclass
class Note:
    """One line of an import report: where (sheet and cell), what, and how serious."""

    ref: str
    message: str
    severity: str = "error"  # error | warning | info
    place: str = ""

    def __str__(self) -> str:
        where = f"{self.ref}: " if self.ref else ""
        detail = f" ({self.place})" if self.place else ""
        return f"{where}{self.message}{detail}"


@dataclass
class ImportPlan:
    """What a workbook would change in a report, and everything wrong or ignored in it."""

    report: object
    filename: str
    sha256: str
    refusal: str | None = None
    problems: list[Note] = field(default_factory=list)
    ignored: list[Note] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    parts: dict[str, dict] = field(default_factory=dict)
    to_save: dict[str, dict] = field(default_factory=dict)
    base_revisions: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def errors(self) -> list[Note]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def refused(self) -> bool:
        return self.refusal is not None or bool(self.errors)

    def lines(self) -> list[str]:
        out = [f"Từ chối: {self.refusal}"] if self.refusal else []
        out += [f"[{'LỖI' if n.severity == 'error' else 'LƯU Ý'}] {n}" for n in self.problems]
        out += [f"[BỎ QUA] {n}" for n in self.ignored]
        out += [f"[THÔNG TIN] {n}" for n in self.notes]
        return out


def plan_import(report, data: bytes, filename: str = "", *, overwrite: bool = False) -> ImportPlan:
    """Read `data` (an uploaded .xlsx) against `report`; nothing is written."""
    plan = ImportPlan(report, filename, hashlib.sha256(data).hexdigest())
    try:
        check_upload(data, filename)
        book = reading.open_workbook(data)
    except WorkbookRefused as exc:
        plan.refusal = exc.message
        return plan
    except Exception:  # openpyxl raises many kinds on damaged files; none may reach the user as a 500
        logger.warning("workbook could not be opened: report=%s", report.pk, exc_info=True)
        plan.refusal = "Tệp .xlsx bị hỏng hoặc không đúng định dạng, không đọc được."
        return plan
    try:
        _Reader(plan, book, overwrite).run()
    except WorkbookRefused as exc:
        plan.refusal = exc.message
    except Exception:
        logger.warning("workbook could not be read: report=%s", report.pk, exc_info=True)
        plan.refusal = "Tệp .xlsx không đọc được (cấu trúc không đúng mẫu)."
    finally:
        book.close()
    return plan


class _Reader:
    def __init__(self, plan: ImportPlan, book, overwrite: bool):
        self.plan = plan
        self.book = book
        self.overwrite = overwrite
        self.report = plan.report
        self.view = view_for(self.report)
        self.context = context_for(self.report)
        self.positions: dict[tuple[str, str], int] = {}  # (part, row or field) → Excel row
        self.computed_cells: list[tuple] = []  # (sheet, column, cell, row index, row key) of fixed rows
        self.pending_computed: list[tuple] = []  # the same for free rows, whose key is known later

    def run(self) -> None:
        meta = self._check_identity()
        missing = [t.key for t in self.view.tables if t.key not in self.book.sheetnames]
        if missing:
            raise WorkbookRefused(
                f"Tệp thiếu trang {', '.join(missing)} của mẫu báo cáo; hãy tải mẫu mới và nhập lại vào mẫu đó."
            )
        for table_view in self.view.tables:
            self._read_table(sheets.TableSheet(table_view))
        if sheets.NARRATIVE_SHEET in self.book.sheetnames:
            self._read_narrative()
        else:
            self.plan.notes.append(
                Note("", f"Tệp không có trang “{sheets.NARRATIVE_SHEET}”: phần nội dung đề cương giữ nguyên.", "info")
            )
        known = {sheets.INSTRUCTIONS_SHEET, sheets.NARRATIVE_SHEET, sheets.META_SHEET, sheets.LISTS_SHEET}
        known |= {t.key for t in self.view.tables}
        for name in self.book.sheetnames:
            if name not in known:
                self.plan.ignored.append(Note(name, "Trang không thuộc mẫu báo cáo, bỏ qua.", "info"))
        self._validate()
        self._compare(meta)

    # --- identity ------------------------------------------------------------------------------

    def _check_identity(self) -> dict:
        meta = reading.read_meta(self.book)
        if meta is None or meta.get("kind") != sheets.KIND:
            raise WorkbookRefused(
                "Tệp không phải mẫu Excel tải từ hệ thống (thiếu thông tin nhận dạng ẩn). "
                "Hãy tải “Mẫu Excel” của báo cáo và nhập số liệu vào mẫu đó."
            )
        if str(meta.get("format")) != str(sheets.FORMAT):
            raise WorkbookRefused("Tệp theo mẫu Excel phiên bản cũ; hãy tải mẫu mới.")
        round_ = self.report.round
        if str(meta.get("round")) != str(round_.pk):
            raise WorkbookRefused(
                f"Tệp này thuộc kỳ báo cáo “{meta.get('round_title') or meta.get('round')}”, "
                f"không phải kỳ “{round_.title}”."
            )
        if meta.get("unit") != self.report.unit.key:
            raise WorkbookRefused(
                f"Tệp này là báo cáo của đơn vị “{meta.get('unit_name') or meta.get('unit')}”, "
                f"không phải của “{self.report.unit.name}”."
            )
        if meta.get("layout_hash") != round_.layout_hash:
            raise WorkbookRefused("Mẫu báo cáo trong tệp không khớp với kỳ báo cáo; hãy tải mẫu mới.")
        return meta

    # --- appendix sheets -------------------------------------------------------------------------

    def _read_table(self, sheet: sheets.TableSheet) -> None:
        ws = self.book[sheet.name]
        table, view = sheet.table, sheet.view
        expected = {(row, col): label for row, col, label in sheet.expected_labels()}
        found: dict[tuple[int, int], object] = {}
        part_rows: list[dict] = []
        seen_fixed: set[str] = set()
        seen_free: set[str] = set()
        new_rows: dict[str, int] = {}
        current_group: str | None = None
        for number, row in reading.rows(ws, sheet.last_col):
            index = number - 1
            if index < sheet.data_top:
                for (r, c), _label in expected.items():
                    if r == index:
                        found[(r, c)] = reading.value_of(row[c])
                continue
            if len(part_rows) > sheets_limit(table):
                raise WorkbookRefused(f"Trang {sheet.name} có quá nhiều dòng.")
            key = reading.key_of(row[sheets.KEY_COL])
            if key.startswith(sheets.GROUP_PREFIX):
                current_group = key[len(sheets.GROUP_PREFIX) :]
                continue
            if key.startswith("#"):
                continue
            if key in view.fixed_rows:
                source = view.fixed_rows[key]
                current_group = source.group
                if key in seen_fixed:
                    self._problem(sheet.name, index, sheet.col_of[table.label_column["key"]], "Dòng này bị lặp lại.")
                    continue
                seen_fixed.add(key)
                if not source.heading:
                    part_rows.append(self._fixed_row(sheet, source, row, index))
                continue
            group, slot = _free_slot(key)
            if group is None and key:
                if key in table.row_index:
                    continue  # a row of the table that is not this unit's (a copied workbook): not theirs
                group, slot = current_group, sheets.FREE_SLOT  # a row whose hidden key was typed over
            if group is None:
                group, slot = current_group, sheets.FREE_SLOT
            values = self._free_values(sheet, row, index)
            if values is None:
                continue  # an empty row
            if group not in view.free_groups:
                self._problem(
                    sheet.name,
                    index,
                    sheet.col_of[table.label_column["key"]],
                    "Dòng thêm vào chỗ không được thêm dòng; hãy chuyển nội dung vào nhóm có dòng trống.",
                )
                continue
            current_group = group
            if slot == sheets.FREE_SLOT or slot in seen_free or not FREE_ROW_KEY.match(slot):
                slot = _new_row_key(table.key, group, values, new_rows)
            seen_free.add(slot)
            self.positions[(table.key, slot)] = index
            part_rows.append({"key": slot, "group": group, "values": values})
        self._check_header(sheet, expected, found)
        for key, source in view.fixed_rows.items():
            if key not in seen_fixed and not source.heading:
                part_rows.append({"key": key, "values": self._blank_values(sheet, source)})
                self.plan.problems.append(
                    Note(
                        sheet.name,
                        f"Dòng {source.number or ''} «{source.label[:60]}» không có trong tệp; coi như để trống.",
                        "warning",
                    )
                )
        self.plan.parts[table.key] = {"rows": part_rows}

    def _check_header(self, sheet, expected, found) -> None:
        for (r, c), label in expected.items():
            if not sheets.same_label(found.get((r, c)), label):
                raise WorkbookRefused(
                    f"{sheets.cell_ref(sheet.name, r, c)}: tiêu đề cột là “{found.get((r, c)) or ''}”, mẫu cần "
                    f"“{label}”. Không thêm, xóa hay đổi chỗ cột; hãy tải mẫu mới."
                )

    def _fixed_row(self, sheet, source, row, index: int) -> dict:
        table = sheet.table
        self.positions[(table.key, source.key)] = index
        values = {}
        for column in table.columns:
            ckey, col = column["key"], sheet.col_of[column["key"]]
            readonly = column.get("role") == "label" or column.get("item_field") or ckey in source.values
            if readonly:
                self._compare_locked(sheet, column, row[col], index, source)
            elif table.is_input(column):
                values[ckey] = self._raw(sheet, column, row[col], index)
            else:
                self.computed_cells.append((sheet, column, row[col], index, source.key))
        return {"key": source.key, "values": values}

    def _free_values(self, sheet, row, index: int) -> dict | None:
        table = sheet.table
        values, typed = {}, False
        for column in table.columns:
            cell = row[sheet.col_of[column["key"]]]
            if table.is_input(column):
                values[column["key"]] = self._raw(sheet, column, cell, index)
                typed = typed or not cells.is_blank(values[column["key"]])
            elif not cells.is_blank(reading.value_of(cell)):
                self.pending_computed.append((sheet, column, cell, index))
        if not typed:
            self.pending_computed = [p for p in self.pending_computed if p[3] != index]
            return None
        return values

    def _blank_values(self, sheet, source) -> dict:
        table = sheet.table
        return {
            c["key"]: ([] if c["type"] == "multichoice" else "")
            for c in table.columns
            if table.is_input(c) and not (c.get("role") == "label" or c.get("item_field") or c["key"] in source.values)
        }

    def _raw(self, sheet, column, cell, index: int):
        try:
            return reading.raw_for(column, cell)
        except reading.FormulaInCell as exc:
            self._problem(
                sheet.name,
                index,
                sheet.col_of[column["key"]],
                f"Ô có công thức “={exc.formula.lstrip('=')}”; hệ thống không tính công thức trong tệp, "
                "hãy nhập giá trị (Dán giá trị — Paste Values).",
            )
            return ""

    def _compare_locked(self, sheet, column, cell, index: int, source) -> None:
        if cells.is_blank(reading.value_of(cell)) and column.get("role") != "label":
            return
        expected = (
            source.label
            if column.get("role") == "label"
            else source.values.get(column.get("item_field") or column["key"])
        )
        shown = reading.shown_value(column, cell)
        wanted = " ".join(cells.display(column, expected).split()) if expected is not None else ""
        if shown != wanted and shown:
            what = "tên dòng" if column.get("role") == "label" else "ô lấy từ danh mục"
            self.plan.ignored.append(
                Note(
                    sheets.cell_ref(sheet.name, index, sheet.col_of[column["key"]]),
                    f"Đã bỏ qua “{shown[:60]}”: {what}, không sửa được trong tệp (giữ “{wanted[:60]}”).",
                    "info",
                )
            )

    def _problem(self, sheet_name: str, index: int, col: int, message: str, severity: str = "error") -> None:
        self.plan.problems.append(Note(sheets.cell_ref(sheet_name, index, col), message, severity))

    # --- narrative sheet ---------------------------------------------------------------------------

    def _read_narrative(self) -> None:
        ws = self.book[sheets.NARRATIVE_SHEET]
        inputs = {s.key: s for s in self.view.input_sections()}
        texts: dict[str, dict[str, list[str]]] = {}
        header_ok = False
        for number, row in reading.rows(ws, 3):
            index = number - 1
            if index == sheets.NARRATIVE_HEADER:
                header_ok = sheets.same_label(reading.value_of(row[2]), sheets.NARRATIVE_COLUMNS[2])
                continue
            if index < sheets.NARRATIVE_TOP:
                continue
            key = reading.key_of(row[0])
            if not key or key.startswith("#"):
                if not key and not cells.is_blank(reading.value_of(row[2])):
                    self._problem(
                        sheets.NARRATIVE_SHEET, index, 2, "Nội dung ở dòng không thuộc mục nào, bỏ qua.", "warning"
                    )
                continue
            section_key, _, rest = key.partition("/")
            field_key = rest.split("/")[0]
            section = inputs.get(section_key)
            if section is None or field_key not in {f["key"] for f in section.fields}:
                continue  # a section that does not address this unit: not theirs to fill
            try:
                text = reading.as_text(row[2])
            except reading.FormulaInCell as exc:
                self._problem(
                    sheets.NARRATIVE_SHEET, index, 2, f"Ô có công thức “={exc.formula.lstrip('=')}”; hãy nhập nội dung."
                )
                text = ""
            texts.setdefault(section_key, {}).setdefault(field_key, []).append(text)
            self.positions.setdefault((section_key, field_key), index)
        if not header_ok:
            raise WorkbookRefused(
                f"{sheets.NARRATIVE_SHEET}!C{sheets.NARRATIVE_HEADER + 1}: trang nội dung không đúng mẫu; "
                "hãy tải mẫu mới."
            )
        for key, section in inputs.items():
            if key in texts:
                fields = {f["key"]: "".join(texts[key].get(f["key"], [])) for f in section.fields}
                self.plan.parts[key] = {"fields": fields}

    # --- validation and comparison -------------------------------------------------------------------

    def _validate(self) -> None:
        for key, data in list(self.plan.parts.items()):
            data = normalise_part(self.view, key, data)
            self.plan.parts[key] = data
            clean, problems = clean_part(self.view, key, data, **self.context)
            for problem in problems:
                self.plan.problems.append(self._locate(problem))
            if key in self.view.table_index:
                for ignored in clean.ignored:
                    self.plan.ignored.append(self._locate_ignored(ignored))
                self._check_computed(key, clean)

    def _locate(self, problem) -> Note:
        place = problem.place.split(" › ", 1)[1] if " › " in problem.place else ""
        if problem.part in self.view.table_index:
            sheet = sheets.TableSheet(self.view.table_index[problem.part])
            index = self.positions.get((problem.part, problem.row or ""))
            if index is None:
                return Note(problem.part, problem.message, problem.severity, place)
            table = sheet.table
            col = sheet.col_of.get(problem.column or "", sheet.col_of[table.label_column["key"]])
            return Note(sheets.cell_ref(problem.part, index, col), problem.message, problem.severity, place)
        index = self.positions.get((problem.part, problem.field or ""))
        ref = sheets.cell_ref(sheets.NARRATIVE_SHEET, index, sheets.NARRATIVE_TEXT_COL) if index is not None else ""
        return Note(ref, problem.message, problem.severity, problem.place)

    def _locate_ignored(self, ignored) -> Note:
        sheet = sheets.TableSheet(self.view.table_index[ignored.part])
        index = self.positions.get((ignored.part, ignored.row or ""))
        col = sheet.col_of.get(ignored.column)
        ref = sheets.cell_ref(ignored.part, index, col) if index is not None and col is not None else ignored.part
        return Note(ref, f"Đã bỏ qua: {ignored.reason}.", "info")

    def _check_computed(self, key: str, result) -> None:
        """A value typed over a computed cell is reported as ignored, with what the system computed."""
        values = {r.key: r.values for r in result.rows}
        for sheet, column, cell, index, row_key in [c for c in self.computed_cells if c[0].name == key] + [
            (*c, _row_at(self.positions, key, c[3])) for c in self.pending_computed if c[0].name == key
        ]:
            computed = values.get(row_key, {}).get(column["key"])
            shown = reading.shown_value(column, cell)
            wanted = cells.display(column, computed) if computed is not None else ""
            if shown and shown != wanted:
                try:
                    typed = reading.as_text(cell).strip()
                except reading.FormulaInCell as exc:
                    typed = "=" + exc.formula.lstrip("=")
                self.plan.ignored.append(
                    Note(
                        sheets.cell_ref(sheet.name, index, sheet.col_of[column["key"]]),
                        f"Đã bỏ qua “{typed[:40]}” ở cột «{column['label']}»: ô tính tự động"
                        + (f", hệ thống tính được {wanted}." if wanted else "."),
                        "info",
                    )
                )

    def _compare(self, meta: dict) -> None:
        plan = self.plan
        exported = meta.get("parts") or {}
        current = {p.key: p for p in self.report.parts.select_related("updated_by")}
        for key, data in plan.parts.items():
            part = current.get(key)
            revision = part.revision if part else 0
            in_file = part_signature(self.view, key, data, self.context)
            if in_file == part_signature(self.view, key, part.data if part else None, self.context):
                plan.unchanged.append(key)
                continue
            before = exported.get(key) if isinstance(exported.get(key), dict) else None
            if before is not None and in_file == before.get("signature"):
                plan.kept_newer.append(key)
                plan.notes.append(
                    Note(
                        key,
                        "Phần này không sửa trong tệp nhưng đã được sửa trên hệ thống sau khi tải tệp; "
                        "giữ bản trên hệ thống.",
                        "info",
                    )
                )
                continue
            if before is not None and before.get("revision") != revision and not self.overwrite:
                plan.conflicts.append(key)
                who = f" bởi {part.updated_by}" if part and part.updated_by else ""
                plan.problems.append(
                    Note(
                        key,
                        f"Phần này đã được sửa trên hệ thống{who} sau khi tải tệp (lần sửa {revision}) và cũng được "
                        "sửa trong tệp. Để không ghi đè, hãy tải tệp mới và nhập lại, hoặc chọn “Ghi đè”.",
                    )
                )
                continue
            plan.to_save[key] = data
            plan.base_revisions[key] = revision


def sheets_limit(table) -> int:
    return sum(g.max_free_rows for g in table.groups) + len(table.row_index) + 100


def _free_slot(key: str) -> tuple[str | None, str]:
    if "/" not in key:
        return None, ""
    group, _, slot = key.partition("/")
    return group, slot


def _new_row_key(table: str, group: str, values: dict, seen: dict[str, int]) -> str:
    """A key for a new free row, the same for the same row in the same file (importing twice is a no-op)."""
    text = json.dumps([table, group, values], sort_keys=True, ensure_ascii=False)
    seen[text] = seen.get(text, 0) + 1
    digest = hashlib.sha256(f"{text}#{seen[text]}".encode()).hexdigest()[:12]
    return f"nx{digest}"


def _row_at(positions: dict, part: str, index: int) -> str:
    return next((row for (p, row), i in positions.items() if p == part and i == index), "")
