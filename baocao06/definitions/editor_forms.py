"""The editor's forms: for each kind of element, the attributes the Secretariat edits.

Each kind has a list of `EField`s — attribute, Vietnamese label, widget, and where its choices come
from (the document's audiences, tables, sections, the table's columns, unit kinds, catalogues). The
same list reads a posted form into attributes (`read_form`) and shows an element (`bound_fields`), so
a form can only ever produce what the definition format has. Whether the result makes sense is the
engine's business (spec.py), checked after every edit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from baocao06.units.kinds import UnitKind

from . import spec as fmt
from .taskrows import CarryOver, TaskSpec

COLUMN_TYPES = [
    ("text", "Văn bản"),
    ("integer", "Số nguyên"),
    ("number", "Số thập phân"),
    ("money", "Tiền (đồng)"),
    ("percent", "Tỷ lệ (%)"),
    ("choice", "Chọn một giá trị"),
    ("multichoice", "Chọn nhiều giá trị"),
    ("date", "Ngày (dd/mm/yyyy)"),
    ("deadline", "Thời hạn (Quý IV/2023, Tháng 9/2024, Thường xuyên…)"),
]
FIXED_OPTIONS = {
    "types": COLUMN_TYPES,
    "kinds": [(k.value, k.label) for k in UnitKind],
    "orientations": [("landscape", "Khổ ngang"), ("portrait", "Khổ dọc")],
    "severities": [("error", "Lỗi (chặn gửi báo cáo)"), ("warning", "Cảnh báo (không chặn)")],
    "displays": [("text", "Một ô chọn"), ("ticks", "Mỗi lựa chọn một cột, đánh dấu “x”")],
    "levels": [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")],
    "counted_levels": [
        ("reporting", "Đơn vị gửi Tổ công tác (tỉnh, bộ: số đã tổng hợp)"),
        ("lower", "Đơn vị cấp dưới (xã, sở: qua số tổng hợp của tỉnh)"),
    ],
    "counted_by": [
        ("provinces", "Các tỉnh (số toàn quốc của bộ không cộng thêm)"),
        ("ministries", "Bộ, ngành (số toàn quốc; số của tỉnh không cộng thêm)"),
    ],
}


@dataclass(frozen=True)
class EField:
    """One attribute in an element's form. `name` may be dotted (`source.number`) for nested data."""

    name: str
    label: str
    widget: str  # text textarea lines bool flag int decimal date select multi pairs mapping keys
    options: str = ""
    help: str = ""
    default: Any = None  # bool, select: the format's default (stored only when different)
    flag: str = ""  # flag: the value stored when ticked (role: label, fallback: typed)
    parts: tuple[str, ...] = ()  # pairs: the keys of each line's parts
    list_values: bool = False  # mapping: "a, b" is a list
    group: str = ""  # a heading shown before this field (long forms)


