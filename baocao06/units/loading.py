"""Reading the official unit lists in data/units/ and writing them into `Unit`.

Two steps, so a bad file never leaves half a list behind: `read_*` parses and checks a file
(its only query: whether a successor named outside the files exists), `load_*` writes what was
read in one transaction. Loading is an upsert by
`key`, so running it again changes nothing, and fields the files do not carry (email, parent of a
central body) are left as administrators set them.

Errors are `LoadError`s with a Vietnamese message that names the file and line, because the people
who fix the files read them in a text editor or a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from baocao06.audit import actions as audit
from baocao06.core.vietnamese import collation_key, format_number

from .kinds import KIND_ORDER, UnitKind
from .models import Unit

UNIT_FILES = ("central.csv", "corporations.csv", "provinces.csv")
UNIT_COLUMNS = (
    "key",
    "code",
    "name",
    "full_name",
    "short_name",
    "kind",
    "valid_from",
    "valid_to",
    "successor",
    "notes",
)
COMMUNE_FILE = "communes-2025.csv"
COMMUNE_COLUMNS = ("key", "code", "name", "kind_label", "province_code")
# The three kinds of commune-level unit since 01/7/2025; the label starts the full name.
COMMUNE_LABELS = {"xã": "Xã", "phường": "Phường", "đặc khu": "Đặc khu"}
# Decision 19/2025/QĐ-TTg: the 3,321 communes exist from the day districts were abolished.
COMMUNES_VALID_FROM = dt.date(2025, 7, 1)

_KEY = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COMMUNE_CODE = re.compile(r"^\d{5}$")
_PROVINCE_CODE = re.compile(r"^\d{2}$")
_KEY_LENGTH = Unit._meta.get_field("key").max_length


class LoadError(ValueError):
    """A data file that cannot be loaded; the message names the file and the line."""


@dataclass(frozen=True)
class UnitRow:
    """One line of central.csv, corporations.csv or provinces.csv, checked and normalised."""

    key: str
    code: str
    name: str
    full_name: str
    short_name: str
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor: str
    notes: str
    path: Path
    line: int


@dataclass(frozen=True)
class CommuneRow:
    """One line of communes-2025.csv, checked and normalised."""

    key: str
    code: str
    name: str
    kind_label: str
    province_code: str
    line: int

    @property
    def full_name(self) -> str:
        return f"{COMMUNE_LABELS[self.kind_label]} {self.name}"


@dataclass
class LoadResult:
    """How many units a load created, changed and found already up to date."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        counts = [format_number(n) for n in (self.total, self.created, self.updated, self.unchanged)]
        return "{} đơn vị: {} thêm mới, {} cập nhật, {} không thay đổi".format(*counts)


# --- Reading ---------------------------------------------------------------------------------


def _fail(path: Path, line: int, message: str) -> LoadError:
    return LoadError(f"Tệp {path.name}, dòng {line}: {message}")


def _clean(value: str | None) -> str:
    # NFC so that a name typed with combining accents matches the same name typed precomposed.
    return unicodedata.normalize("NFC", " ".join((value or "").split()))


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: cleaned value}) for each non-empty data line of a CSV file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(_records(path, csv.DictReader(handle), columns))
    except FileNotFoundError as exc:
        raise LoadError(f"Không tìm thấy tệp {path}") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(f"Tệp {path.name} không phải UTF-8") from exc


def _records(path: Path, reader: csv.DictReader, columns: tuple[str, ...]):
    header = [_clean(name) for name in reader.fieldnames or []]
    missing = [name for name in columns if name not in header]
    if missing:
        raise _fail(path, 1, f"thiếu cột {', '.join(missing)}")
    reader.fieldnames = header
    for record in reader:
        if None in record:
            raise _fail(path, reader.line_num, "thừa ô so với dòng tiêu đề")
        values = {name: _clean(record.get(name)) for name in columns}
        if any(values.values()):
            yield reader.line_num, values


