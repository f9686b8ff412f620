"""The small expression language of report definitions (formulas, rule checks, conditions).

Syntax is a safe subset of Python expressions: column names, numbers, 'strings', None,
+ - * /, comparisons, and/or/not, and a few functions (see FUNCTIONS). It is parsed with
`ast` and only whitelisted nodes are accepted, so a definition file cannot run code.

Empty values are None and propagate: arithmetic with None gives None, and a comparison
involving None is "not applicable" (True for checks), because a missing figure is the
business of `required`, not of a cross-field rule.
"""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any


class ExpressionError(ValueError):
    """An expression that cannot be parsed or uses something not allowed."""


def _num(value):
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _ratio(part, whole, scale=100):
    """part / whole × scale; None when either is missing or the whole is zero."""
    part, whole = _num(part), _num(whole)
    if part is None or whole is None or whole == 0:
        return None
    return (part / whole * _num(scale)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | set):
        return len(value) > 0
    return True


def _sum(*values):
    numbers = [_num(v) for v in values if v is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _coalesce(*values):
    for value in values:
        if value is not None:
            return value
    return None


def _round(value, digits=0):
    value = _num(value)
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


def _nullsafe(fn):
    def wrapper(*args):
        args = [_num(a) for a in args]
        if any(a is None for a in args):
            return None
        return fn(*args)

    return wrapper


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ratio": _ratio,
    "filled": _filled,
    "sum": _sum,
    "coalesce": _coalesce,
    "round": _round,
    "min": _nullsafe(min),
    "max": _nullsafe(max),
    "abs": _nullsafe(abs),
}
# Functions resolved by the caller's context: the round's baseline figures and its settings.
CONTEXT_FUNCTIONS = {"baseline", "setting"}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: None if b == 0 else a / b,
}
_CMPOPS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source, the column names it reads, and the functions it calls."""

    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str]
    calls: frozenset[str]
    baseline_names: frozenset[str]
    setting_names: frozenset[str] = frozenset()

    def evaluate(
        self,
        values: Mapping[str, Any],
        baseline: Callable[[str], Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ):
        return _Evaluator(values, baseline, settings).visit(self.tree.body)


# CPython 3.11 can fail with "SystemError: AST constructor recursion depth mismatch" when threads parse
# at the same moment (a race on the AST module's recursion counter, seen in the 50-writer test); parsing happens
# once per source (cached below), so one parse at a time costs nothing.
_PARSING = threading.Lock()


def parse(source: str) -> Expression:
    """Parse and check an expression; raises ExpressionError with a readable reason.

    The same source gives the same (immutable) Expression object: callers such as `taskrows.is_open`
    parse a table's `tasks.open` once per row, and the national compilation asks for it ~140,000
    times (parsing each time was most of the compile's time). Errors are not cached."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("biểu thức rỗng")
    return _parse(source)


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> Expression:
    try:
        with _PARSING:
            tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"biểu thức sai cú pháp: {exc.msg}") from exc
    names: set[str] = set()
    calls: set[str] = set()
    baseline_names: set[str] = set()
    setting_names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node)
        if isinstance(node, ast.Call):
            calls.add(node.func.id)
            if node.func.id == "baseline":
                if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                    raise ExpressionError("baseline(...) nhận đúng một tên cột")
                baseline_names.add(node.args[0].id)
            elif node.func.id == "setting":
                arg = node.args[0] if len(node.args) == 1 else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    raise ExpressionError(
                        "setting(...) nhận đúng một tên thiết lập trong dấu nháy, ví dụ setting('working_days')"
                    )
                setting_names.add(arg.value)
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONTEXT_FUNCTIONS:
            names.add(node.id)
    return Expression(
        source.strip(),
        tree,
        frozenset(names),
        frozenset(calls),
        frozenset(baseline_names),
        frozenset(setting_names),
    )


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.IfExp,
    *_BINOPS,
    *_CMPOPS,
)


def _check_node(node: ast.AST) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExpressionError(f"không được dùng '{type(node).__name__}' trong biểu thức")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError("chỉ được gọi hàm theo tên")
        if node.func.id not in FUNCTIONS and node.func.id not in CONTEXT_FUNCTIONS:
            raise ExpressionError(f"hàm không được hỗ trợ: {node.func.id}")
        if node.keywords:
            raise ExpressionError("không dùng tham số đặt tên trong hàm")
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | type(None)):
        raise ExpressionError("hằng số không hợp lệ")


class _Evaluator:
    def __init__(
        self, values: Mapping[str, Any], baseline: Callable[[str], Any] | None, settings: Mapping[str, Any] | None
    ):
        self.values = values
        self.baseline = baseline
        self.settings = settings or {}

    def visit(self, node):
        method = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    def visit_Constant(self, node):
        return _num(node.value) if isinstance(node.value, int | float) else node.value

    def visit_Name(self, node):
        return _num(self.values.get(node.id))

    def visit_Tuple(self, node):
        return tuple(self.visit(elt) for elt in node.elts)

    visit_List = visit_Tuple

    def visit_UnaryOp(self, node):
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        try:
            return _BINOPS[type(node.op)](left, right)
        except (TypeError, InvalidOperation):
            return None

    def visit_BoolOp(self, node):
        if isinstance(node.op, ast.And):
            return all(bool(self.visit(v)) for v in node.values)
        return any(bool(self.visit(v)) for v in node.values)

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if left is None or right is None:
                if isinstance(op, ast.Eq | ast.NotEq):
                    if not _CMPOPS[type(op)](left, right):
                        return False
                    left = right
                    continue
                return None  # not applicable
            try:
                if not _CMPOPS[type(op)](left, right):
                    return False
            except TypeError:
                return None
            left = right
        return True

    def visit_IfExp(self, node):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Call(self, node):
        name = node.func.id
        if name == "baseline":
            column = node.args[0].id
            return _num(self.baseline(column)) if self.baseline else None
        if name == "setting":
            return _num(self.settings.get(node.args[0].value))
        return FUNCTIONS[name](*[self.visit(arg) for arg in node.args])
