"""Request and response shapes of the API (documented in the OpenAPI document at /api/v1/openapi.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

Scalar = str | int | float | list[str] | None


class ErrorOut(Schema):
    """Every error: a code for programs, a message in Vietnamese for people, problems by place."""

    code: str
    error: str
    problems: list[ProblemOut] = []
    current: dict[str, Any] | None = None
    detail: list[dict[str, Any]] | None = None


class ProblemOut(Schema):
    """One thing wrong, named as the form names it (`place`), e.g. PL03 › dòng 7 «…» › cột «Trực tuyến»."""

    code: str
    message: str
    part: str
    severity: str
    field: str | None = None
    row: str | None = None
    row_label: str | None = None
    column: str | None = None
    column_label: str | None = None
    place: str


ErrorOut.model_rebuild()


class TokenOut(Schema):
    unit: str  # the unit's code
    role: str  # reporter | approver | viewer
    expires_at: dt.datetime


class RoundOut(Schema):
    id: int
    title: str
    period_kind: str
    year: int
    data_from: dt.date
    data_to: dt.date
    deadline: dt.datetime
    status: str
    dispatch_number: str
    report_id: int | None = None
    report_status: str | None = None


class PartInfo(Schema):
    key: str
    kind: str  # section | table
    title: str
    revision: int
    etag: str
    updated_at: dt.datetime | None = None


class VersionOut(Schema):
    number: int
    submitted_at: dt.datetime
    late: bool
    content_hash: str


class ReportOut(Schema):
    id: int
    round_id: int
    round_title: str
    unit_key: str
    unit_name: str
    status: str
    status_label: str
    editable: bool
    deadline: dt.datetime
    submitted_at: dt.datetime | None = None
    late: bool
    parts: list[PartInfo]
    versions: list[VersionOut]


class ChoiceOut(Schema):
    value: str
    label: str


class ColumnOut(Schema):
    key: str
    label: str
    type: str
    role: str | None = None
    unit: str | None = None
    hint: str | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    max_length: int | None = None
    choices: list[ChoiceOut] = []
    formula: str | None = None
    fallback: str | None = None
    item_field: str | None = None
    input: bool = Field(description="typed by the unit (not computed); on fixed rows, label and item fields are not")


class RowOut(Schema):
    key: str
    number: str | None = None
    label: str
    level: int
    heading: bool
    values: dict[str, Any] = {}


class GroupOut(Schema):
    key: str
    number: str | None = None
    title: str | None = None
    free_rows: bool
    max_free_rows: int
    rows: list[RowOut]


class HeaderGroupOut(Schema):
    label: str
    columns: list[str]


class TotalOut(Schema):
    key: str
    label: str
    sum: list[str]


class RuleOut(Schema):
    key: str
    message: str
    check: str | None = None
    when: str | None = None
    require: list[str] = []
    columns: list[str] = []
    severity: str = "error"


class TableOut(Schema):
    key: str
    number: str
    title: str
    printed_as: str | None = None
    section: str | None = None
    columns: list[ColumnOut]
    header: list[HeaderGroupOut]
    groups: list[GroupOut]
    totals: list[TotalOut]
    rules: list[RuleOut]


class FieldOut(Schema):
    key: str
    label: str
    required: bool = False
    max_length: int | None = None
    hint: str | None = None


class SectionOut(Schema):
    key: str
    number: str | None = None
    title: str
    parent: str | None = None
    depth: int
    guidance: list[str]
    fields: list[FieldOut]
    tables: list[str]
    is_part: bool = Field(description="the unit fills this section's fields (a part of the report)")


class DefinitionOut(Schema):
    key: str
    version: str
    title: str
    sections: list[SectionOut]
    tables: list[TableOut]


class _Input(Schema):
    """A request body's shape, validated once.

    django-ninja's `Schema` validates a model with `extra="forbid"` twice, the input as it came and
    then wrapped for reading ORM objects (`DjangoGetter`), and so each nested model once per level
    above it: a 25-row table's rows four times on every autosave. A JSON body is plain dicts and
    lists, whose second validation gives the same result or the same first error, so the first is
    kept alone. Same name as the validator it replaces: the error locations (`detail[].loc`) and the
    OpenAPI document stay as they were."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info) -> Any:
        return handler(values)


class SectionData(_Input):
    fields: dict[str, str] = Field(description="field key → text")


class TableRowIn(_Input):
    key: str = Field(max_length=64, description="a fixed row's key, or a new key starting with n for a free row")
    group: str | None = Field(None, max_length=60, description="the group of a free row")
    values: dict[str, Scalar] = Field(default_factory=dict, description="column key → value as typed")


class TableData(_Input):
    rows: list[TableRowIn] = Field(max_length=5000)


class PartIn(Schema):
    data: SectionData | TableData


class IgnoredOut(Schema):
    part: str
    row: str | None = None
    column: str
    reason: str


class PartOut(Schema):
    key: str
    kind: str
    revision: int
    etag: str
    updated_at: dt.datetime | None = None
    changed: bool | None = None
    data: dict[str, Any] = Field(description="the draft as stored: what was typed")
    values: dict[str, Any] = Field(description="parsed values, computed cells and totals (as a submission keeps)")
    problems: list[ProblemOut]
    ignored: list[IgnoredOut] = []


class CheckOut(Schema):
    ok: bool
    blocking: int
    problems: list[ProblemOut]


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")
    revisions: dict[str, int] | None = Field(
        None, description="part → revision the client last saw; the submission is refused (412) if any changed"
    )


class SubmitOut(Schema):
    report_id: int
    status: str
    version: VersionOut


class SnapshotOut(Schema):
    number: int = Field(description="the round's compilation number")
    provisional: bool
    created_at: dt.datetime
    content_hash: str = Field(description="sha-256 of the national tables (canonical JSON)")


class NationalOut(Schema):
    round_id: int
    title: str
    snapshot: SnapshotOut | None = Field(description="the compilation the tables come from; null when live")
    national: dict[str, Any] = Field(description="the national tables, format 1 of docs/national-format.md")