def _date(path: Path, line: int, column: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(path, line, f"ngày không hợp lệ ở cột {column}: “{text}” (cần dạng YYYY-MM-DD)") from None


def _check_key(path: Path, line: int, key: str, seen: dict[str, str]) -> None:
    if not key:
        raise _fail(path, line, "thiếu mã khóa (cột key)")
    if not _KEY.match(key) or len(key) > _KEY_LENGTH:
        rule = f"chỉ được gồm chữ in hoa, chữ số, “-”, “_” (tối đa {_KEY_LENGTH} ký tự)"
        raise _fail(path, line, f"mã khóa “{key}” {rule}")
    if key in seen:
        raise _fail(path, line, f"mã khóa “{key}” bị trùng (đã có ở {seen[key]})")
    seen[key] = f"{path.name}, dòng {line}"


def _unit_row(path: Path, line: int, values: dict[str, str], seen: dict[str, str]) -> UnitRow:
    key = values["key"]
    _check_key(path, line, key, seen)
    if not values["name"]:
        raise _fail(path, line, f"đơn vị “{key}” thiếu tên")
    if values["kind"] not in UnitKind.values:
        raise _fail(path, line, f"loại đơn vị “{values['kind']}” không hợp lệ (cho phép: {', '.join(UnitKind.values)})")
    valid_from = _date(path, line, "valid_from", values["valid_from"])
    valid_to = _date(path, line, "valid_to", values["valid_to"])
    if valid_from and valid_to and valid_from > valid_to:
        raise _fail(path, line, f"đơn vị “{key}” có ngày bắt đầu hiệu lực sau ngày hết hiệu lực")
    if values["successor"] == key:
        raise _fail(path, line, f"đơn vị “{key}” không thể kế thừa chính nó")
    return UnitRow(
        **{**values, "code": values["code"] or key, "valid_from": valid_from, "valid_to": valid_to},
        path=path,
        line=line,
    )


def read_unit_files(paths) -> list[UnitRow]:
    """Parse and check unit files together: keys unique across files, successors known."""
    seen: dict[str, str] = {}
    rows = [
        _unit_row(path, line, values, seen)
        for path in map(Path, paths)
        for line, values in _read_csv(path, UNIT_COLUMNS)
    ]
    _check_successors(rows)
    return rows


def _check_successors(rows: list[UnitRow]) -> None:
    # A successor may be a unit loaded earlier (e.g. by another file set), not only one in these files.
    wanted = {row.successor for row in rows if row.successor} - {row.key for row in rows}
    known = set(Unit.objects.filter(key__in=wanted).values_list("key", flat=True)) if wanted else set()
    for row in rows:
        if row.successor and row.successor in wanted - known:
            raise _fail(row.path, row.line, f"đơn vị kế thừa “{row.successor}” của “{row.key}” không tồn tại")


def read_commune_file(path) -> list[CommuneRow]:
    """Parse and check the commune list (one line per xã, phường, đặc khu)."""
    path = Path(path)
    seen: dict[str, str] = {}
    rows = []
    for line, values in _read_csv(path, COMMUNE_COLUMNS):
        code = values["code"]
        if not _COMMUNE_CODE.match(code):
            raise _fail(path, line, f"mã xã “{code}” phải gồm đúng 5 chữ số")
        if values["key"] != f"X{code}":
            raise _fail(path, line, f"mã khóa “{values['key']}” phải là “X{code}”")
        _check_key(path, line, values["key"], seen)
        if not values["name"]:
            raise _fail(path, line, f"xã mã {code} thiếu tên")
        if values["kind_label"] not in COMMUNE_LABELS:
            allowed = ", ".join(COMMUNE_LABELS)
            raise _fail(path, line, f"loại “{values['kind_label']}” không hợp lệ (cho phép: {allowed})")
        if not _PROVINCE_CODE.match(values["province_code"]):
            raise _fail(path, line, f"mã tỉnh “{values['province_code']}” phải gồm đúng 2 chữ số")
        rows.append(CommuneRow(**values, line=line))
    return rows


# --- Writing ---------------------------------------------------------------------------------

_UNIT_FIELDS = ("code", "name", "full_name", "short_name", "kind", "valid_from", "valid_to", "notes")


def _apply(unit: Unit, values: dict, changes: list[dict]) -> bool:
    """Set values on unit; True if anything changed. Changes of a stored unit are appended to
    `changes` (old → new, for the audit log; the sort key follows the name and is left out)."""
    changed = False
    for name, value in values.items():
        old = getattr(unit, name)
        if old != value:
            setattr(unit, name, value)
            changed = True
            if unit.pk is not None and name != "sort_key":
                changes.append({"place": f"{unit.key}/{name}", "old": _plain(old), "new": _plain(value)})
    return changed


def _plain(value):
    return value if value is None or isinstance(value, str | int) else str(value)


def _record_load(what: str, source: str, created: list[str], changes: list[dict], actor) -> None:
    """One audit event per load: the keys created and every field changed (old → new)."""
    if created or changes:
        audit.record(
            f"{what}.loaded", ("catalogue", what), actor=actor, changes=changes, source=source, created=created
        )


@transaction.atomic
def upsert_units(rows: list[UnitRow], *, actor=None) -> LoadResult:
    """Create or update units by key. Two passes: a successor may appear later in the files.
    One audit event lists the units created and every field changed."""
    existing = Unit.objects.in_bulk([row.key for row in rows], field_name="key")
    created, changed, changes = set(), set(), []
    for row in rows:
        unit = existing.get(row.key)
        if unit is None:
            unit = existing[row.key] = Unit(key=row.key)
            created.add(row.key)
        values = {name: getattr(row, name) for name in _UNIT_FIELDS}
        # Compared too, so that a rerun after a change of the collation rules refreshes the keys.
        values.update(sort_key=collation_key(row.name), kind_order=KIND_ORDER[row.kind])
        if _apply(unit, values, changes) or row.key in created:
            unit.save()
            changed.add(row.key)
    successors = {**existing, **Unit.objects.in_bulk({row.successor for row in rows} - set(existing), field_name="key")}
    for row in rows:
        unit = existing[row.key]
        successor_id = successors[row.successor].pk if row.successor else None
        if unit.successor_id != successor_id:
            if row.key not in created:
                changes.append({"place": f"{unit.key}/successor", "old": unit.successor_id, "new": successor_id})
            unit.successor_id = successor_id
            unit.save(update_fields=["successor"])
            changed.add(row.key)
    _record_load("units", ", ".join(sorted({row.path.name for row in rows})), sorted(created), changes, actor)
    updated = len(changed - created)
    return LoadResult(created=len(created), updated=updated, unchanged=len(rows) - len(created) - updated)


def units_dir() -> Path:
    """data/units/ of this installation (read when called, so tests can point it elsewhere)."""
    return Path(settings.BAOCAO06_DATA_DIR) / "units"


def load_units(directory=None, *, actor=None) -> LoadResult:
    """Load central.csv, corporations.csv and provinces.csv (from data/units/ by default); all or nothing."""
    directory = Path(directory) if directory else units_dir()
    return upsert_units(read_unit_files(directory / name for name in UNIT_FILES), actor=actor)


def _provinces_by_code(day: dt.date) -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(kind=UnitKind.PROVINCE).valid_on(day)}


