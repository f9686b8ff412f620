"""Vietnamese conventions: collation, numbers typed and shown as 1.234.567,8, dates, quarters."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from decimal import Decimal

import pytest

from baocao06.core.vietnamese import (
    collation_key,
    format_number,
    long_date,
    parse_number,
    quarter_label,
    sort_vietnamese,
)

# --- Collation -------------------------------------------------------------------------------


def shuffled(items: list[str]) -> list[str]:
    items = list(items)
    random.Random(6).shuffle(items)
    return items


def test_letters_follow_the_vietnamese_alphabet():
    alphabet = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p",
                "q", "r", "s", "t", "u", "ư", "v", "x", "y"]  # fmt: skip
    assert sort_vietnamese(shuffled(alphabet)) == alphabet


def test_tones_sort_ngang_huyen_hoi_nga_sac_nang():
    tones = ["a", "à", "ả", "ã", "á", "ạ"]
    assert sort_vietnamese(shuffled(tones)) == tones
    assert sort_vietnamese(shuffled(["ê", "ề", "ể", "ễ", "ế", "ệ"])) == ["ê", "ề", "ể", "ễ", "ế", "ệ"]


def test_the_letter_decides_before_the_tone():
    # "Bạc" has a plain a with a tone, "Bắc" an ă: the letter wins, whatever the tones.
    assert sort_vietnamese(["Bắc Ninh", "Bạc Liêu", "Bà Rịa"]) == ["Bà Rịa", "Bạc Liêu", "Bắc Ninh"]
    assert sort_vietnamese(["ả", "ă", "ạ"]) == ["ả", "ạ", "ă"]


def test_d_with_stroke_sorts_after_d_not_after_z():
    names = ["Yên Bái", "Đắk Lắk", "Điện Biên", "Dương Minh Châu", "Gia Lai", "Zê"]
    assert sort_vietnamese(names) == ["Dương Minh Châu", "Đắk Lắk", "Điện Biên", "Gia Lai", "Yên Bái", "Zê"]
    assert sorted(names) != sort_vietnamese(names)  # code points put Đ after Z


def test_case_is_only_a_last_resort():
    assert sort_vietnamese(["B", "a", "A", "b"]) == ["a", "A", "b", "B"]
    assert sort_vietnamese(["an giang", "An Giang", "Bắc"]) == ["an giang", "An Giang", "Bắc"]
    assert collation_key("HÀ NỘI") != collation_key("Hà Nội")


def test_a_prefix_sorts_before_its_extensions():
    expected = ["Ha", "Hà", "Hà Nam", "Hà Nội", "Hải Dương"]
    assert sort_vietnamese(shuffled(expected)) == expected
    assert sort_vietnamese(["Bình Dương", "Bình"]) == ["Bình", "Bình Dương"]


def test_a_word_boundary_sorts_before_any_letter():
    assert sort_vietnamese(["Cao Bằng", "Cà Mau", "Cần Thơ"]) == ["Cà Mau", "Cao Bằng", "Cần Thơ"]


def test_spelling_variants_of_the_same_text_collate_alike():
    assert collation_key("Đà  Nẵng") == collation_key("Đà Nẵng")
    assert collation_key(unicodedata.normalize("NFD", "Đà Nẵng")) == collation_key("Đà Nẵng")
    assert collation_key("Hòa Bình".replace("ò", "o\u0300")) == collation_key("Hòa Bình")


def test_digits_sort_before_letters():
    expected = ["Xã Phú Hòa", "Xã Phú Hòa 1", "Xã Phú Hòa 2"]
    assert sort_vietnamese(shuffled(expected)) == expected
    assert sort_vietnamese(["A", "1"]) == ["1", "A"]


def test_sort_vietnamese_takes_a_key():
    rows = [{"name": "Đồng Nai"}, {"name": "An Giang"}, {"name": "Cà Mau"}]
    assert [r["name"] for r in sort_vietnamese(rows, key=lambda r: r["name"])] == ["An Giang", "Cà Mau", "Đồng Nai"]


def test_collation_keys_are_plain_ascii_so_a_database_sorts_them_the_same():
    key = collation_key("Đắk Lắk — Buôn Ma Thuột")
    assert key.isascii() and key.islower()


# --- Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", Decimal("1234567")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),  # a spreadsheet exported in English
        ("1.234", Decimal("1234")),  # dots grouping three digits are thousands
        ("0.500", Decimal("0.5")),  # ... but a leading 0 is never a thousands group
        (" 1 234 ", Decimal("1234")),
        ("1\u00a0234", Decimal("1234")),
        ("-3", Decimal("-3")),
        ("-1.234,5", Decimal("-1234.5")),
        ("+7", Decimal("7")),
        ("0", Decimal("0")),
        (42, Decimal("42")),
        (0.1, Decimal("0.1")),
        (Decimal("2.50"), Decimal("2.50")),
    ],
)
def test_parse_number_reads_what_people_type(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_number_returns_none_for_nothing(text):
    assert parse_number(text) is None


NOT_NUMBERS = ["abc", "1,2,3", "1.23.4", "1.234.5", "0.500,5", "12a", "1e5", "nan", "Infinity", "-", "1..2", True]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_parse_number_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.8, None, "1.234.567,8"),
        (Decimal("1234567.891"), None, "1.234.567,891"),
        (Decimal("12.50"), None, "12,5"),  # trailing zeros are not significant
        (Decimal("1000.00"), None, "1.000"),
        (1000000, None, "1.000.000"),
        (999, None, "999"),
        (0, None, "0"),
        (-1234.5, None, "-1.234,5"),
        (1234567.8, 2, "1.234.567,80"),
        (1234567.891, 2, "1.234.567,89"),
        (2.5, 0, "3"),  # half up, as people round by hand
        (-2.5, 0, "-3"),
        (-0.4, 0, "0"),  # no "-0"
        (0, 2, "0,00"),
        ("70.3", 1, "70,3"),
    ],
)
def test_format_number_writes_the_vietnamese_way(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_format_number_leaves_nothing_empty(value):
    assert format_number(value) == ""


@pytest.mark.parametrize("text", ["1.234.567,89", "12,5", "-3", "0"])
def test_formatted_numbers_parse_back(text):
    assert format_number(parse_number(text)) == text


# --- Dates -----------------------------------------------------------------------------------


def test_long_date_writes_the_date_of_a_dispatch():
    assert long_date(dt.date(2024, 6, 10)) == "ngày 10 tháng 6 năm 2024"
    assert long_date(dt.date(2024, 6, 10), "Hà Nội") == "Hà Nội, ngày 10 tháng 6 năm 2024"


def test_long_date_pads_days_below_10_and_january_and_february():
    # Decree 30/2020/NĐ-CP, annex I: "ngày 05 tháng 02 năm 2025", but "tháng 3" and "tháng 12".
    assert long_date(dt.date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"
    assert long_date(dt.date(2025, 1, 31)) == "ngày 31 tháng 01 năm 2025"
    assert long_date(dt.date(2025, 3, 1)) == "ngày 01 tháng 3 năm 2025"
    assert long_date(dt.date(2023, 12, 15)) == "ngày 15 tháng 12 năm 2023"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 1, 1), "Quý I/2024"),
        (dt.date(2024, 3, 31), "Quý I/2024"),
        (dt.date(2024, 4, 1), "Quý II/2024"),
        (dt.date(2024, 9, 30), "Quý III/2024"),
        (dt.date(2023, 10, 1), "Quý IV/2023"),
        (dt.date(2023, 12, 31), "Quý IV/2023"),
    ],
)
def test_quarter_label_uses_roman_numerals(day, expected):
    assert quarter_label(day) == expected
