"""The editor's operations on a definition document, its forms, problems at their place, and the
structural comparison — without the database (the mini definition of the engine's tests)."""

from pathlib import Path

import pytest
from django.http import QueryDict

from baocao06.definitions import editing
from baocao06.definitions.compare import compare_documents
from baocao06.definitions.document import check_document, document_of, spec_yaml
from baocao06.definitions.drafts import Edit, apply_edit
from baocao06.definitions.editor import ProblemIndex, place_path
from baocao06.definitions.editor_forms import bound_fields, read_form
from baocao06.definitions.spec import load_spec

MINI = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
T2 = ("appendices", 1)


@pytest.fixture
def doc():
    return document_of(load_spec(MINI))


def post(**values) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query.setlist(f"a:{name}", value if isinstance(value, list) else [value])
    return query


def problems(document):
    return check_document(document)[1]


def test_the_canonical_document_round_trips_through_yaml_and_leaves_defaults_out(doc):
    spec = load_spec(MINI)
    assert load_spec(spec_yaml(spec)) == spec
    column = doc["appendices"][1]["columns"][2]
    assert column == {"key": "total", "label": "Tổng số hồ sơ", "type": "integer", "required": True, "min": 0}
    assert "orientation" not in doc["appendices"][0]  # landscape is the default


def test_setting_a_section_title_keeps_its_children_and_is_checked(doc):
    path = ("outline", 0)
    form = read_form("section", post(key="I", number="I", title="TÌNH HÌNH CHUNG", fields="default"), doc["outline"][0])
    applied = apply_edit(doc, Edit("set", path, attrs=form.attrs))
    section = applied.document["outline"][0]
    assert section["title"] == "TÌNH HÌNH CHUNG"
    assert [c["key"] for c in section["children"]] == ["I.1", "I.2"]
    assert applied.old["title"] == "KHÁI QUÁT" and applied.new["title"] == "TÌNH HÌNH CHUNG"
    assert doc["outline"][0]["title"] == "KHÁI QUÁT"  # the original document is not changed
    assert problems(applied.document) == []


def test_adding_a_column_and_a_rule_on_it(doc):
    applied = apply_edit(doc, Edit("add", (*T2, "columns"), kind="column"))
    assert applied.path == (*T2, "columns", 8)
    assert applied.new == {"key": "cot_moi", "label": "Cột mới", "type": "integer", "min": 0}
    form = read_form(
        "column",
        post(key="paper", label="Hồ sơ giấy", type="integer", min="0", required="1"),
        applied.new,
    )
    applied = apply_edit(applied.document, Edit("set", applied.path, attrs=form.attrs))
    assert applied.new == {"key": "paper", "label": "Hồ sơ giấy", "type": "integer", "required": True, "min": 0}
    applied = apply_edit(applied.document, Edit("add", (*T2, "rules"), kind="rule"))
    # A new rule checks nothing yet: the engine says so at the rule.
    assert problems(applied.document) == [("appendices[T2].rules[quy_tac_moi]", "quy tắc phải có check hoặc require")]
    form = read_form("rule", post(key="paper_le_total", message="Hồ sơ giấy vượt tổng số.", check="paper <= tota"), {})
    applied = apply_edit(applied.document, Edit("set", applied.path, attrs=form.attrs))
    found = problems(applied.document)
    assert found == [("appendices[T2].rules[paper_le_total].check", "cột không tồn tại: tota")]
    index = ProblemIndex.build(applied.document, [(p, m, "error") for p, m in found])
    fields, others = index.by_field("rule", applied.path)
    assert fields == {"check": ["cột không tồn tại: tota"]} and others == []


def test_unreadable_values_are_refused_by_the_form_before_anything_changes(doc):
    form = read_form("column", post(key="x", label="X", type="integer", min="một", choices="a"), {})
    assert form.errors == {
        "min": "Phải là một số (ví dụ 0, 100 hoặc 2,5).",
        "choices": "Dòng 1: cần 2 phần cách nhau bởi “|”.",
    }


def test_forms_read_vietnamese_numbers_choices_and_mappings():
    form = read_form(
        "column",
        post(key="r", label="Kết quả", type="choice", max="1.234,5", choices="done | Xong\nnot_done | Chưa xong"),
        {},
    )
    assert form.attrs["max"] == 1234.5
    assert form.attrs["choices"] == [{"value": "done", "label": "Xong"}, {"value": "not_done", "label": "Chưa xong"}]
    group = read_form(
        "group", post(key="g", **{"catalogue.name": "services", "catalogue.filter": "programme = DA06, QD422"}), {}
    )
    assert group.attrs["catalogue"] == {"name": "services", "filter": {"programme": ["DA06", "QD422"]}}
    none = read_form("group", post(key="g", **{"catalogue.filter": "programme = DA06"}), {})
    assert none.attrs["catalogue"] is None  # a filter without a catalogue means nothing


def test_a_form_shows_defaults_and_the_values_it_was_given(doc):
    table = doc["appendices"][0]
    fields = {f.spec.name: f for f in bound_fields("table", table, None, lambda name: [], {})}
    assert fields["orientation"].value == "landscape" and fields["printed"].value is True
    assert fields["audience"].value == ["all"]
    assert [o[0] for o in fields["audience"].options] == ["all"]  # a name the lists do not know is shown


