"""The definition engine on a small definition: applicability, parsing, formulas, totals, rules."""

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from baocao06.definitions.layout import Layout, resolve
from baocao06.definitions.spec import load_spec
from baocao06.definitions.validation import (
    blocking,
    clean_section,
    clean_table,
    report_content,
    summary_counts,
    validate_report,
)

MINI = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
PROVINCE = SimpleNamespace(key="P01", kind="province")
MINISTRY = SimpleNamespace(key="BTP", kind="ministry")
VPCP = SimpleNamespace(key="VPCP", kind="ministry_agency")


@pytest.fixture(scope="module")
def layout():
    return Layout(resolve(load_spec(MINI), lambda ref: []))


def test_a_province_sees_its_sections_and_rows(layout):
    view = layout.view_for(PROVINCE)
    assert view.part_keys == ["I.1", "II.2", "T1", "T2"]
    t2 = view.table_index["T2"]
    assert [r.key for g in t2.groups for r in g.rows] == ["s1", "s2", "h", "s3"]
    assert [g.group.key for g in view.table_index["T1"].groups] == ["A", "B"]


def test_a_ministry_sees_only_rows_that_address_it_and_no_empty_heading(layout):
    view = layout.view_for(MINISTRY)
    assert view.part_keys == ["I.1", "T1", "T2"]
    assert [r.key for g in view.table_index["T2"].groups for r in g.rows] == ["s2"]
    assert [g.group.key for g in view.table_index["T1"].groups] == ["A"]


def test_a_unit_named_in_an_audience_sees_its_section_only(layout):
    view = layout.view_for(VPCP)
    assert view.part_keys == ["II.1"]
    assert view.layout.section_index["II.1"].fields[0]["key"] == "body"
    assert "I" not in view.section_keys and "II" in view.section_keys


def test_fieldsets_are_expanded_in_place(layout):
    assert [f["key"] for f in layout.section_index["II.2"].fields] == ["body", "issues", "causes"]


def test_rate_is_computed_from_vietnamese_numbers(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"total": "1.234", "online": "617"}}]})
    row = result.row("s1")
    assert row.values["total"] == 1234
    assert row.values["rate"] == Decimal("50.00")
    assert result.problems == []


def test_a_zero_total_gives_no_rate_and_no_error(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"total": "0", "online": "0"}}]})
    assert result.row("s1").values["rate"] is None
    assert result.problems == []


def test_online_above_total_is_an_error_at_the_online_cell(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"total": "10", "online": "12"}}]})
    [problem] = result.problems
    assert (problem.row, problem.column, problem.code) == ("s1", "online", "rule:online_le_total")
    assert problem.place == "T2 › dòng 1 «Đăng ký thường trú» › cột «Trực tuyến»"
    assert problem.message == "Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ."


def test_garbage_in_a_number_cell_is_kept_and_explained(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"total": "12a", "online": "-1"}}]})
    messages = {(p.column, p.message) for p in result.problems}
    assert ("total", "“12a” không phải là số.") in messages
    assert ("online", "Không được nhỏ hơn 0.") in messages
    assert result.row("s1").raw["total"] == "12a"


def test_warnings_do_not_block(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(
        view,
        {"rows": [{"key": "s1", "values": {"total": "10", "online": "5", "saving": "100", "saving_citizens": "200"}}]},
    )
    assert [p.severity for p in result.problems] == ["warning"]
    assert blocking(result.problems) == []


def test_change_is_typed_without_a_baseline_and_computed_with_one(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    typed = {"rows": [{"key": "s1", "values": {"total": "100", "online": "80", "change": "5,5"}}]}
    without = clean_table(view, typed)
    assert without.row("s1").values["change"] == Decimal("5.5")
    assert "change" in without.row("s1").editable
    with_baseline = clean_table(
        view, typed, baseline=lambda table, row, col: 60 if (row, col) == ("s1", "rate") else None
    )
    assert with_baseline.row("s1").values["change"] == Decimal("20.00")
    assert "change" not in with_baseline.row("s1").editable
    assert [(i.column, i.reason) for i in with_baseline.ignored] == [
        ("change", "ô tính tự động, giá trị nhập bị bỏ qua")
    ]


def test_catalogue_cells_are_read_only(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"owner": "XYZ", "service": "đổi tên"}}]})
    row = result.row("s1")
    assert row.values["owner"] == "BCA" and row.values["service"] == "Đăng ký thường trú"
    assert [(i.column, i.reason) for i in result.ignored] == [("owner", "ô lấy từ danh mục, không sửa được")]


