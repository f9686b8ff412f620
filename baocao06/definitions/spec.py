"""The report definition file format (docs/definition-format.md): parsing and checking.

`load_spec(text)` turns a YAML file into a checked `Spec` or raises `SpecError` listing every
problem with its place ("appendices[PL03].rules[online_le_total].check: ..."). Structure is
checked by pydantic (unknown keys and types are refused); meaning is checked by `_check`
(duplicate keys, references to missing columns, sections, audiences, catalogues, cycles).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from baocao06.units.kinds import UnitKind

from . import expressions
from .taskrows import TaskSpec, check_tasks

FORMAT_VERSION = 1
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=60)]
ColumnType = Literal["text", "integer", "number", "money", "percent", "choice", "multichoice", "date", "deadline"]
# In a row group's row_audience: the units the catalogue item itself names (owner, lead units).
ITEM_AUDIENCE = "item"
NUMERIC_TYPES = frozenset({"integer", "number", "money", "percent"})
# The round settings a formula may read with setting('name') (rounds/settings.py holds their values).
FORMULA_SETTINGS = ("income_per_month", "working_days", "working_hours")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    value: Key
    label: str


class Column(_Model):
    key: Key
    label: str
    type: ColumnType
    role: Literal["label"] | None = None
    unit: str | None = None
    hint: str | None = None
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)
    max_length: int = Field(default=4000, ge=1, le=100_000)
    choices: list[Choice] | None = None
    display: Literal["text", "ticks"] = "text"
    formula: str | None = None
    fallback: Literal["none", "typed"] = "none"
    item_field: str | None = None
    width: int | None = Field(default=None, ge=4, le=120)
    # "TABLE.column": the same row of that table is shown beside this cell (typed vs computed savings).
    compare_with: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\.[A-Za-z0-9_\-]+$")
    # Reported below: a province's (ministry's) figure is the sum over its accepted lower units.
    consolidate: Literal["sum"] | None = None
    # The level the national total counts the figure at (docs/definition-format.md, "Levels").
    counted_at: Literal["reporting", "lower"] | None = None
    # Where a row is answered both by ministries (a nationwide figure) and by provinces: whose figures
    # the national total adds; the others' are shown beside it, never added.
    counted_by: Literal["provinces", "ministries"] | None = None


class HeaderGroup(_Model):
    label: str
    columns: list[Key] = Field(min_length=1)


class FixedRow(_Model):
    key: Key
    label: str
    number: str | None = None
    level: int = Field(default=1, ge=1, le=4)
    heading: bool = False
    audience: list[str] | None = None
    values: dict[str, Any] = Field(default_factory=dict)


class CatalogueRef(_Model):
    name: str
    filter: dict[str, str | list[str]] = Field(default_factory=dict)


class RowGroup(_Model):
    key: Key
    title: str | None = None
    number: str | None = None
    audience: list[str] | None = None
    rows: list[FixedRow] = Field(default_factory=list)
    catalogue: CatalogueRef | None = None
    row_audience: list[str] | None = None
    free_rows: bool = False
    max_free_rows: int = Field(default=500, ge=1, le=5000)


class Total(_Model):
    key: Key = "total"
    label: str
    sum: list[Key] = Field(min_length=1)


class Rule(_Model):
    key: Key
    message: str
    check: str | None = None
    when: str | None = None
    require: list[Key] = Field(default_factory=list)
    columns: list[Key] | None = None
    severity: Literal["error", "warning"] = "error"


class Table(_Model):
    key: Key
    number: str
    title: str
    printed_as: str | None = None
    subtitle: str | None = None
    audience: list[str] | None = None
    section: str | None = None
    orientation: Literal["portrait", "landscape"] = "landscape"
    columns: list[Column] = Field(min_length=1)
    header: list[HeaderGroup] = Field(default_factory=list)
    row_groups: list[RowGroup] = Field(min_length=1)
    totals: list[Total] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    printed: bool = True  # false: collected from units but not printed as an appendix of the dispatch
    tasks: TaskSpec | None = None  # rows are tasks: overdue, task records, carry-over (taskrows.py)


class FieldSpec(_Model):
    key: Key
    label: str
    required: bool = False
    hint: str | None = None
    max_length: int = Field(default=50_000, ge=1, le=1_000_000)


class UseFieldset(_Model):
    use: str


class Count(_Model):
    key: Key
    label: str
    where: str


class Summary(_Model):
    table: Key
    label: str | None = None
    counts: list[Count] = Field(min_length=1)


class Section(_Model):
    key: Key
    title: str
    number: str | None = None
    audience: list[str] | None = None
    guidance: list[str] = Field(default_factory=list)
    fields: list[FieldSpec | UseFieldset] | None = None
    children: list[Section] = Field(default_factory=list)
    tables: list[Key] = Field(default_factory=list)
    summary: Summary | None = None


class AudienceSpec(_Model):
    label: str | None = None
    kinds: list[UnitKind] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)


class Source(_Model):
    number: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    subject: str | None = None


class ServiceCompilation(_Model):
    """How the national report sums the service tables (PL03/PL04/PL05 in 4709)."""

    tables: list[Key] = Field(min_length=1)
    total: Key  # applications received
    online: Key  # of which online
    savings: Key  # typed savings, the ranking's and the cost comparison's figure


class TrackerCompilation(_Model):
    table: Key
    result: Key
    cause: Key
    done: str  # the result value that counts as done


class CostCompilation(_Model):
    table: Key  # rows keyed like the service tables' rows
    columns: list[Key] = Field(min_length=1)  # computed money columns summed nationally
    saving: Key  # the computed saving, shown beside the typed one
    rate: Key | None = None  # a rate column recomputed from the sums by its own formula (cut rate)


class Compilation(_Model):
    """What the national compilation does with the appendices (docs/national-format.md)."""

    services: ServiceCompilation | None = None
    tasks: Key | None = None  # the table whose rows are counted by result and origin (PL01)
    task_counts: list[Key] = Field(default_factory=lambda: ["result", "origin"])
    tracker: TrackerCompilation | None = None
    lists: list[Key] = Field(default_factory=list)  # rows gathered as they are, grouped by unit (PL06)
    matrix: list[Key] = Field(default_factory=list)  # cells gathered with their source unit (PL07)
    costs: CostCompilation | None = None
    # What the national workbook prints after an appendix's heading on its sheet's title row
    # ("PHỤ LỤC 02 — <this>"); an appendix not named here prints its heading alone.
    sheet_titles: dict[Key, str] = Field(default_factory=dict)


class Spec(_Model):
    format: Literal[1]
    key: Key
    version: Key
    title: str
    short_title: str | None = None
    source: Source = Field(default_factory=Source)
    audiences: dict[Key, AudienceSpec] = Field(min_length=1)
    fieldsets: dict[Key, list[FieldSpec | UseFieldset]] = Field(default_factory=dict)
    outline: list[Section] = Field(min_length=1)
    appendices: list[Table] = Field(default_factory=list)
    compilation: Compilation = Field(default_factory=Compilation)

    def walk_sections(self) -> Iterable[tuple[Section, Section | None]]:
        stack = [(section, None) for section in reversed(self.outline)]
        while stack:
            section, parent = stack.pop()
            yield section, parent
            stack.extend((child, section) for child in reversed(section.children))


DEFAULT_FIELD = FieldSpec(key="body", label="Nội dung báo cáo")


class SpecError(ValueError):
    """A definition file that cannot be used; `problems` is a list of (place, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{place}: {message}" for place, message in problems))


# --- YAML -------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SpecError(
                [(f"dòng {key_node.start_mark.line + 1}", f"khóa '{key}' bị lặp (đã có ở dòng {seen[key]})")]
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"dòng {mark.line + 1}" if mark else "tệp"
        raise SpecError([(place, f"YAML không hợp lệ: {getattr(exc, 'problem', exc)}")]) from exc


# --- Loading ----------------------------------------------------------------------------------


def load_spec(text: str, catalogues: Mapping[str, frozenset[str]] | None = None) -> Spec:
    """Parse and check a definition; `catalogues` maps catalogue names to their item fields."""
    return spec_from_data(parse_yaml(text), catalogues)


def spec_from_data(data: Any, catalogues: Mapping[str, frozenset[str]] | None = None) -> Spec:
    """Check a definition document (what the YAML file holds, as plain data): the same checks as
    `load_spec`, used by the Secretariat's editor on every change."""
    if not isinstance(data, dict):
        raise SpecError([("tệp", "định nghĩa phải là một bảng khóa: giá trị (YAML mapping)")])
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        errors = [err for err in exc.errors() if _relevant(data, err["loc"])]
        raise SpecError([(_place(data, err["loc"]), _message(err)) for err in errors]) from None
    problems = _check(spec, catalogues)
    if problems:
        raise SpecError(problems)
    return spec


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "khóa không được hỗ trợ",
    "missing": "thiếu khóa bắt buộc",
    "literal_error": "giá trị không hợp lệ, phải là một trong: {expected}",
    "enum": "giá trị không hợp lệ, phải là một trong: {expected}",
    "string_pattern_mismatch": "mã không hợp lệ (chỉ chữ không dấu, số, '.', '_' và '-')",
    "too_short": "danh sách không được rỗng",
    "string_type": "phải là một chuỗi ký tự",
    "string_too_long": "quá dài",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "decimal_parsing": "phải là một số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "date_from_datetime_parsing": "ngày không hợp lệ (YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (YYYY-MM-DD)",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
}
# A narrative field is either a field or `use: fieldset`; pydantic reports both readings of a broken
# item — keep only the one the item was meant as (it has `use` or it does not).
_FIELD_TAGS = {"FieldSpec": False, "UseFieldset": True}


def _relevant(data: Any, loc: tuple) -> bool:
    node = data
    for step in loc:
        if isinstance(step, str) and step in _FIELD_TAGS:
            return isinstance(node, dict) and ("use" in node) == _FIELD_TAGS[step]
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return True
    return True


def _message(err: dict) -> str:
    template = _PYDANTIC_MESSAGES.get(err["type"])
    if template:
        ctx = err.get("ctx") or {}
        return template.format(expected=ctx.get("expected", ""), ge=ctx.get("ge", ""), le=ctx.get("le", ""))
    return err["msg"]


def _place(data: Any, loc: tuple) -> str:
    """Render a pydantic location with the keys of the items it passes through."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            node = node[step] if step < len(node) else None
            label = node.get("key") if isinstance(node, dict) and isinstance(node.get("key"), str) else step
            parts[-1:] = [f"{parts[-1]}[{label}]"] if parts else [f"[{label}]"]
        elif isinstance(step, str):
            if step in {"FieldSpec", "UseFieldset"}:
                continue
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(step)
    return ".".join(parts) or "tệp"


# --- Meaning ----------------------------------------------------------------------------------


def _duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for key in keys:
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
    return dups


def _check(spec: Spec, catalogues: Mapping[str, frozenset[str]] | None) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    add = lambda place, message: problems.append((place, message))  # noqa: E731

    problems += _check_audiences(spec)
    problems += _check_fieldsets(spec)
    audience_names = set(spec.audiences)
    table_keys = [t.key for t in spec.appendices]
    for key in _duplicates(table_keys):
        add(f"appendices[{key}]", "mã phụ lục bị lặp")
    # The number is the appendix's name in every national output (compilation/outputs/numbering.py).
    for number in _duplicates(t.number for t in spec.appendices if t.printed):
        add(f"appendices[{number}]", "số phụ lục bị lặp: mỗi phụ lục in ra cần một số riêng")
    section_keys = [s.key for s, _ in spec.walk_sections()]
    for key in _duplicates(section_keys):
        add(f"outline[{key}]", "mã mục bị lặp")

    for section, _parent in spec.walk_sections():
        place = f"outline[{section.key}]"
        for name in section.audience or []:
            if name not in audience_names:
                add(f"{place}.audience", f"nhóm đối tượng không tồn tại: {name}")
        for key in section.tables:
            if key not in table_keys:
                add(f"{place}.tables", f"phụ lục không tồn tại: {key}")
        field_keys = [f.key for f in expand_fields(spec, section.fields or [])]
        for key in _duplicates(field_keys):
            add(f"{place}.fields", f"mã trường bị lặp: {key}")
        if section.summary:
            problems += _check_summary(spec, section, place)

    for table in spec.appendices:
        problems += _check_table(spec, table, set(section_keys), audience_names, catalogues)
        problems += _check_comparisons(spec, table)
        problems += _check_levels(table)
    problems += _check_compilation(spec)
    return problems


def _check_compilation(spec: Spec) -> list[tuple[str, str]]:
    """Every table and column the compilation block names must exist."""
    problems: list[tuple[str, str]] = []
    tables = {t.key: {c.key for c in t.columns} for t in spec.appendices}
    block = spec.compilation

    def need(place: str, table: str, columns: Iterable[str] = ()) -> None:
        if table not in tables:
            problems.append((f"compilation.{place}", f"phụ lục không tồn tại: {table}"))
            return
        for column in columns:
            if column not in tables[table]:
                problems.append((f"compilation.{place}", f"{table} không có cột {column}"))

    if block.services:
        for key in block.services.tables:
            need("services", key, [block.services.total, block.services.online, block.services.savings])
    if block.tasks:
        need("tasks", block.tasks, block.task_counts)
    if block.tracker:
        need("tracker", block.tracker.table, [block.tracker.result, block.tracker.cause])
    for key in block.lists:
        need("lists", key)
    for key in block.matrix:
        need("matrix", key)
    if block.costs:
        rate = [block.costs.rate] if block.costs.rate else []
        need("costs", block.costs.table, [*block.costs.columns, block.costs.saving, *rate])
    for key in block.sheet_titles:
        need("sheet_titles", key)
    return problems


def _check_levels(table: Table) -> list[tuple[str, str]]:
    """A consolidated figure is a typed number: a sum of texts or of computed ratios means nothing."""
    problems = []
    for column in table.columns:
        place = f"appendices[{table.key}].columns[{column.key}]"
        if column.consolidate and (column.type not in NUMERIC_TYPES or column.type == "percent" or column.formula):
            problems.append((f"{place}.consolidate", "chỉ cộng được cột số đơn vị nhập (không phải tỷ lệ)"))
        if column.counted_at == "lower" and not column.consolidate:
            problems.append((f"{place}.counted_at", "cột tính ở cấp dưới phải được tổng hợp (consolidate: sum)"))
        if column.counted_by and (column.type not in NUMERIC_TYPES or column.type == "percent" or column.formula):
            problems.append((f"{place}.counted_by", "chỉ chọn cấp tính cho cột số đơn vị nhập (không phải tỷ lệ)"))
    return problems


def _check_comparisons(spec: Spec, table: Table) -> list[tuple[str, str]]:
    problems = []
    tables = {t.key: t for t in spec.appendices}
    for column in table.columns:
        if not column.compare_with:
            continue
        place = f"appendices[{table.key}].columns[{column.key}].compare_with"
        other_key, other_column = column.compare_with.rsplit(".", 1)
        other = tables.get(other_key)
        if other is None or other is table:
            problems.append((place, f"phụ lục không tồn tại hoặc là chính phụ lục này: {other_key}"))
            continue
        target = next((c for c in other.columns if c.key == other_column), None)
        if target is None:
            problems.append((place, f"cột không tồn tại trong {other_key}: {other_column}"))
        elif column.type not in NUMERIC_TYPES or target.type not in NUMERIC_TYPES:
            problems.append((place, "chỉ so sánh hai cột số"))
    return problems


def _check_audiences(spec: Spec) -> list[tuple[str, str]]:
    problems = []
    for name, audience in spec.audiences.items():
        for other in audience.include:
            if other not in spec.audiences:
                problems.append((f"audiences[{name}].include", f"nhóm đối tượng không tồn tại: {other}"))
        if not (audience.kinds or audience.units or audience.include):
            problems.append((f"audiences[{name}]", "nhóm đối tượng rỗng"))
    # Cycles in include.
    for name in spec.audiences:
        seen, stack = set(), [name]
        while stack:
            current = stack.pop()
            for other in spec.audiences.get(current, AudienceSpec(units=["_"])).include:
                if other == name:
                    problems.append((f"audiences[{name}].include", "nhóm đối tượng tự bao gồm chính nó"))
                    stack = []
                    break
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
    return problems


def _check_fieldsets(spec: Spec) -> list[tuple[str, str]]:
    problems = []
    for name, items in spec.fieldsets.items():
        try:
            expand_fields(spec, items, trail=(name,))
        except SpecError as exc:
            problems += [(f"fieldsets[{name}]", message) for _, message in exc.problems]
    return problems


def expand_fields(spec: Spec, items: list[FieldSpec | UseFieldset], trail: tuple[str, ...] = ()) -> list[FieldSpec]:
    """Replace `use: fieldset` items by the fields of that fieldset (recursively)."""
    fields: list[FieldSpec] = []
    for item in items:
        if isinstance(item, FieldSpec):
            fields.append(item)
            continue
        if item.use in trail:
            raise SpecError([("fieldsets", f"bộ trường '{item.use}' tự tham chiếu")])
        if item.use not in spec.fieldsets:
            raise SpecError([("fields", f"bộ trường không tồn tại: {item.use}")])
        fields.extend(expand_fields(spec, spec.fieldsets[item.use], (*trail, item.use)))
    return fields


def _check_summary(spec: Spec, section: Section, place: str) -> list[tuple[str, str]]:
    problems = []
    table = next((t for t in spec.appendices if t.key == section.summary.table), None)
    if table is None:
        return [(f"{place}.summary.table", f"phụ lục không tồn tại: {section.summary.table}")]
    columns = {c.key for c in table.columns}
    for count in section.summary.counts:
        try:
            expr = expressions.parse(count.where)
        except expressions.ExpressionError as exc:
            problems.append((f"{place}.summary.counts[{count.key}].where", str(exc)))
            continue
        problems += [(f"{place}.summary.counts[{count.key}].where", m) for m in _unknown_settings(expr)]
        for name in sorted(expr.names - columns):
            problems.append(
                (f"{place}.summary.counts[{count.key}].where", f"cột không tồn tại trong {table.key}: {name}")
            )
    return problems


def _check_table(spec, table: Table, section_keys, audience_names, catalogues) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    place = f"appendices[{table.key}]"
    add = lambda where, message: problems.append((f"{place}{where}", message))  # noqa: E731
    columns = {c.key: c for c in table.columns}

    for key in _duplicates(c.key for c in table.columns):
        add(f".columns[{key}]", "mã cột bị lặp")
    labels = [c.key for c in table.columns if c.role == "label"]
    if len(labels) != 1:
        add(".columns", "phải có đúng một cột tên dòng (role: label)")
    if table.section and table.section not in section_keys:
        add(".section", f"mục không tồn tại: {table.section}")
    for name in table.audience or []:
        if name not in audience_names:
            add(".audience", f"nhóm đối tượng không tồn tại: {name}")

    for column in table.columns:
        problems += [(f"{place}.columns[{column.key}]{w}", m) for w, m in _check_column(column, columns)]
    problems += [(f"{place}.columns", m) for m in _formula_cycles(table)]

    for group in table.header:
        for key in group.columns:
            if key not in columns:
                add(".header", f"cột không tồn tại: {key}")

    for key in _duplicates(g.key for g in table.row_groups):
        add(f".row_groups[{key}]", "mã nhóm dòng bị lặp")
    row_keys = [r.key for g in table.row_groups for r in g.rows]
    for key in _duplicates(row_keys):
        add(".row_groups", f"mã dòng bị lặp: {key}")
    for group in table.row_groups:
        gplace = f".row_groups[{group.key}]"
        for name in group.audience or []:
            if name not in audience_names:
                add(f"{gplace}.audience", f"nhóm đối tượng không tồn tại: {name}")
        for name in group.row_audience or []:
            if name == ITEM_AUDIENCE:
                if not group.catalogue:
                    add(f"{gplace}.row_audience", "'item' chỉ dùng cho nhóm dòng lấy từ danh mục")
            elif name not in audience_names:
                add(f"{gplace}.row_audience", f"nhóm đối tượng không tồn tại: {name}")
        for row in group.rows:
            for name in row.audience or []:
                if name not in audience_names:
                    add(f"{gplace}.rows[{row.key}].audience", f"nhóm đối tượng không tồn tại: {name}")
            for key in row.values:
                if key not in columns:
                    add(f"{gplace}.rows[{row.key}].values", f"cột không tồn tại: {key}")
        if group.catalogue:
            if catalogues is not None and group.catalogue.name not in catalogues:
                add(f"{gplace}.catalogue", f"danh mục không tồn tại: {group.catalogue.name}")
            elif catalogues is not None:
                fields = catalogues[group.catalogue.name]
                for name in group.catalogue.filter:
                    if name not in fields:
                        add(f"{gplace}.catalogue.filter", f"danh mục {group.catalogue.name} không có trường: {name}")
                for column in table.columns:
                    if column.item_field and column.item_field not in fields:
                        add(
                            f".columns[{column.key}].item_field",
                            f"danh mục {group.catalogue.name} không có trường: {column.item_field}",
                        )
        if not (group.rows or group.catalogue or group.free_rows):
            add(gplace, "nhóm dòng không có dòng cố định, danh mục hay dòng tự do")

    for total in table.totals:
        for key in total.sum:
            if key not in columns:
                add(f".totals[{total.key}]", f"cột không tồn tại: {key}")
            elif columns[key].type not in NUMERIC_TYPES:
                add(f".totals[{total.key}]", f"cột {key} không phải cột số, không cộng được")

    if table.tasks is not None:
        problems += [(f"{place}.tasks{w}", m) for w, m in check_tasks(table)]
    for key in _duplicates(r.key for r in table.rules):
        add(f".rules[{key}]", "mã quy tắc bị lặp")
    for rule in table.rules:
        problems += [(f"{place}.rules[{rule.key}]{w}", m) for w, m in _check_rule(rule, columns)]
    return problems


def _check_column(column: Column, columns: Mapping[str, Column]) -> list[tuple[str, str]]:
    problems = []
    if column.type in {"choice", "multichoice"}:
        if not column.choices:
            problems.append((".choices", "cột lựa chọn phải có danh sách choices"))
        elif _duplicates(c.value for c in column.choices):
            problems.append((".choices", "giá trị lựa chọn bị lặp"))
    elif column.choices:
        problems.append((".choices", f"cột kiểu {column.type} không có choices"))
    if column.display == "ticks" and column.type != "choice":
        problems.append((".display", "display: ticks chỉ dùng cho cột choice"))
    if (
        column.min is not None or column.max is not None or column.decimals is not None
    ) and column.type not in NUMERIC_TYPES:
        problems.append(("", f"min/max/decimals chỉ dùng cho cột số, không cho kiểu {column.type}"))
    if column.role == "label" and column.type != "text":
        problems.append((".role", "cột tên dòng phải là kiểu text"))
    if column.formula is not None:
        if column.type not in NUMERIC_TYPES:
            problems.append((".formula", "chỉ cột số mới có công thức"))
        try:
            expr = expressions.parse(column.formula)
        except expressions.ExpressionError as exc:
            problems.append((".formula", str(exc)))
        else:
            for name in sorted((expr.names | expr.baseline_names) - set(columns)):
                problems.append((".formula", f"cột không tồn tại: {name}"))
            problems += [(".formula", m) for m in _unknown_settings(expr)]
            if column.key in expr.names:
                problems.append((".formula", "công thức không được dùng chính cột của nó"))
    elif column.fallback != "none":
        problems.append((".fallback", "fallback chỉ dùng cho cột có công thức"))
    return problems


def _unknown_settings(expr: expressions.Expression) -> list[str]:
    known = ", ".join(FORMULA_SETTINGS)
    return [
        f"thiết lập không tồn tại: {name} (dùng: {known})"
        for name in sorted(expr.setting_names - set(FORMULA_SETTINGS))
    ]


def _formula_cycles(table: Table) -> list[str]:
    deps = {}
    for column in table.columns:
        if column.formula:
            try:
                deps[column.key] = set(expressions.parse(column.formula).names)
            except expressions.ExpressionError:
                deps[column.key] = set()
    try:
        formula_order(deps)
    except ValueError as exc:
        return [str(exc)]
    return []


def formula_order(deps: Mapping[str, set[str]]) -> list[str]:
    """Computed columns in an order where each comes after the computed columns it reads."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(key: str, trail: tuple[str, ...]):
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise ValueError("công thức vòng tròn: " + " → ".join((*trail, key)))
        state[key] = 1
        for dep in sorted(deps.get(key, ())):
            if dep in deps:
                visit(dep, (*trail, key))
        state[key] = 2
        order.append(key)

    for key in deps:
        visit(key, ())
    return order


def _check_rule(rule: Rule, columns: Mapping[str, Column]) -> list[tuple[str, str]]:
    problems = []
    if not rule.check and not rule.require:
        problems.append(("", "quy tắc phải có check hoặc require"))
    for attr in ("check", "when"):
        source = getattr(rule, attr)
        if source is None:
            continue
        try:
            expr = expressions.parse(source)
        except expressions.ExpressionError as exc:
            problems.append((f".{attr}", str(exc)))
            continue
        for name in sorted((expr.names | expr.baseline_names) - set(columns)):
            problems.append((f".{attr}", f"cột không tồn tại: {name}"))
        problems += [(f".{attr}", m) for m in _unknown_settings(expr)]
    for attr in ("require", "columns"):
        for key in getattr(rule, attr) or []:
            if key not in columns:
                problems.append((f".{attr}", f"cột không tồn tại: {key}"))
    return problems


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")
