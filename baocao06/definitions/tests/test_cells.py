import datetime as dt
from decimal import Decimal

import pytest

from baocao06.definitions import cells

INTEGER = {"key": "n", "label": "Số", "type": "integer", "min": 0}
MONEY = {"key": "m", "label": "Tiền", "type": "money"}
PERCENT = {"key": "p", "label": "Tỷ lệ", "type": "percent"}
CHOICE = {
    "key": "c",
    "label": "Kết quả",
    "type": "choice",
    "choices": [{"value": "done", "label": "Đã hoàn thành"}, {"value": "not_done", "label": "Chưa hoàn thành"}],
}
MULTI = {
    "key": "m",
    "label": "Nguyên nhân",
    "type": "multichoice",
    "choices": [{"value": "legal", "label": "Pháp lý"}, {"value": "data", "label": "Dữ liệu"}],
}


@pytest.mark.parametrize(("raw", "value"), [("1.234.567", 1234567), ("1234", 1234), (" 12 ", 12), (7, 7), ("", None)])
def test_integers_accept_vietnamese_grouping(raw, value):
    assert cells.parse(INTEGER, raw) == cells.Parsed(value)


def test_integers_refuse_fractions_and_negatives():
    assert cells.parse(INTEGER, "1,5").error == "phải là số nguyên"
    assert cells.parse(INTEGER, "-2").error == "không được nhỏ hơn 0"


@pytest.mark.parametrize("raw", ["3,5%", " 3,5 % ", "3,5"])
def test_percentages_may_be_typed_with_a_percent_sign(raw):
    assert cells.parse(PERCENT, raw) == cells.Parsed(Decimal("3.5"))


def test_text_with_a_percent_sign_is_still_not_a_number():
    assert cells.parse(PERCENT, "abc%").error == "“abc%” không phải là số"


def test_choices_accept_value_or_label_and_explain_the_options():
    assert cells.parse(CHOICE, "chưa hoàn thành").value == "not_done"
    assert cells.parse(CHOICE, "done").value == "done"
    assert "“Đã hoàn thành”, “Chưa hoàn thành”" in cells.parse(CHOICE, "xong").error


def test_multichoice_keeps_the_definition_order():
    assert cells.parse(MULTI, "Dữ liệu; Pháp lý").value == ["legal", "data"]
    assert cells.parse(MULTI, ["data", "data"]).value == ["data"]


def test_display_uses_vietnamese_formats():
    assert cells.display(MONEY, 3500000000) == "3.500.000.000"
    assert cells.display(PERCENT, Decimal("70.30")) == "70,3"
    assert cells.display(CHOICE, "done") == "Đã hoàn thành"
    assert cells.display({"type": "date"}, "2024-06-17") == "17/06/2024"


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Quý IV/2023", dt.date(2023, 12, 31)),
        ("Trong Quý II/2025", dt.date(2025, 6, 30)),
        ("Tháng 9/2024", dt.date(2024, 9, 30)),
        ("15/02/2024", dt.date(2024, 2, 15)),
        ("Hoàn thành trước ngày 23/02/2024", dt.date(2024, 2, 23)),
        ("2024", dt.date(2024, 12, 31)),
        ("2024-2025", dt.date(2025, 12, 31)),
        ("Trước năm 2025", dt.date(2024, 12, 31)),
        ("Thường xuyên", None),
        ("Từ Quý IV/2024", None),
        ("Theo lộ trình do Bộ Công an đề xuất", None),
        ("", None),
    ],
)
def test_deadlines_written_in_words_have_dates(text, due):
    assert cells.deadline_date(text) == due