def test_totals_sum_and_recompute_the_rate(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    result = clean_table(
        view,
        {
            "rows": [
                {"key": "s1", "values": {"total": "100", "online": "50"}},
                {"key": "s2", "values": {"total": "300", "online": "250"}},
            ]
        },
    )
    [total] = result.totals
    assert total["values"]["total"] == 400 and total["values"]["online"] == 300
    assert total["values"]["rate"] == Decimal("75.00")  # rate of the totals, not a sum of rates


def test_required_cells_are_checked_only_at_submission(layout):
    view = layout.view_for(PROVINCE).table_index["T2"]
    assert clean_table(view, {"rows": []}).problems == []
    final = clean_table(view, {"rows": []}, final=True).problems
    assert {(p.row, p.column, p.code) for p in final} == {
        (row, column, "required") for row in ("s1", "s2", "s3") for column in ("total", "online")
    }


def test_a_cause_is_required_when_a_task_is_not_done(layout):
    view = layout.view_for(PROVINCE).table_index["T1"]
    data = {
        "rows": [
            {"key": "n1", "group": "A", "values": {"content": "Việc một", "result": "Chưa hoàn thành"}},
            {"key": "n2", "group": "A", "values": {"content": "Việc hai", "result": "done"}},
        ]
    }
    result = clean_table(view, data)
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        ("n1", "cause", "Nhiệm vụ chưa hoàn thành phải nêu nguyên nhân.")
    ]
    assert result.row("n1").values["result"] == "not_done"  # the label is accepted for the value


def test_free_rows_keep_their_order_and_drop_when_empty(layout):
    view = layout.view_for(PROVINCE).table_index["T1"]
    data = {
        "rows": [
            {"key": "nB1", "group": "B", "values": {"content": "B một"}},
            {"key": "nA2", "group": "A", "values": {"content": "A hai"}},
            {"key": "nA1", "group": "A", "values": {"content": ""}},
            {"key": "nA3", "group": "A", "values": {"content": "A ba"}},
        ]
    }
    assert [r.key for r in clean_table(view, data).rows] == ["nA2", "nA3", "nB1"]


def test_too_many_free_rows_is_an_error(layout):
    view = layout.view_for(PROVINCE).table_index["T1"]
    data = {"rows": [{"key": f"n{i}", "group": "B", "values": {"content": f"việc {i}"}} for i in range(3)]}
    assert [p.code for p in clean_table(view, data).problems] == ["too_many_rows"]


def test_rows_of_another_unit_and_unknown_rows(layout):
    view = layout.view_for(MINISTRY).table_index["T2"]
    result = clean_table(view, {"rows": [{"key": "s1", "values": {"total": "5"}}, {"key": "zzz", "values": {}}]})
    assert [r.key for r in result.rows] == ["s2"]
    assert [(p.code, p.row) for p in result.problems] == [("unknown_row", "zzz")]


def test_summary_counts_come_from_the_rows(layout):
    view = layout.view_for(PROVINCE)
    data = {
        "rows": [
            {"key": "n1", "group": "A", "values": {"content": "a", "result": "done"}},
            {"key": "n2", "group": "A", "values": {"content": "b", "result": "done"}},
            {"key": "n3", "group": "B", "values": {"content": "c", "result": "not_done", "cause": "x"}},
        ]
    }
    counts = summary_counts(layout.section_index["I.2"], clean_table(view.table_index["T1"], data))
    assert [(c["key"], c["count"]) for c in counts] == [("done", 2), ("open", 1)]


def test_sections_check_required_fields_at_submission(layout):
    section = layout.section_index["I.1"]
    clean, problems = clean_section(section, {"fields": {"body": "  "}}, final=True)
    assert clean == {"body": ""}
    assert [(p.field, p.place) for p in problems] == [("body", "Mục I.1 › Nội dung")]


def test_a_whole_report_validates_and_becomes_canonical_content(layout):
    view = layout.view_for(MINISTRY)
    parts = {
        "I.1": {"fields": {"body": "Tình hình ổn định."}},
        "T2": {"rows": [{"key": "s2", "values": {"total": "1.000", "online": "700", "change": "3"}}]},
    }
    assert blocking(validate_report(view, parts)) == []
    content = report_content(view, parts)
    assert content["sections"] == {"I.1": {"fields": {"body": "Tình hình ổn định."}}}
    row = content["tables"]["T2"]["rows"][0]
    assert row["key"] == "s2" and row["values"]["total"] == 1000 and row["values"]["rate"] == 70
    assert content["tables"]["T2"]["totals"][0]["values"]["online"] == 700