F = EField
KEY_HELP = "Chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang; không trùng."
SCHEMAS: dict[str, list[EField]] = {
    "meta": [
        F("title", "Tiêu đề đề cương (như in trong văn bản)", "textarea"),
        F("short_title", "Tên ngắn (danh sách, tên tệp)", "text"),
        F("key", "Mã mẫu", "text", help="Các phiên bản của cùng một mẫu có chung mã. " + KEY_HELP),
        F("version", "Phiên bản", "text", help="Ví dụ 2026-nam. Không trùng với phiên bản đã có của mẫu."),
        F("source.number", "Số văn bản yêu cầu", "text", group="Văn bản yêu cầu báo cáo"),
        F("source.date", "Ngày văn bản", "date"),
        F("source.issuer", "Cơ quan ban hành", "textarea"),
        F("source.subject", "Trích yếu (V/v …)", "textarea"),
    ],
    "audience": [
        F("name", "Mã nhóm", "text", help="Đổi mã thì mọi nơi dùng nhóm này đổi theo. " + KEY_HELP),
        F("label", "Tên nhóm", "text"),
        F("kinds", "Gồm các loại đơn vị", "multi", "kinds"),
        F("units", "Và các đơn vị (mã, cách nhau bởi dấu phẩy)", "keys", help="Ví dụ: BCA, VPCP, P01"),
        F("include", "Và các nhóm", "multi", "other_audiences"),
    ],
    "fieldset": [F("name", "Mã bộ trường", "text", help="Đổi mã thì mọi nơi dùng bộ trường này đổi theo. " + KEY_HELP)],
    "section": [
        F("key", "Mã mục", "text", help="Thường là số thứ tự nối bằng dấu chấm (II.3.1). " + KEY_HELP),
        F("number", "Số thứ tự in", "text", help="Ví dụ: II, 3, 3.1, (5)"),
        F("title", "Tiêu đề", "textarea"),
        F("audience", "Gửi cho", "multi", "audiences", help="Không chọn: như mục cha (mục gốc: mọi đơn vị)."),
        F("guidance", "Nội dung yêu cầu báo cáo (mỗi dòng một ý)", "lines"),
        F("fields", "Ô nhập", "fields_mode"),
        F("tables", "Phụ lục của mục", "multi", "tables"),
    ],
    "field": [
        F("key", "Mã trường", "text", help=KEY_HELP),
        F("label", "Tên trường", "text"),
        F("required", "Bắt buộc khi gửi", "bool", default=False),
        F("hint", "Gợi ý", "textarea"),
        F("max_length", "Độ dài tối đa (ký tự)", "int"),
    ],
    "use": [F("use", "Dùng bộ trường", "select", "fieldsets")],
    "summary": [
        F("table", "Đếm từ phụ lục", "select", "tables"),
        F("label", "Tiêu đề", "text"),
        F(
            "counts",
            "Các số đếm (mỗi dòng: mã | tên | điều kiện)",
            "pairs",
            parts=("key", "label", "where"),
            help="Ví dụ: completed | Tổng số nhiệm vụ đã hoàn thành | result == 'completed'",
        ),
    ],
    "table": [
        F("key", "Mã phụ lục", "text", help=KEY_HELP),
        F("number", "Số phụ lục", "text", help="In thành “Phụ lục 03”"),
        F("title", "Tên phụ lục", "textarea"),
        F("printed_as", "Tiêu đề in khác (nếu văn bản in khác số)", "text"),
        F("subtitle", "Dòng phụ đề", "text"),
        F("audience", "Gửi cho", "multi", "audiences", help="Không chọn: mọi đơn vị."),
        F("section", "Thuộc mục của đề cương", "select", "sections"),
        F("orientation", "Khổ in", "select", "orientations", default="landscape"),
        F("printed", "In thành phụ lục của văn bản", "bool", default=True),
        F("notes", "Ghi chú dưới bảng (mỗi dòng một ghi chú)", "lines"),
    ],
    "column": [
        F("key", "Mã cột", "text", help="Dùng trong công thức và quy tắc. " + KEY_HELP),
        F("label", "Tên cột", "textarea"),
        F("type", "Kiểu dữ liệu", "select", "types"),
        F("role", "Cột tên dòng (mỗi phụ lục đúng một cột)", "flag", flag="label"),
        F("required", "Bắt buộc nhập", "bool", default=False),
        F("unit", "Đơn vị tính", "text"),
        F("hint", "Hướng dẫn nhập", "textarea"),
        F("min", "Giá trị nhỏ nhất", "decimal", group="Ràng buộc"),
        F("max", "Giá trị lớn nhất", "decimal"),
        F("decimals", "Số chữ số thập phân", "int"),
        F("max_length", "Độ dài tối đa (ký tự)", "int"),
        F(
            "choices",
            "Các lựa chọn (mỗi dòng: mã | tên hiển thị)",
            "pairs",
            parts=("value", "label"),
            help="Ví dụ: completed | Đã hoàn thành",
        ),
        F("display", "Cách in lựa chọn", "select", "displays", default="text"),
        F(
            "formula",
            "Công thức (cột tự tính, đơn vị không nhập)",
            "text",
            group="Tính toán",
            help="Ví dụ: ratio(online, total) — dùng mã cột; xem hướng dẫn công thức.",
        ),
        F("fallback", "Cho đơn vị nhập tay khi công thức không tính được", "flag", flag="typed"),
        F("item_field", "Lấy sẵn từ trường của danh mục", "select", "catalogue_fields"),
        F("width", "Độ rộng cột trong tệp Excel (ký tự)", "int"),
        F("compare_with", "Hiển thị kèm giá trị của cột (phụ lục khác)", "select", "compare_targets"),
        F("consolidate", "Cấp trên tổng hợp từ đơn vị cấp dưới (cộng)", "flag", group="Các cấp", flag="sum"),
        F("counted_at", "Tính vào số liệu toàn quốc ở cấp", "select", "counted_levels"),
        F("counted_by", "Dòng do cả bộ và tỉnh báo cáo: tính số của", "select", "counted_by"),
    ],
    "header": [
        F("label", "Tiêu đề nhóm cột", "text"),
        F("columns", "Các cột trong nhóm", "multi", "columns"),
    ],
    "group": [
        F("key", "Mã nhóm dòng", "text", help=KEY_HELP),
        F("number", "Số thứ tự in", "text", help="Ví dụ: A, I"),
        F("title", "Tiêu đề nhóm", "textarea"),
        F("audience", "Gửi cho", "multi", "audiences", help="Không chọn: như phụ lục."),
        F("catalogue.name", "Lấy dòng từ danh mục", "select", "catalogues", group="Dòng của nhóm"),
        F(
            "catalogue.filter",
            "Lọc danh mục (mỗi dòng: trường = giá trị, giá trị …)",
            "mapping",
            list_values=True,
            help="Ví dụ: programme = DA06",
        ),
        F("row_audience", "Mỗi dòng danh mục gửi cho", "multi", "row_audiences"),
        F("free_rows", "Đơn vị được thêm dòng", "bool", default=False),
        F("max_free_rows", "Số dòng thêm tối đa", "int"),
    ],
    "row": [
        F("key", "Mã dòng", "text", help=KEY_HELP),
        F("number", "Số thứ tự in", "text"),
        F("label", "Tên dòng", "textarea"),
        F("level", "Cấp", "select", "levels", default="1"),
        F("heading", "Dòng tiêu đề (không nhập số liệu)", "bool", default=False),
        F("audience", "Gửi cho", "multi", "audiences", help="Không chọn: như nhóm dòng."),
        F("values", "Giá trị điền sẵn (mỗi dòng: mã cột = giá trị)", "mapping"),
    ],
    "total": [
        F("key", "Mã dòng tổng", "text", help=KEY_HELP),
        F("label", "Tên dòng tổng", "text"),
        F("sum", "Cộng các cột", "multi", "numeric_columns"),
    ],
    "rule": [
        F("key", "Mã quy tắc", "text", help=KEY_HELP),
        F("message", "Thông báo khi sai", "textarea"),
        F("check", "Điều kiện phải đúng", "text", help="Ví dụ: online <= total"),
        F("when", "Chỉ kiểm tra khi", "text", help="Ví dụ: result == 'not_completed'"),
        F("require", "Bắt buộc nhập các cột", "multi", "columns"),
        F("columns", "Báo lỗi tại cột", "multi", "columns", help="Không chọn: cột đầu tiên quy tắc nhắc tới."),
        F("severity", "Mức độ", "select", "severities", default="error"),
    ],
    "tasks": [
        F("due", "Cột thời hạn", "select", "columns"),
        F("open", "Nhiệm vụ còn mở khi", "text", help="Ví dụ: result != 'completed'"),
        F(
            "record",
            "Ghi thành nhiệm vụ (mỗi dòng: trường nhiệm vụ = mã cột)",
            "mapping",
            help="Trường: title, documents, lead, coordinating, due, result",
        ),
        F("carry_over", "Chuyển nhiệm vụ còn mở sang kỳ sau", "carry", group="Chuyển sang kỳ sau"),
        F("carry_over.set", "Giá trị gán cho dòng chuyển sang (mã cột = giá trị)", "mapping"),
        F("carry_over.clear", "Xóa các cột trên dòng chuyển sang", "multi", "columns"),
        F("carry_over.new", "Giá trị gán cho dòng đơn vị thêm mới (mã cột = giá trị)", "mapping"),
    ],
    "compilation": [
        F("services.tables", "Phụ lục dịch vụ công (cộng theo dịch vụ)", "multi", "tables", group="Dịch vụ công"),
        F("services.total", "Cột tổng số hồ sơ", "select", "numeric_columns_all"),
        F("services.online", "Cột số hồ sơ trực tuyến", "select", "numeric_columns_all"),
        F("services.savings", "Cột số tiền tiết kiệm", "select", "numeric_columns_all"),
        F("tasks", "Phụ lục nhiệm vụ (thống kê theo kết quả)", "select", "tables", group="Nhiệm vụ"),
        F("task_counts", "Đếm nhiệm vụ theo các cột", "keys", help="Mặc định: result, origin"),
        F(
            "tracker.table",
            "Phụ lục theo dõi từng nhiệm vụ",
            "select",
            "tables",
            group="Theo dõi từng nhiệm vụ (danh mục)",
        ),
        F("tracker.result", "Cột kết quả", "select", "all_columns"),
        F("tracker.cause", "Cột nguyên nhân", "select", "all_columns"),
        F("tracker.done", "Giá trị “đã thực hiện”", "text"),
        F("lists", "Phụ lục tập hợp nguyên văn theo đơn vị", "multi", "tables", group="Tập hợp theo đơn vị"),
        F("matrix", "Phụ lục ma trận lợi ích", "multi", "tables"),
        F(
            "costs.table",
            "Phụ lục chi phí tuân thủ",
            "select",
            "tables",
            group="Chi phí tuân thủ (Thông tư 02/2017/TT-VPCP)",
        ),
        F("costs.columns", "Các cột tiền cộng toàn quốc", "multi", "numeric_columns_all"),
        F("costs.saving", "Cột tiết kiệm tính được", "select", "numeric_columns_all"),
        F("costs.rate", "Cột tỷ lệ cắt giảm", "select", "numeric_columns_all"),
    ],
}
MODELS: dict[str, type[BaseModel]] = {
    "meta": fmt.Spec,
    "audience": fmt.AudienceSpec,
    "section": fmt.Section,
    "field": fmt.FieldSpec,
    "use": fmt.UseFieldset,
    "summary": fmt.Summary,
    "table": fmt.Table,
    "column": fmt.Column,
    "header": fmt.HeaderGroup,
    "group": fmt.RowGroup,
    "row": fmt.FixedRow,
    "total": fmt.Total,
    "rule": fmt.Rule,
    "tasks": TaskSpec,
    "compilation": fmt.Compilation,
}
_ = CarryOver  # the tasks form's carry_over.* fields are CarryOver's


