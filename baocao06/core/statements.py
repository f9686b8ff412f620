"""Simple statements built once from a model's metadata, then run with new values.

The ORM builds the SQL of every query afresh. On an autosave, the request a deadline day is made of
(QUALITY.md: ≥ 150 a second at ≤ 2× a trivial view's cost), cProfile showed about three quarters of
each statement's CPU in Django's compiler (`as_sql`, `get_select`, `get_default_columns`,
`get_related_selections`) and a quarter in the driver and the database. The helpers here build the
SQL of a statement once per model, column list and database (`functools.cache` keyed on the
connection's vendor), from `_meta`: table and column names, the backend's quoting and its row-lock
clause. They convert values as the ORM does: `get_db_prep_save` on the way in, the backend's and
the field's converters on the way out. So the rows they read and write are those that
`QuerySet.get()`, `Model.save(update_fields=...)` and `Model.save(force_insert=True)` would.

What they leave out, as `save(update_fields=...)` on these models would not need: model signals (no
receiver listens to the models they serve; `core/tests/test_statements.py` checks), `pre_save`
hooks (auto_now fields are refused), and any condition but equality (`get` reads one row by a unique
key, `values` the rows matching, `update` and `insert` one row).

Used only where a measurement asked for it: the autosave's report, token, memberships, lock, part,
writes and audit event, and a submission's task updates. Everything else stays plain ORM.
`together()` holds a block's `update` and `insert` calls and sends them in one round trip on
PostgreSQL (an autosave's three writes), one by one elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import threading
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model
from django.db.models.expressions import Col

# _SAFE: every statement here is made only of table and column names from the models' metadata, quoted
# by the backend, and of %s placeholders; values always travel as parameters.


def _alias(model, write: bool) -> str:
    return router.db_for_write(model) if write else router.db_for_read(model)


def _fields(model, names: Sequence[str], write: bool = False):
    return _field_list(model, tuple(names), write)


@functools.cache
def _field_list(model, names: tuple[str, ...], write: bool):
    """The fields of `names`: columns only, and for a write none that `pre_save` would fill in."""
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        if not field.concrete:
            raise ValueError(f"{model.__name__}.{name}: not a column")
        if write and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            raise ValueError(f"{model.__name__}.{name}: filled in by save(), which these statements skip")
        fields.append(field)
    return tuple(fields)


@functools.cache
def _select_sql(model, names, where, related, lock: bool, vendor: str, alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [f"{table}.{quote(f.column)}" for f in _fields(model, names)]
    joins = []
    for fk_name, other_names in related:
        fk = model._meta.get_field(fk_name)
        other = fk.related_model
        other_table = quote(other._meta.db_table)
        columns += [f"{other_table}.{quote(f.column)}" for f in _fields(other, other_names)]
        joins.append(
            f" INNER JOIN {other_table} ON {other_table}.{quote(fk.target_field.column)} = {table}.{quote(fk.column)}"
        )
    conditions = " AND ".join(f"{table}.{quote(f.column)} = %s" for f in _fields(model, where))
    sql = f"SELECT {', '.join(columns)} FROM {table}{''.join(joins)} WHERE {conditions}"  # noqa: S608 - see _SAFE
    if lock and connection.features.has_select_for_update:
        of = (table,) if connection.features.has_select_for_update_of else ()
        sql += " " + connection.ops.for_update_sql(of=of)
    return sql


@functools.cache
def _converters(model, names: tuple[str, ...], alias: str):
    connection = connections[alias]
    converters = []
    for field in _fields(model, names):
        col = Col(model._meta.db_table, field)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append((found, col))
    return converters


def _converted(row, converters, connection) -> list:
    """A row's values as the ORM hands them over (the backend's and the fields' converters)."""
    values = []
    for value, (found, col) in zip(row, converters, strict=True):
        for converter in found:
            value = converter(value, col, connection)
        values.append(value)
    return values


def _instance(model, names, row, alias):
    values = _converted(row, _converters(model, names, alias), connections[alias])
    return model.from_db(alias, names, values)


def _where_params(model, where: dict, connection) -> list:
    return [f.get_db_prep_value(where[k], connection) for f, k in zip(_fields(model, where), where, strict=True)]


@functools.cache
def _attnames(model, names: tuple[str, ...]) -> tuple[str, ...]:
    """Column names in the model's field order, the order `Model.from_db` takes values in; the primary
    key always (an instance without it cannot be related or refreshed)."""
    wanted = {f.attname for f in _fields(model, names)} | {model._meta.pk.attname}
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


def get(
    model: type[Model],
    names: Sequence[str],
    *,
    lock: bool = False,
    related: dict[str, Sequence[str]] | None = None,
    **where,
) -> Model | None:
    """The one row of `model` whose columns equal `where` (a unique key), with only `names` loaded,
    or None. `related` names forward foreign keys to join, each with the columns to load from its
    row (as `select_related(...).only(...)`). `lock` adds the backend's row lock on this model's row
    only (FOR UPDATE OF the table; nothing on SQLite, whose immediate transactions already hold the
    write lock). The other columns are deferred, as with `.only()`."""
    names = _attnames(model, tuple(names))
    joined = tuple(
        (fk, _attnames(model._meta.get_field(fk).related_model, tuple(cols))) for fk, cols in (related or {}).items()
    )
    keys = tuple(where)
    alias = _alias(model, write=lock)
    connection = connections[alias]
    sql = _select_sql(model, names, keys, joined, lock, connection.vendor, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, _where_params(model, where, connection))
        row = cursor.fetchone()
    if row is None:
        return None
    instance = _instance(model, names, row[: len(names)], alias)
    start = len(names)
    for fk, other_names in joined:
        other = model._meta.get_field(fk).related_model
        setattr(instance, fk, _instance(other, other_names, row[start : start + len(other_names)], alias))
        start += len(other_names)
    return instance


