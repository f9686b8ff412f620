"""The official unit lists in data/units/, checked against the resolutions they come from.

The expectations are written from the legal texts (Resolutions 176/2025/QH15, 202/2025/QH15,
1314/NQ-UBTVQH15, Decision 19/2025/QĐ-TTg), independently of the CSV files, and the files are read
with the csv module rather than the loader, so a slip in either the data or the loader shows here.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

UNITS_DIR = Path(__file__).resolve().parents[3] / "data" / "units"
UNIT_FILES = ["central.csv", "corporations.csv", "provinces.csv"]

MID_2024 = dt.date(2024, 6, 14)
MINISTRIES_MERGED = dt.date(2025, 3, 1)
PROVINCES_MERGED = dt.date(2025, 7, 1)


def read(name: str) -> list[dict[str, str]]:
    with (UNITS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def valid_on(unit: dict[str, str], when: dt.date) -> bool:
    start, end = day(unit["valid_from"]), day(unit["valid_to"])
    return (start is None or start <= when) and (end is None or when <= end)


@pytest.fixture(scope="module")
def units() -> list[dict[str, str]]:
    return [row for name in UNIT_FILES for row in read(name)]


@pytest.fixture(scope="module")
def by_key(units) -> dict[str, dict[str, str]]:
    return {unit["key"]: unit for unit in units}


@pytest.fixture(scope="module")
def communes() -> list[dict[str, str]]:
    return read("communes-2025.csv")


def names_on(units, kind: str, when: dt.date) -> set[str]:
    return {unit["name"] for unit in units if unit["kind"] == kind and valid_on(unit, when)}


def keys_on(units, kind: str, when: dt.date) -> set[str]:
    return {unit["key"] for unit in units if unit["kind"] == kind and valid_on(unit, when)}


# --- Files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*UNIT_FILES, "communes-2025.csv"])
def test_every_file_is_nfc_without_stray_spaces(name):
    text = (UNITS_DIR / name).read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    assert not text.startswith("\ufeff")
    for row in read(name):
        for column, value in row.items():
            assert value == " ".join(value.split()), (name, column, value)


def test_unit_files_have_the_documented_columns():
    expected = ["key", "code", "name", "full_name", "short_name", "kind"]
    expected += ["valid_from", "valid_to", "successor", "notes"]
    for name in UNIT_FILES:
        with (UNITS_DIR / name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == expected, name


def test_keys_are_unique_across_files(units):
    duplicates = [key for key, count in Counter(unit["key"] for unit in units).items() if count > 1]
    assert duplicates == []


def test_every_kind_is_a_known_kind(units):
    kinds = {"ministry", "ministry_agency", "government_agency", "central_other", "corporation", "province"}
    assert {unit["kind"] for unit in units} == kinds


def test_central_bodies_use_their_abbreviation_as_code(units):
    for unit in units:
        if unit["kind"] != "province":
            assert unit["code"] == unit["key"], unit["key"]


# --- Ministries and central bodies (Resolution 176/2025/QH15) ------------------------------------

MINISTRIES_2024 = {
    "BQP": "Bộ Quốc phòng",
    "BCA": "Bộ Công an",
    "BNG": "Bộ Ngoại giao",
    "BNV": "Bộ Nội vụ",
    "BTP": "Bộ Tư pháp",
    "BKHDT": "Bộ Kế hoạch và Đầu tư",
    "BTC": "Bộ Tài chính",
    "BCT": "Bộ Công Thương",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BGTVT": "Bộ Giao thông vận tải",
    "BXD": "Bộ Xây dựng",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BLDTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BGDDT": "Bộ Giáo dục và Đào tạo",
    "BYT": "Bộ Y tế",
}
MINISTRY_SUCCESSORS = {
    "BKHDT": "BTC",
    "BGTVT": "BXD",
    "BTNMT": "BNNMT",
    "BNNPTNT": "BNNMT",
    "BTTTT": "BKHCN",
    "BLDTBXH": "BNV",
    "UBDT": "BDTTG",
    "UBQLV": "BTC",
}


def test_it_has_the_18_ministries_of_2024_in_mid_2024(units, by_key):
    assert keys_on(units, "ministry", MID_2024) == set(MINISTRIES_2024)
    assert {key: by_key[key]["name"] for key in MINISTRIES_2024} == MINISTRIES_2024


def test_it_has_14_ministries_from_1_march_2025(units):
    assert keys_on(units, "ministry", MINISTRIES_MERGED) == {
        "BQP", "BCA", "BNG", "BNV", "BTP", "BTC", "BCT", "BXD", "BVHTTDL", "BKHCN", "BGDDT", "BYT", "BNNMT", "BDTTG",
    }  # fmt: skip


def test_the_old_ministries_still_exist_on_28_february_2025(units):
    assert len(keys_on(units, "ministry", dt.date(2025, 2, 28))) == 18


def test_the_two_new_ministries_have_their_names(by_key):
    assert by_key["BNNMT"]["name"] == "Bộ Nông nghiệp và Môi trường"
    assert by_key["BDTTG"]["name"] == "Bộ Dân tộc và Tôn giáo"


def test_merged_central_bodies_end_on_28_february_2025_with_their_successors(units, by_key):
    ended = {unit["key"]: unit["successor"] for unit in units if unit["valid_to"] and unit["kind"] != "province"}
    assert ended == MINISTRY_SUCCESSORS
    for key in MINISTRY_SUCCESSORS:
        assert by_key[key]["valid_to"] == "2025-02-28"


def test_the_other_central_bodies_are_unchanged(units):
    assert keys_on(units, "ministry_agency", MINISTRIES_MERGED) == {"NHNN", "TTCP", "VPCP"}
    assert keys_on(units, "ministry_agency", MID_2024) == {"UBDT", "NHNN", "TTCP", "VPCP"}
    assert keys_on(units, "government_agency", MID_2024) == {
        "BHXH", "VTV", "VOV", "TTXVN", "UBQLV", "VHLKHCN", "VHLKHXH",
    }  # fmt: skip
    assert keys_on(units, "central_other", MINISTRIES_MERGED) == {"BCY", "TANDTC", "VKSNDTC"}


def test_the_corporations_are_listed_with_what_dispatch_4709_says_of_them(units):
    corporations = {unit["key"]: unit for unit in units if unit["kind"] == "corporation"}
    assert set(corporations) == {"EVN", "VNPOST", "VIETTEL", "VNPT", "MOBIFONE"}
    assert corporations["EVN"]["name"] == "Tập đoàn Điện lực Việt Nam"
    assert "nhiệm vụ 38" in corporations["EVN"]["notes"]
    assert "nhiệm vụ 35" in corporations["VNPOST"]["notes"]
    assert "II.6(3)" in corporations["MOBIFONE"]["notes"]


# --- Provinces (Resolutions 1314/NQ-UBTVQH15 and 202/2025/QH15) -------------------------------

# GSO codes of the 63 provinces before 2025.
OLD_PROVINCES = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang", "10": "Lào Cai",
    "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái", "17": "Hòa Bình", "19": "Thái Nguyên",
    "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang", "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh",
    "30": "Hải Dương", "31": "Hải Phòng", "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định",
    "37": "Ninh Bình", "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum", "64": "Gia Lai",
    "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước", "72": "Tây Ninh", "74": "Bình Dương",
    "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu", "79": "Hồ Chí Minh", "80": "Long An", "82": "Tiền Giang",
    "83": "Bến Tre", "84": "Trà Vinh", "86": "Vĩnh Long", "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang",
    "92": "Cần Thơ", "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}  # fmt: skip
CITIES_BEFORE_2025 = {"01", "31", "48", "79", "92"}
# Resolution 202/2025/QH15: the new province (name, code of Decision 19/2025/QĐ-TTg) and what it merges.
MERGERS = {
    ("Tuyên Quang", "08"): {"Hà Giang", "Tuyên Quang"},
    ("Lào Cai", "15"): {"Lào Cai", "Yên Bái"},
    ("Thái Nguyên", "19"): {"Bắc Kạn", "Thái Nguyên"},
    ("Phú Thọ", "25"): {"Hòa Bình", "Vĩnh Phúc", "Phú Thọ"},
    ("Bắc Ninh", "24"): {"Bắc Giang", "Bắc Ninh"},
    ("Hưng Yên", "33"): {"Thái Bình", "Hưng Yên"},
    ("Hải Phòng", "31"): {"Hải Dương", "Hải Phòng"},
    ("Ninh Bình", "37"): {"Hà Nam", "Nam Định", "Ninh Bình"},
    ("Quảng Trị", "44"): {"Quảng Bình", "Quảng Trị"},
    ("Đà Nẵng", "48"): {"Quảng Nam", "Đà Nẵng"},
    ("Quảng Ngãi", "51"): {"Kon Tum", "Quảng Ngãi"},
    ("Gia Lai", "52"): {"Gia Lai", "Bình Định"},
    ("Khánh Hòa", "56"): {"Ninh Thuận", "Khánh Hòa"},
    ("Lâm Đồng", "68"): {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    ("Đắk Lắk", "66"): {"Phú Yên", "Đắk Lắk"},
    ("Hồ Chí Minh", "79"): {"Bình Dương", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"},
    ("Đồng Nai", "75"): {"Bình Phước", "Đồng Nai"},
    ("Tây Ninh", "80"): {"Long An", "Tây Ninh"},
    ("Cần Thơ", "92"): {"Sóc Trăng", "Hậu Giang", "Cần Thơ"},
    ("Vĩnh Long", "86"): {"Bến Tre", "Vĩnh Long", "Trà Vinh"},
    ("Đồng Tháp", "82"): {"Tiền Giang", "Đồng Tháp"},
    ("Cà Mau", "96"): {"Bạc Liêu", "Cà Mau"},
    ("An Giang", "91"): {"Kiên Giang", "An Giang"},
}
UNCHANGED_2025 = {
    "Hà Nội", "Huế", "Cao Bằng", "Điện Biên", "Lai Châu", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh",
}  # fmt: skip


def provinces(units) -> list[dict[str, str]]:
    return [unit for unit in units if unit["kind"] == "province"]


def test_it_has_63_provinces_in_mid_2024(units):
    assert len(keys_on(units, "province", MID_2024)) == 63


def test_it_has_34_provinces_from_1_july_2025(units):
    assert len(keys_on(units, "province", PROVINCES_MERGED)) == 34


def test_it_still_has_63_provinces_on_30_june_2025_with_hue_a_city(units):
    names = names_on(units, "province", dt.date(2025, 6, 30))
    assert len(names) == 63
    assert "Huế" in names and "Thừa Thiên Huế" not in names


def test_the_63_provinces_carry_their_gso_codes_and_names(units):
    in_2024 = {unit["code"]: unit["name"] for unit in provinces(units) if valid_on(unit, MID_2024)}
    assert in_2024 == OLD_PROVINCES


def test_old_provinces_are_keyed_by_their_code(units):
    for unit in provinces(units):
        if not unit["valid_from"]:
            assert unit["key"] == f"P{unit['code']}"


def test_full_names_carry_the_administrative_prefix(units, by_key):
    for unit in provinces(units):
        city = unit["code"] in CITIES_BEFORE_2025 if not unit["valid_from"] else unit["full_name"].startswith("Thành")
        assert unit["full_name"] == f"{'Thành phố' if city else 'Tỉnh'} {unit['name']}", unit["key"]
    assert by_key["P46"]["full_name"] == "Tỉnh Thừa Thiên Huế"
    assert by_key["P46-2025"]["full_name"] == "Thành phố Huế"
    assert by_key["P79-2025"]["full_name"] == "Thành phố Hồ Chí Minh"


def test_the_six_cities_of_july_2025_are_cities(units):
    in_2025 = [unit for unit in provinces(units) if valid_on(unit, PROVINCES_MERGED)]
    cities = {unit["name"] for unit in in_2025 if unit["full_name"].startswith("Thành phố ")}
    assert cities == {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def test_hue_became_a_city_on_1_january_2025(by_key):
    assert by_key["P46"]["valid_to"] == "2024-12-31"
    assert by_key["P46"]["successor"] == "P46-2025"
    hue = by_key["P46-2025"]
    assert (hue["code"], hue["name"], hue["valid_from"], hue["valid_to"]) == ("46", "Huế", "2025-01-01", "")


def test_the_11_unchanged_provinces_exist_on_1_july_2025(units, by_key):
    assert names_on(units, "province", PROVINCES_MERGED) >= UNCHANGED_2025
    for key in ["P01", "P04", "P11", "P12", "P14", "P20", "P22", "P38", "P40", "P42"]:
        assert (by_key[key]["valid_from"], by_key[key]["valid_to"], by_key[key]["successor"]) == ("", "", "")


def test_the_34_provinces_are_the_11_unchanged_and_the_23_merged(units):
    merged = {name for name, _ in MERGERS}
    assert names_on(units, "province", PROVINCES_MERGED) == UNCHANGED_2025 | merged
    assert len(merged) == 23


@pytest.mark.parametrize(("new", "olds"), MERGERS.items(), ids=[name for name, _ in MERGERS])
def test_each_merged_province_comes_from_the_provinces_of_resolution_202(units, by_key, new, olds):
    name, code = new
    successor = by_key[f"P{code}-2025"]
    assert (successor["name"], successor["code"], successor["valid_from"]) == (name, code, "2025-07-01")
    merged = {unit["name"] for unit in provinces(units) if unit["successor"] == successor["key"]}
    assert merged == olds
    for unit in provinces(units):
        if unit["successor"] == successor["key"]:
            assert unit["valid_to"] == "2025-06-30"


def test_ha_giang_and_tuyen_quang_become_tuyen_quang(by_key):
    assert by_key["P02"]["successor"] == by_key["P08"]["successor"] == "P08-2025"
    assert by_key["P08-2025"]["name"] == "Tuyên Quang"


def test_binh_duong_ba_ria_vung_tau_and_ho_chi_minh_city_become_ho_chi_minh_city(by_key):
    assert {by_key[key]["successor"] for key in ["P74", "P77", "P79"]} == {"P79-2025"}
    assert by_key["P79-2025"]["full_name"] == "Thành phố Hồ Chí Minh"


def test_every_ended_unit_names_a_successor_valid_the_next_day(units, by_key):
    ended = [unit for unit in units if unit["valid_to"]]
    assert len(ended) == 8 + 1 + 52
    for unit in ended:
        successor = by_key[unit["successor"]]
        assert valid_on(successor, day(unit["valid_to"]) + dt.timedelta(days=1)), unit["key"]
        assert successor["kind"] in {unit["kind"], "ministry"}


def test_only_ended_units_have_successors(units):
    assert all(bool(unit["successor"]) == bool(unit["valid_to"]) for unit in units)


@pytest.mark.parametrize(
    "when", [MID_2024, dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 6, 30), PROVINCES_MERGED]
)
def test_province_codes_are_two_digits_and_unique_on_any_day(units, when):
    codes = [unit["code"] for unit in provinces(units) if valid_on(unit, when)]
    assert all(re.fullmatch(r"\d{2}", code) for code in codes)
    assert len(codes) == len(set(codes))


# --- Communes (Decision 19/2025/QĐ-TTg) -------------------------------------------------------


def test_the_communes_file_has_3321_rows(communes):
    assert len(communes) == 3321


def test_commune_codes_are_unique_five_digit_codes_and_keys_follow_them(communes):
    codes = [row["code"] for row in communes]
    assert len(set(codes)) == 3321
    assert all(re.fullmatch(r"\d{5}", code) for code in codes)
    assert all(row["key"] == f"X{row['code']}" for row in communes)


def test_there_are_2621_xa_687_phuong_and_13_dac_khu(communes):
    assert Counter(row["kind_label"] for row in communes) == {"xã": 2621, "phường": 687, "đặc khu": 13}


def test_the_13_special_zones_are_the_island_ones(communes):
    assert {row["name"] for row in communes if row["kind_label"] == "đặc khu"} == {
        "Vân Đồn", "Cô Tô", "Cát Hải", "Bạch Long Vĩ", "Cồn Cỏ", "Hoàng Sa", "Lý Sơn", "Trường Sa", "Phú Quý",
        "Côn Đảo", "Kiên Hải", "Phú Quốc", "Thổ Châu",
    }  # fmt: skip


def test_every_commune_belongs_to_one_of_the_34_provinces(units, communes):
    codes_2025 = {unit["code"] for unit in provinces(units) if valid_on(unit, PROVINCES_MERGED)}
    per_province = Counter(row["province_code"] for row in communes)
    assert set(per_province) == codes_2025
    assert (per_province["01"], per_province["79"]) == (126, 168)


def test_names_carry_no_administrative_prefix(communes):
    prefixes = ("Xã ", "Phường ", "Đặc khu ")
    assert not [row["name"] for row in communes if row["name"].startswith(prefixes)]


def test_the_five_names_fixed_in_vietnam_provinces_2025_10_1_are_the_fixed_ones(communes):
    by_code = {row["code"]: (row["kind_label"], row["name"], row["province_code"]) for row in communes}
    assert by_code["06172"] == ("xã", "Hoàng Văn Thụ", "20")
    assert by_code["06187"] == ("phường", "Kỳ Lừa", "20")
    assert by_code["16609"] == ("phường", "Đào Duy Từ", "38")
    assert by_code["23954"] == ("xã", "Al Bá", "52")
    assert by_code["29857"] == ("xã", "Lục Sĩ Thành", "86")