_COMMUNE_FIELDS = ("code", "name", "full_name", "kind", "kind_order", "parent", "valid_from", "sort_key")


@transaction.atomic
def load_communes(path=None, valid_from: dt.date = COMMUNES_VALID_FROM, *, actor=None) -> LoadResult:
    """Load the commune list (data/units/communes-2025.csv by default) under the provinces of valid_from.

    Bulk writes, because `Unit.save()` one by one takes seconds for 3,321 rows; so sort_key and
    kind_order, which save() would compute, are computed here.
    """
    path = Path(path) if path else units_dir() / COMMUNE_FILE
    rows = read_commune_file(path)
    provinces = _provinces_by_code(valid_from)
    existing = {unit.key: unit for unit in Unit.objects.filter(kind=UnitKind.COMMUNE)}
    new, changed, changes = [], [], []
    for row in rows:
        province = provinces.get(row.province_code)
        if province is None:
            day = valid_from.strftime("%d/%m/%Y")
            message = f"không có tỉnh mã {row.province_code} còn hiệu lực ngày {day} (chạy load_units trước)"
            raise _fail(path, row.line, message)
        values = {
            "code": row.code,
            "name": row.name,
            "full_name": row.full_name,
            "kind": UnitKind.COMMUNE.value,
            "kind_order": KIND_ORDER[UnitKind.COMMUNE],
            "parent_id": province.pk,
            "valid_from": valid_from,
            "sort_key": collation_key(row.name),
        }
        unit = existing.get(row.key)
        if unit is None:
            new.append(Unit(key=row.key, **values))
        elif _apply(unit, values, changes):
            changed.append(unit)
    Unit.objects.bulk_create(new, batch_size=500)
    Unit.objects.bulk_update(changed, _COMMUNE_FIELDS, batch_size=500)
    _record_load("communes", path.name, [unit.key for unit in new], changes, actor)
    return LoadResult(created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed))