def test_renaming_an_audience_follows_every_use_of_it(doc):
    form = read_form("audience", post(name="tinh", kinds=["province"]), doc["audiences"]["provinces"])
    applied = apply_edit(doc, Edit("set", ("audiences", "provinces"), attrs=form.attrs, name=form.name))
    document = applied.document
    assert list(document["audiences"]) == ["ministries", "tinh", "all", "vpcp"]
    assert document["audiences"]["all"]["include"] == ["ministries", "tinh"]
    assert document["outline"][1]["children"][1]["audience"] == ["tinh"]
    assert document["appendices"][0]["row_groups"][1]["audience"] == ["tinh"]
    assert document["appendices"][1]["row_groups"][0]["rows"][1]["audience"] == ["tinh", "ministries"]
    assert problems(document) == []


def test_removing_a_column_a_formula_uses_is_refused_at_the_formula(doc):
    applied = apply_edit(doc, Edit("remove", (*T2, "columns", 3)))  # online
    assert applied.old["key"] == "online" and applied.path == T2
    found = dict(problems(applied.document))
    assert found["appendices[T2].columns[rate].formula"] == "cột không tồn tại: online"
    assert found["appendices[T2].rules[online_le_total].check"] == "cột không tồn tại: online"


def test_moving_indenting_and_outdenting_sections(doc):
    applied = apply_edit(doc, Edit("down", ("outline", 0, "children", 0)))
    assert [c["key"] for c in applied.document["outline"][0]["children"]] == ["I.2", "I.1"]
    applied = apply_edit(doc, Edit("indent", ("outline", 1)))
    assert applied.path == ("outline", 0, "children", 2)
    assert [c["key"] for c in applied.document["outline"][0]["children"]] == ["I.1", "I.2", "II"]
    applied = apply_edit(applied.document, Edit("outdent", applied.path))
    assert [s["key"] for s in applied.document["outline"]] == ["I", "II"]
    with pytest.raises(editing.EditRefused):
        apply_edit(doc, Edit("up", ("outline", 0)))


def test_adding_a_field_to_a_leaf_keeps_its_default_field(doc):
    applied = apply_edit(doc, Edit("add", ("outline", 1, "children", 0, "fields"), kind="field"))
    fields = applied.document["outline"][1]["children"][0]["fields"]
    assert fields == [{"key": "body", "label": "Nội dung báo cáo"}, {"key": "truong_moi", "label": "Trường mới"}]


@pytest.mark.parametrize(
    ("place", "path", "attr"),
    [
        ("appendices[T2].rules[online_le_total].check", ("appendices", 1, "rules", 0), "check"),
        ("appendices[T2].columns[rate].formula", ("appendices", 1, "columns", 4), "formula"),
        ("appendices[T2].columns", ("appendices", 1), "columns"),
        ("outline[II.2].audience", ("outline", 1, "children", 1), "audience"),
        ("outline[II].children[II.1].title", ("outline", 1, "children", 0), "title"),
        ("outline[I.2].summary.counts[done].where", ("outline", 0, "children", 1, "summary"), "counts.where"),
        (
            "appendices[T2].row_groups[main].rows[s2].audience",
            ("appendices", 1, "row_groups", 0, "rows", 1),
            "audience",
        ),
        ("audiences[all].include", ("audiences", "all"), "include"),
        ("audiences.all.kinds[0]", ("audiences", "all"), "kinds"),
        ("fieldsets.van_de[issues].key", ("fieldsets", "van_de", 0), "key"),
        ("compilation.services", ("compilation",), "services"),
        ("source.date", (), "source.date"),
        ("dòng 6", None, ""),
    ],
)
def test_each_problem_is_placed_at_its_element(doc, place, path, attr):
    doc["compilation"] = {"services": {"tables": ["T2"], "total": "total", "online": "online", "savings": "saving"}}
    assert place_path(doc, place) == (path, attr)


def test_the_comparison_names_what_changed(doc):
    new = apply_edit(doc, Edit("set", ("outline", 0), attrs={"key": "I", "number": "I", "title": "TÌNH HÌNH"})).document
    new = apply_edit(new, Edit("add", (*T2, "columns"), kind="column")).document
    new = apply_edit(new, Edit("remove", (*T2, "rules", 1))).document
    blocks = {b.title: [(c.action, c.what, c.details) for c in b.changes] for b in compare_documents(doc, new)}
    assert blocks == {
        "Đề cương": [("changed", "Mục I «I TÌNH HÌNH»", [("Tiêu đề", "KHÁI QUÁT", "TÌNH HÌNH")])],
        "Phụ lục": [
            (
                "added",
                "Phụ lục T2: cột «Cột mới» (cot_moi)",
                [
                    ("Mã cột", "—", "cot_moi"),
                    ("Tên cột", "—", "Cột mới"),
                    ("Kiểu dữ liệu", "—", "Số nguyên"),
                    ("Giá trị nhỏ nhất", "—", "0"),
                ],
            ),
            ("removed", "Phụ lục T2: quy tắc citizens_le_saving", []),
        ],
    }


def test_an_element_can_only_be_added_where_the_format_has_it(doc):
    with pytest.raises(editing.EditRefused):
        apply_edit(doc, Edit("add", ("outline",), kind="column"))
    with pytest.raises(editing.EditRefused):
        apply_edit(doc, Edit("add", (*T2, "rules"), kind="section"))
    with pytest.raises(editing.EditRefused):
        apply_edit(doc, Edit("remove", ()))
    applied = apply_edit(doc, Edit("add", ("outline", 1, "children", 0, "summary"), kind="summary"))
    assert applied.document["outline"][1]["children"][0]["summary"]["table"] == "T1"