def form_kind(kind: str, element: Any) -> str:
    """A field element is either a field or a `use: fieldset` item, with different forms."""
    if kind == "field" and isinstance(element, dict) and "use" in element:
        return "use"
    return kind


def schema(kind: str) -> list[EField]:
    return SCHEMAS[kind]


def own_attrs(kind: str) -> set[str]:
    """The top-level attributes the form of `kind` owns (nested lists are kept as they are)."""
    return {f.name.split(".", 1)[0] for f in SCHEMAS[kind]} - {"name"}


def model_order(kind: str) -> list[str]:
    return list(MODELS[kind].model_fields)


# --- reading a posted form -------------------------------------------------------------------


@dataclass
class FormResult:
    attrs: dict
    errors: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # audience / fieldset name (the key of its entry)


def read_form(kind: str, post, old: Any) -> FormResult:
    """The element's attributes from a posted form (names `a:<attribute>`); unreadable values are
    errors by attribute, and nothing is applied."""
    result = FormResult({})
    nested: dict[str, dict] = {}
    for spec in SCHEMAS[kind]:
        raw = post.getlist(f"a:{spec.name}") if spec.widget == "multi" else post.get(f"a:{spec.name}", "")
        try:
            value = _read(spec, raw, old)
        except ValueError as exc:
            result.errors[spec.name] = str(exc)
            continue
        if spec.name == "name":
            result.name = value
        elif "." in spec.name:
            outer, inner = spec.name.split(".", 1)
            nested.setdefault(outer, {})
            if value is not None:
                nested[outer][inner] = value
        else:
            result.attrs[spec.name] = value
    for outer, values in nested.items():
        result.attrs[outer] = _nested(kind, outer, values, result.attrs.get(outer))
    return result


