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
    # The tree turned into nested closures once (`_compile`): the engine evaluates a table's formulas
    # and rules for every row of every autosave, and walking the tree each time was most of that.
    run: Callable[[tuple], Any] = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.run is None:
            object.__setattr__(self, "run", _compile(self.tree.body))

    def evaluate(
        self,
        values: Mapping[str, Any],
        baseline: Callable[[str], Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ):
        return self.run((values, baseline, settings or {}))


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


# --- Evaluation: each node becomes a closure over its children's closures ------------------------
# A closure takes `ctx` = (values, baseline lookup or None, settings). The rules are the language's
# (module docstring): None propagates through arithmetic, a comparison with None is not applicable.


def _compile(node) -> Callable[[tuple], Any]:
    return _COMPILERS[type(node)](node)


def _constant(node):
    value = _num(node.value) if isinstance(node.value, int | float) else node.value
    return lambda ctx: value


def _name(node):
    name = node.id
    return lambda ctx: _num(ctx[0].get(name))


def _sequence(node):
    items = [_compile(elt) for elt in node.elts]
    return lambda ctx: tuple(item(ctx) for item in items)


def _unary(node):
    operand = _compile(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda ctx: not operand(ctx)
    negate = isinstance(node.op, ast.USub)

    def unary(ctx):
        value = operand(ctx)
        if value is None:
            return None
        return -value if negate else value

    return unary


def _binary(node):
    left, right, op = _compile(node.left), _compile(node.right), _BINOPS[type(node.op)]

    def binary(ctx):
        a, b = left(ctx), right(ctx)
        if a is None or b is None:
            return None
        try:
            return op(a, b)
        except (TypeError, InvalidOperation):
            return None

    return binary


def _boolean(node):
    values = [_compile(v) for v in node.values]
    if isinstance(node.op, ast.And):
        return lambda ctx: all(bool(value(ctx)) for value in values)
    return lambda ctx: any(bool(value(ctx)) for value in values)


def _compare(node):
    first = _compile(node.left)
    steps = [
        (_CMPOPS[type(op)], isinstance(op, ast.Eq | ast.NotEq), _compile(comparator))
        for op, comparator in zip(node.ops, node.comparators, strict=True)
    ]

    def compare(ctx):
        left = first(ctx)
        for op, equality, comparator in steps:
            right = comparator(ctx)
            if left is None or right is None:
                if equality:
                    if not op(left, right):
                        return False
                    left = right
                    continue
                return None  # not applicable
            try:
                if not op(left, right):
                    return False
            except TypeError:
                return None
            left = right
        return True

    return compare


def _if(node):
    test, body, orelse = _compile(node.test), _compile(node.body), _compile(node.orelse)
    return lambda ctx: body(ctx) if test(ctx) else orelse(ctx)


def _call(node):
    name = node.func.id
    if name == "baseline":
        column = node.args[0].id
        return lambda ctx: _num(ctx[1](column)) if ctx[1] else None
    if name == "setting":
        key = node.args[0].value
        return lambda ctx: _num(ctx[2].get(key))
    fn, args = FUNCTIONS[name], [_compile(arg) for arg in node.args]
    return lambda ctx: fn(*[arg(ctx) for arg in args])


_COMPILERS = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Tuple: _sequence,
    ast.List: _sequence,
    ast.UnaryOp: _unary,
    ast.BinOp: _binary,
    ast.BoolOp: _boolean,
    ast.Compare: _compare,
    ast.IfExp: _if,
    ast.Call: _call,
}
