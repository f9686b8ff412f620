"""Tables whose rows are tasks (the `tasks` block of a table in a definition).

A definition says which column holds a task's due time and when a task is still open; the engine
then computes overdue (never typed), and — when the table's free rows are task records — which
columns feed the task's record, and how open tasks are carried into the next round:

    tasks:
      due: due                                # overdue = open and due date before the round's cut-off
      open: "result != 'completed'"
      overdue: "result != 'recurring'"        # …and this holds (recurring work is open, never overdue)
      record: {title: content, documents: document, lead: unit, due: due, result: result}
      carry_over:
        set: {origin: carried_over}           # on rows carried from the previous round
        clear: [result, risk]                 # the new round reports its own result
        new: {origin: new}                    # on rows a unit adds in a round that has a previous one
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from . import cells, expressions

# Fields of a task record (catalogues.Task) a table column can feed.
RECORD_FIELDS = frozenset({"title", "documents", "lead", "coordinating", "due", "result"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CarryOver(_Model):
    set: dict[str, str] = Field(default_factory=dict)
    clear: list[str] = Field(default_factory=list)
    new: dict[str, str] = Field(default_factory=dict)


class TaskSpec(_Model):
    due: str | None = None
    open: str | None = None
    overdue: str | None = None
    record: dict[str, str] = Field(default_factory=dict)
    carry_over: CarryOver | None = None


def check_tasks(table) -> list[tuple[str, str]]:
    """Problems of a table's `tasks` block, as (place suffix, message)."""
    spec = table.tasks
    columns = {c.key: c for c in table.columns}
    problems: list[tuple[str, str]] = []
    if spec.due is not None:
        if spec.due not in columns:
            problems.append((".due", f"cột không tồn tại: {spec.due}"))
        elif columns[spec.due].type not in {"deadline", "date"}:
            problems.append((".due", "cột hạn phải có kiểu deadline hoặc date"))
    for name in ("open", "overdue"):
        source = getattr(spec, name)
        if source is None:
            continue
        try:
            expr = expressions.parse(source)
        except expressions.ExpressionError as exc:
            problems.append((f".{name}", str(exc)))
        else:
            problems += [(f".{name}", f"cột không tồn tại: {n}") for n in sorted(expr.names - set(columns))]
    for name, column in spec.record.items():
        if name not in RECORD_FIELDS:
            problems.append((".record", f"trường không hỗ trợ: {name} (chỉ {', '.join(sorted(RECORD_FIELDS))})"))
        if column not in columns:
            problems.append((".record", f"cột không tồn tại: {column}"))
    if spec.record and "title" not in spec.record:
        problems.append((".record", "phải có title (cột tên nhiệm vụ)"))
    if spec.carry_over is not None:
        if not spec.record:
            problems.append((".carry_over", "chuyển tiếp nhiệm vụ cần record (để giữ mã nhiệm vụ)"))
        if not any(g.free_rows for g in table.row_groups):
            problems.append((".carry_over", "phụ lục không có nhóm dòng tự do để chuyển tiếp"))
        values = {**spec.carry_over.set, **spec.carry_over.new}
        for name in [*values, *spec.carry_over.clear]:
            if name not in columns:
                problems.append((".carry_over", f"cột không tồn tại: {name}"))
        for name, value in values.items():
            column = columns.get(name)
            if column is not None and column.choices and value not in {c.value for c in column.choices}:
                problems.append((".carry_over", f"giá trị không có trong cột {name}: {value}"))
    return problems


# --- Runtime (on a layout Table, whose `tasks` is the block as a dict) ------------------------


def is_open(table, values: dict) -> bool:
    source = (table.tasks or {}).get("open")
    return True if not source else bool(expressions.parse(source).evaluate(values))


def can_be_overdue(table, values: dict) -> bool:
    """Whether an open task past its due date counts as overdue (the `overdue` expression; default yes)."""
    source = (table.tasks or {}).get("overdue")
    return True if not source else bool(expressions.parse(source).evaluate(values))


def due_date(table, values: dict) -> dt.date | None:
    column = (table.tasks or {}).get("due")
    value = values.get(column) if column else None
    if value in (None, ""):
        return None
    if table.column_index[column]["type"] == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    return cells.deadline_date(str(value))


def overdue_days(table, values: dict, reference: dt.date, *, checked: bool = False) -> int | None:
    """Days an open task is past its due date on `reference` (the round's cut-off); None if not overdue.
    `checked`: the caller has already found the task open and able to be overdue (`is_open`,
    `can_be_overdue`; the national compilation evaluates them once per distinct answer)."""
    if not (table.tasks or {}).get("due"):
        return None
    due = due_date(table, values)
    if due is None or due >= reference:
        return None
    if not checked and (not is_open(table, values) or not can_be_overdue(table, values)):
        return None
    return (reference - due).days


def typed(column: dict, value: Any) -> Any:
    """A canonical value (as in a submitted version) as a unit would type it into a draft."""
    if value is None:
        return ""
    if column["type"] in {"integer", "money", "number", "percent", "date"}:
        return cells.display(column, value)
    if column["type"] == "multichoice":
        return list(value)
    return str(value)


def carried_row(table, row: dict, key: str, group: str) -> dict:
    """The draft row of a task carried over from a previous round's submitted row."""
    carry = (table.tasks or {}).get("carry_over") or {}
    values = {}
    for column in table.columns:
        name = column["key"]
        if not table.is_input(column) or name in carry.get("clear", []):
            continue
        value = (row.get("values") or {}).get(name)
        if value is not None:
            values[name] = typed(column, value)
    values.update(carry.get("set") or {})
    return {"key": key, "group": group, "values": values}