def _nested(kind: str, outer: str, values: dict, flag: Any) -> dict | None:
    if kind == "group" and outer == "catalogue":
        return values if values.get("name") else None
    if kind == "tasks" and outer == "carry_over":
        return values if flag else None
    return values or None


def _read(spec: EField, raw, old: Any) -> Any:
    widget = spec.widget
    if widget == "multi":
        return [v for v in raw if v] or None
    text = str(raw).replace("\r\n", "\n")
    if widget == "bool":
        value = bool(raw)
        return None if value == spec.default else value
    if widget == "flag":
        return spec.flag if raw else None
    if widget in {"carry"}:
        return bool(raw) or None
    if widget == "fields_mode":
        if text == "default":
            return None
        current = old.get("fields") if isinstance(old, dict) else None
        return current if isinstance(current, list) else []
    text = text.strip()
    if not text:
        return None
    if widget == "select":
        if spec.default is not None and text == str(spec.default):
            return None
        return int(text) if spec.options == "levels" and text.isdigit() else text
    if widget in {"text", "textarea"}:
        return text
    if widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()]
    if widget == "keys":
        return [k.strip() for k in re.split(r"[,;\s]+", text) if k.strip()]
    if widget == "int":
        if not re.fullmatch(r"-?\d+", text.replace(".", "")):
            raise ValueError("Phải là số nguyên.")
        return int(text.replace(".", ""))
    if widget == "decimal":
        return _decimal(text)
    if widget == "date":
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        except ValueError:
            raise ValueError("Ngày phải có dạng dd/mm/yyyy.") from None
    if widget == "pairs":
        return _pairs(spec, text)
    if widget == "mapping":
        return _mapping(spec, text)
    raise ValueError(f"không đọc được {widget}")


