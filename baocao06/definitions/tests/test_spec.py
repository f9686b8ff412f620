"""Broken definition files are refused with every problem named by its place."""

from pathlib import Path

import pytest

from baocao06.definitions.spec import SpecError, load_spec

MINI = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")


def problems(text):
    with pytest.raises(SpecError) as info:
        load_spec(text)
    return info.value.problems


def test_the_mini_definition_is_valid():
    assert load_spec(MINI).key == "mini"


def test_an_unknown_column_type_is_named_by_table_and_column():
    text = MINI.replace(
        '{key: saving, label: "Tiết kiệm", type: money, min: 0}', '{key: saving, label: "Tiết kiệm", type: tien}'
    )
    [(place, message)] = problems(text)
    assert place == "appendices[T2].columns[saving].type"
    assert "integer" in message and "money" in message


def test_a_rule_on_a_missing_column_is_refused():
    text = MINI.replace('check: "online <= total"', 'check: "onlin <= total"')
    assert problems(text) == [("appendices[T2].rules[online_le_total].check", "cột không tồn tại: onlin")]


def test_duplicate_column_keys_are_refused():
    text = MINI.replace(
        '{key: cause, label: "Nguyên nhân", type: text}', '{key: due, label: "Nguyên nhân", type: text}'
    )
    assert ("appendices[T1].columns[due]", "mã cột bị lặp") in problems(text)


def test_duplicate_yaml_keys_are_refused_with_their_line():
    text = MINI.replace('title: "Đề cương thử"', 'title: "Đề cương thử"\ntitle: "Lần nữa"')
    [(place, message)] = problems(text)
    assert place == "dòng 6" and "title" in message and "dòng 5" in message


def test_unknown_keys_and_missing_audiences_and_cycles_are_all_listed():
    text = MINI.replace("audience: [vpcp]", "audience: [vpc]").replace("format: 1", "format: 1\nauthor: x")
    assert problems(text) == [("author", "khóa không được hỗ trợ")]
    found = problems(MINI.replace("audience: [vpcp]", "audience: [vpc]"))
    assert found == [("outline[II.1].audience", "nhóm đối tượng không tồn tại: vpc")]


def test_a_formula_cycle_is_refused():
    text = MINI.replace('formula: "ratio(online, total)"', 'formula: "ratio(online, total) + change"')
    assert any("công thức vòng tròn" in message for _, message in problems(text))


def test_an_unknown_catalogue_is_refused_when_catalogues_are_known():
    text = MINI.replace(
        "      - key: main\n        rows:", "      - key: main\n        catalogue: {name: dich_vu}\n        rows:"
    )
    found = problems_with_catalogues(text)
    assert ("appendices[T2].row_groups[main].catalogue", "danh mục không tồn tại: dich_vu") in found


def problems_with_catalogues(text):
    with pytest.raises(SpecError) as info:
        load_spec(text, catalogues={"services": frozenset({"code", "name", "owner"})})
    return info.value.problems


TASKS = """    tasks:
      due: due
      open: "result != 'done'"
      record: {title: content, due: due, result: result}
      carry_over: {set: {result: done}, clear: [cause], new: {}}
"""


def with_tasks(block=TASKS):
    return MINI.replace(
        "      - {key: cause_required, when: \"result == 'not_done'\", require: [cause], "
        'message: "Nhiệm vụ chưa hoàn thành phải nêu nguyên nhân."}\n',
        "      - {key: cause_required, when: \"result == 'not_done'\", require: [cause], "
        'message: "Nhiệm vụ chưa hoàn thành phải nêu nguyên nhân."}\n' + block,
    )


def test_a_tasks_block_is_read():
    spec = load_spec(with_tasks())
    table = next(t for t in spec.appendices if t.key == "T1")
    assert (table.tasks.due, table.tasks.record["title"], table.tasks.carry_over.clear) == ("due", "content", ["cause"])


def test_a_tasks_block_naming_wrong_columns_or_values_is_refused():
    block = TASKS.replace("due: due\n", "due: content\n").replace("result: result}", "result: ketqua, owner: cause}")
    block = block.replace("set: {result: done}", "set: {result: xong}")
    found = problems(with_tasks(block))
    assert ("appendices[T1].tasks.due", "cột hạn phải có kiểu deadline hoặc date") in found
    assert ("appendices[T1].tasks.record", "cột không tồn tại: ketqua") in found
    assert any(p == "appendices[T1].tasks.record" and "trường không hỗ trợ: owner" in m for p, m in found)
    assert ("appendices[T1].tasks.carry_over", "giá trị không có trong cột result: xong") in found


def test_a_formula_may_read_a_known_round_setting():
    text = MINI.replace(
        '{key: saving, label: "Tiết kiệm", type: money, min: 0}',
        '{key: saving, label: "Tiết kiệm", type: money, formula: "total * setting(\'income_per_month\')"}',
    )
    assert load_spec(text).key == "mini"


def test_an_unknown_setting_is_refused_with_the_known_ones_named():
    text = MINI.replace(
        '{key: saving, label: "Tiết kiệm", type: money, min: 0}',
        '{key: saving, label: "Tiết kiệm", type: money, formula: "total * setting(\'salary\')"}',
    )
    [(place, message)] = problems(text)
    assert place == "appendices[T2].columns[saving].formula"
    assert message == "thiết lập không tồn tại: salary (dùng: income_per_month, working_days, working_hours)"


def test_setting_takes_one_quoted_name():
    text = MINI.replace('check: "online <= total"', 'check: "online <= setting(total)"')
    [(place, message)] = problems(text)
    assert place == "appendices[T2].rules[online_le_total].check" and "setting(...)" in message


def test_compare_with_must_name_a_numeric_column_of_another_table():
    text = MINI.replace(
        '{key: saving, label: "Tiết kiệm", type: money, min: 0}',
        '{key: saving, label: "Tiết kiệm", type: money, min: 0, compare_with: T1.nothing}',
    )
    [(place, message)] = problems(text)
    assert place == "appendices[T2].columns[saving].compare_with" and "nothing" in message