def values(model: type[Model], names: Sequence[str], **where) -> list[tuple]:
    """The `names` columns of every row of `model` whose columns equal `where`, converted as
    `values_list(*names)` converts them (in `names` order; no ordering)."""
    wanted = tuple(f.attname for f in _fields(model, names))
    keys = tuple(where)
    alias = _alias(model, write=False)
    connection = connections[alias]
    sql = _select_sql(model, wanted, keys, (), False, connection.vendor, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, _where_params(model, where, connection))
        rows = cursor.fetchall()
    converters = _converters(model, wanted, alias)
    if not any(found for found, _ in converters):
        return rows
    return [tuple(_converted(row, converters, connection)) for row in rows]


@functools.cache
def _update_sql(model, columns: tuple[str, ...], vendor: str, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608


def _update(instance: Model, names: Sequence[str]) -> tuple[str, str, list]:
    model = type(instance)
    fields = _fields(model, names, write=True)
    alias = _alias(model, write=True)
    connection = connections[alias]
    sql = _update_sql(model, tuple(f.column for f in fields), connection.vendor, alias)
    params = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
    params.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    return alias, sql, params


def update(instance: Model, names: Sequence[str]) -> int | None:
    """Write `names` of a stored instance by its primary key (what `save(update_fields=names)` writes);
    returns the number of rows written (None when held by `together()`)."""
    alias, sql, params = _update(instance, names)
    if _held(alias, sql, params, None):
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@functools.cache
def _insert_sql(model, vendor: str, alias: str) -> tuple[str, tuple[str, ...], bool]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = tuple(f.attname for f in model._meta.concrete_fields if f is not pk or not pk.db_returning)
    _fields(model, fields, write=True)  # refuses auto_now columns
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - see _SAFE
    returning = connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {quote(pk.column)}"
    return sql, fields, returning


def _insert(instance: Model) -> tuple[str, str, list, bool]:
    model = type(instance)
    alias = _alias(model, write=True)
    connection = connections[alias]
    sql, names, returning = _insert_sql(model, connection.vendor, alias)
    params = [model._meta.get_field(name).get_db_prep_save(getattr(instance, name), connection) for name in names]
    return alias, sql, params, returning


def _inserted(instance: Model, cursor, alias: str, returning: bool) -> None:
    model = type(instance)
    if returning:
        pk = cursor.fetchone()[0]
    else:
        pk = connections[alias].ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance.pk = pk
    instance._state.adding, instance._state.db = False, alias


def insert(instance: Model) -> Model:
    """Insert a new instance (what `save(force_insert=True)` writes) and set its primary key (at the
    end of the block when held by `together()`)."""
    alias, sql, params, returning = _insert(instance)
    if _held(alias, sql, params, (instance, returning)):
        return instance
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        _inserted(instance, cursor, alias, returning)
    return instance


# --- Several writes in one round trip ---------------------------------------------------------------

_pending = threading.local()


def _held(alias: str, sql: str, params: list, inserted) -> bool:
    held = getattr(_pending, "writes", None)
    if held is None:
        return False
    held.append((alias, sql, params, inserted))
    return True


def _joinable(connection) -> bool:
    """Whether one `execute` may carry several statements with their parameters: psycopg's client-side
    binding (Django's default cursor on PostgreSQL) merges the values into the text and sends it whole;
    sqlite3, and psycopg binding on the server, take one statement at a time."""
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get("server_side_binding")


@contextlib.contextmanager
def together():
    """Hold the `update` and `insert` calls made in the block and send them when it ends, in the order
    made, in one round trip where the backend allows it (`_joinable`), else one by one: the same rows
    written by the same statements, inside the caller's transaction. An autosave's three writes (the
    part, the report's activity, the audit event) cost one round trip instead of three.

    Only these two are held: anything else in the block runs at once, so the block must not read what
    it writes. An inserted instance gets its primary key when the block ends. Nothing is sent if the
    block raises (its transaction is being rolled back)."""
    if getattr(_pending, "writes", None) is not None:
        yield  # already inside one: its end sends these too
        return
    _pending.writes = held = []
    try:
        yield
    finally:
        _pending.writes = None
    for alias, group in itertools.groupby(held, key=lambda w: w[0]):
        _send(alias, list(group))


def _send(alias: str, writes: list) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if len(writes) > 1 and _joinable(connection):
            cursor.execute("; ".join(sql for _, sql, _, _ in writes), [p for _, _, params, _ in writes for p in params])
            for index, (_, _, _, inserted) in enumerate(writes):
                if index:
                    cursor.nextset()
                if inserted is not None:
                    _inserted(inserted[0], cursor, alias, inserted[1])
            return
        for _, sql, params, inserted in writes:
            cursor.execute(sql, params)
            if inserted is not None:
                _inserted(inserted[0], cursor, alias, inserted[1])