def _decimal(text: str) -> int | float:
    # Vietnamese writing: 1.234,5 — a lone comma is the decimal mark; dots group thousands.
    normal = text.replace(" ", "")
    if "," in normal:
        normal = normal.replace(".", "").replace(",", ".")
    try:
        number = Decimal(normal)
    except InvalidOperation:
        raise ValueError("Phải là một số (ví dụ 0, 100 hoặc 2,5).") from None
    if not number.is_finite():
        raise ValueError("Phải là một số.")
    return int(number) if number == number.to_integral_value() else float(str(number))


def _pairs(spec: EField, text: str) -> list[dict]:
    items = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", len(spec.parts) - 1)]
        if len(parts) != len(spec.parts) or not all(parts):
            raise ValueError(f"Dòng {number}: cần {len(spec.parts)} phần cách nhau bởi “|”.")
        items.append(dict(zip(spec.parts, parts, strict=True)))
    return items


def _mapping(spec: EField, text: str) -> dict:
    mapping: dict[str, Any] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"Dòng {number}: cần dạng “mã = giá trị”.")
        value = value.strip()
        if spec.list_values and "," in value:
            mapping[name.strip()] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            mapping[name.strip()] = value
    return mapping


# --- showing an element ----------------------------------------------------------------------


@dataclass
class BoundField:
    spec: EField
    value: Any  # text for inputs, list of selected values for multi, bool for checkboxes
    options: list[tuple[str, str]]
    errors: list[str]

    @property
    def name(self) -> str:
        return f"a:{self.spec.name}"

    @property
    def id(self) -> str:
        return "e-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.spec.name)


def bound_fields(kind: str, element: Any, name: str | None, options, errors: dict[str, list[str]], post=None):
    """The form of an element: each field with its current (or just posted) value and its problems."""
    fields = []
    for spec in SCHEMAS[kind]:
        if post is not None:
            value = post.getlist(f"a:{spec.name}") if spec.widget == "multi" else post.get(f"a:{spec.name}", "")
            if spec.widget in {"bool", "flag", "carry"}:
                value = bool(value)
        else:
            value = _shown(spec, element, name)
        opts = options(spec.options) if spec.options else []
        if spec.widget == "select" and value and value not in {o[0] for o in opts}:
            opts = [*opts, (str(value), f"{value} (không có trong danh sách)")]
        if spec.widget == "multi":
            known = {o[0] for o in opts}
            opts = [*opts, *((v, f"{v} (không có trong danh sách)") for v in value if v not in known)]
        fields.append(BoundField(spec, value, opts, errors.get(spec.name, [])))
    return fields


def _get(element: Any, dotted: str) -> Any:
    node = element
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _shown(spec: EField, element: Any, name: str | None) -> Any:
    if spec.name == "name":
        return name or ""
    value = _get(element, spec.name)
    widget = spec.widget
    if widget == "multi":
        return [str(v) for v in value] if isinstance(value, list) else []
    if widget == "bool":
        return spec.default if value is None else bool(value)
    if widget == "flag":
        return value == spec.flag
    if widget == "carry":
        return value is not None
    if widget == "fields_mode":
        return "default" if value is None else "list"
    if value is None:
        return str(spec.default) if widget == "select" and spec.default is not None else ""
    if widget == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if widget == "keys":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if widget == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if widget == "decimal":
        return str(value).replace(".", ",")
    if widget == "pairs" and isinstance(value, list):
        return "\n".join(
            " | ".join(str(item.get(p, "")) for p in spec.parts) for item in value if isinstance(item, dict)
        )
    if widget == "mapping" and isinstance(value, dict):
        return "\n".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items())
    return str(value)
