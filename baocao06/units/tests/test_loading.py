"""load_units and load_communes: the data files into the database, idempotently, or not at all."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baocao06.core.vietnamese import collation_key
from baocao06.units.kinds import UnitKind
from baocao06.units.loading import LoadError, read_unit_files
from baocao06.units.models import Unit

pytestmark = pytest.mark.django_db

UNITS_DIR = Path(__file__).resolve().parents[3] / "data" / "units"
HEADER = "key,code,name,full_name,short_name,kind,valid_from,valid_to,successor,notes\n"


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return run("load_units")


@pytest.fixture
def data_copy(tmp_path, settings):
    """A writable copy of data/units that the commands read instead of the real one."""
    shutil.copytree(UNITS_DIR, tmp_path / "units")
    settings.BAOCAO06_DATA_DIR = tmp_path
    return tmp_path / "units"


def provinces_on(day: dt.date):
    return Unit.objects.filter(kind=UnitKind.PROVINCE).valid_on(day)


def ministries_on(day: dt.date):
    return Unit.objects.filter(kind=UnitKind.MINISTRY).valid_on(day)


# --- load_units ------------------------------------------------------------------------------


def test_it_loads_every_unit_and_says_how_many(loaded):
    assert loaded.strip() == "Đã nạp 126 đơn vị: 126 thêm mới, 0 cập nhật, 0 không thay đổi."
    assert Unit.objects.count() == 126


def test_it_has_63_provinces_in_mid_2024(loaded):
    assert provinces_on(dt.date(2024, 6, 14)).count() == 63


def test_it_has_34_provinces_from_1_july_2025(loaded):
    assert provinces_on(dt.date(2025, 7, 1)).count() == 34


def test_it_has_18_ministries_in_mid_2024_and_14_from_march_2025(loaded):
    assert ministries_on(dt.date(2024, 6, 14)).count() == 18
    assert ministries_on(dt.date(2025, 3, 1)).count() == 14


def test_it_links_successors_that_come_later_in_the_files(loaded):
    assert Unit.objects.get(key="BKHDT").successor.key == "BTC"
    assert Unit.objects.get(key="P02").successor.key == "P08-2025"
    assert Unit.objects.get(key="P46").successor.name == "Huế"


def test_it_computes_sort_key_and_kind_order(loaded):
    hanoi = Unit.objects.get(key="P01")
    assert hanoi.kind_order == 5
    assert hanoi.sort_key != ""
    assert Unit.objects.get(key="BCA").kind_order == 0


def test_loading_twice_changes_nothing(loaded):
    before = list(Unit.objects.values_list("key", "name", "sort_key", "successor__key", "valid_to"))
    assert run("load_units").strip() == "Đã nạp 126 đơn vị: 0 thêm mới, 0 cập nhật, 126 không thay đổi."
    assert list(Unit.objects.values_list("key", "name", "sort_key", "successor__key", "valid_to")) == before


def test_loading_again_restores_a_changed_name_and_successor(loaded):
    Unit.objects.filter(key="P01").update(name="Hà Nội cũ", sort_key="zz")
    Unit.objects.filter(key="P02").update(successor=None)
    assert "2 cập nhật" in run("load_units")
    hanoi = Unit.objects.get(key="P01")
    assert (hanoi.name, hanoi.sort_key) == ("Hà Nội", collation_key("Hà Nội"))
    assert Unit.objects.get(key="P02").successor.key == "P08-2025"


def test_loading_again_refreshes_a_stale_sort_key(loaded):
    Unit.objects.filter(key="P79").update(sort_key="stale", kind_order=9)
    assert "1 cập nhật" in run("load_units")
    hcmc = Unit.objects.get(key="P79")
    assert (hcmc.sort_key, hcmc.kind_order) == (collation_key("Hồ Chí Minh"), 5)


def test_it_keeps_an_email_set_by_an_administrator(loaded):
    Unit.objects.filter(key="BCA").update(email="vanthu@bocongan.gov.vn")
    run("load_units")
    assert Unit.objects.get(key="BCA").email == "vanthu@bocongan.gov.vn"


# --- Refused files ---------------------------------------------------------------------------


def replace_line(path: Path, startswith: str, new: str) -> int:
    """Replace the line starting with `startswith`; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith(startswith))
    lines[number] = new
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_it_refuses_a_file_with_a_bad_kind_and_names_the_line(data_copy):
    line = replace_line(data_copy / "central.csv", "BYT,", "BYT,BYT,Bộ Y tế,,,bo,,,,\n")
    with pytest.raises(CommandError, match=rf"^Tệp central\.csv, dòng {line}: loại đơn vị “bo” không hợp lệ"):
        run("load_units")
    assert Unit.objects.count() == 0


def test_it_refuses_a_bad_date(data_copy):
    line = replace_line(data_copy / "provinces.csv", "P02,", "P02,02,Hà Giang,,,province,,30/06/2025,P08-2025,\n")
    with pytest.raises(CommandError, match=rf"Tệp provinces\.csv, dòng {line}: ngày không hợp lệ ở cột valid_to"):
        run("load_units")


def test_it_refuses_an_impossible_date(data_copy):
    line = replace_line(data_copy / "provinces.csv", "P02,", "P02,02,Hà Giang,,,province,,2025-02-30,P08-2025,\n")
    with pytest.raises(CommandError, match=rf"dòng {line}: ngày không hợp lệ ở cột valid_to: “2025-02-30”"):
        run("load_units")


def test_it_refuses_a_key_used_twice_even_across_files(data_copy):
    with (data_copy / "corporations.csv").open("a", encoding="utf-8") as handle:
        handle.write("BCA,BCA,Bộ Công an lần hai,,,corporation,,,,\n")
    with pytest.raises(CommandError, match=r"Tệp corporations\.csv, dòng 7: mã khóa “BCA” bị trùng \(đã có ở central"):
        run("load_units")
    assert Unit.objects.count() == 0


def test_it_refuses_an_unknown_successor(data_copy):
    line = replace_line(data_copy / "provinces.csv", "P02,", "P02,02,Hà Giang,,,province,,2025-06-30,P99-2025,\n")
    with pytest.raises(CommandError, match=rf"dòng {line}: đơn vị kế thừa “P99-2025” của “P02” không tồn tại"):
        run("load_units")


def test_it_refuses_a_file_without_a_column(tmp_path):
    path = tmp_path / "central.csv"
    path.write_text("key,code,name\nBCA,BCA,Bộ Công an\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"Tệp central\.csv, dòng 1: thiếu cột full_name"):
        read_unit_files([path])


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "central.csv"
    path.write_bytes((HEADER + "BYT,BYT,Bộ Y tế,,,ministry,,,,\n").encode("utf-16"))
    with pytest.raises(LoadError, match=r"Tệp central\.csv không phải UTF-8"):
        read_unit_files([path])


def test_it_refuses_a_row_with_more_cells_than_the_header(tmp_path):
    path = tmp_path / "central.csv"
    path.write_text(HEADER + "BYT,BYT,Bộ Y tế,,,ministry,,,,,thừa\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"Tệp central\.csv, dòng 2: thừa ô so với dòng tiêu đề"):
        read_unit_files([path])


def test_it_reads_names_typed_with_combining_accents_as_nfc(tmp_path):
    path = tmp_path / "central.csv"
    path.write_text(HEADER + "BYT,BYT,Bo\u0323\u0302 Y te\u0302\u0301,,,ministry,,,,\n", encoding="utf-8")
    assert read_unit_files([path])[0].name == "Bộ Y tế"


def test_a_successor_may_be_a_unit_loaded_before(loaded, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + "BXYZ,BXYZ,Bộ Thử nghiệm,,,ministry,,2025-02-28,BTC,\n", encoding="utf-8")
    assert read_unit_files([path])[0].successor == "BTC"


# --- load_communes ---------------------------------------------------------------------------


def test_it_loads_3321_communes_under_their_2025_provinces(loaded):
    assert run("load_communes").strip() == "Đã nạp 3.321 đơn vị: 3.321 thêm mới, 0 cập nhật, 0 không thay đổi."
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE)
    assert communes.count() == 3321
    assert communes.filter(parent__isnull=True).count() == 0
    assert communes.valid_on(dt.date(2025, 7, 1)).count() == 3321
    assert communes.valid_on(dt.date(2025, 6, 30)).count() == 0
    ba_dinh = Unit.objects.get(key="X00004")
    assert (ba_dinh.name, ba_dinh.full_name, ba_dinh.parent.key) == ("Ba Đình", "Phường Ba Đình", "P01")
    assert Unit.objects.get(key="X26732").full_name == "Đặc khu Côn Đảo"
    assert Unit.objects.get(key="X26732").parent.key == "P79-2025"
    assert Unit.objects.get(key="X06172").parent.key == "P20"


def test_every_province_of_2025_has_communes_and_no_old_one_has(loaded):
    run("load_communes")
    parents = set(Unit.objects.filter(kind=UnitKind.COMMUNE).values_list("parent__key", flat=True))
    assert parents == set(provinces_on(dt.date(2025, 7, 1)).values_list("key", flat=True))
    assert Unit.objects.get(key="P01").children.count() == 126


def test_bulk_loaded_communes_sort_like_saved_ones(loaded):
    run("load_communes")
    commune = Unit.objects.get(key="X06187")
    sort_key, kind_order = commune.sort_key, commune.kind_order
    commune.save()
    assert (commune.sort_key, commune.kind_order) == (sort_key, kind_order)


def test_loading_communes_twice_changes_nothing_but_restores_a_change(loaded):
    run("load_communes")
    Unit.objects.filter(key="X00004").update(name="Ba Đình cũ")
    assert run("load_communes").strip() == "Đã nạp 3.321 đơn vị: 0 thêm mới, 1 cập nhật, 3.320 không thay đổi."
    assert Unit.objects.get(key="X00004").name == "Ba Đình"
    assert Unit.objects.filter(kind=UnitKind.COMMUNE).count() == 3321


def test_communes_need_the_provinces_first():
    with pytest.raises(CommandError, match=r"Tệp communes-2025\.csv, dòng 2: không có tỉnh mã 01 còn hiệu lực"):
        run("load_communes")
    assert Unit.objects.count() == 0


def test_it_loads_communes_from_another_file(loaded, tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("key,code,name,kind_label,province_code\nX00070,00070,Hoàn Kiếm,phường,01\n", encoding="utf-8")
    run("load_communes", "--file", str(path))
    assert Unit.objects.get(key="X00070").display_name == "Phường Hoàn Kiếm"


def test_it_refuses_a_commune_with_a_bad_label(loaded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("key,code,name,kind_label,province_code\nX00070,00070,Hoàn Kiếm,quận,01\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Tệp bad\.csv, dòng 2: loại “quận” không hợp lệ"):
        run("load_communes", "--file", str(path))


# --- Using the loaded units ------------------------------------------------------------------


def test_current_successor_maps_old_units_onto_new_ones(loaded):
    ha_giang = Unit.objects.get(key="P02")
    assert ha_giang.current_successor(dt.date(2024, 6, 14)) == ha_giang
    assert ha_giang.current_successor(dt.date(2025, 7, 1)).key == "P08-2025"
    assert Unit.objects.get(key="P46").current_successor(dt.date(2026, 1, 1)).key == "P46-2025"
    assert Unit.objects.get(key="BTNMT").current_successor(dt.date(2026, 1, 1)).key == "BNNMT"
    assert Unit.objects.get(key="UBQLV").current_successor(dt.date(2025, 3, 1)).key == "BTC"


def test_current_successor_follows_a_chain_and_stops_on_a_loop(loaded):
    hue = Unit.objects.get(key="P46-2025")
    hue.valid_to, hue.successor = dt.date(2030, 12, 31), Unit.objects.get(key="P48-2025")
    hue.save()
    assert Unit.objects.get(key="P46").current_successor(dt.date(2031, 1, 1)).key == "P48-2025"
    ha_giang, tuyen_quang = Unit.objects.get(key="P02"), Unit.objects.get(key="P08-2025")
    tuyen_quang.valid_to, tuyen_quang.successor = dt.date(2030, 12, 31), ha_giang
    tuyen_quang.save()
    assert ha_giang.current_successor(dt.date(2031, 1, 1)).key in {"P02", "P08-2025"}


def test_provinces_sort_in_vietnamese_order(loaded):
    names = list(provinces_on(dt.date(2024, 6, 14)).order_by("sort_key").values_list("name", flat=True))
    assert names[:8] == [
        "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    ]  # fmt: skip
    assert names[8:16] == [
        "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk",
    ]  # fmt: skip
    assert names.index("Điện Biên") < names.index("Đồng Nai") < names.index("Gia Lai")
    assert names[-3:] == ["Vĩnh Long", "Vĩnh Phúc", "Yên Bái"]


def test_report_order_puts_ministries_before_provinces(loaded):
    first, last = Unit.objects.in_report_order().first(), Unit.objects.in_report_order().last()
    assert (first.kind, last.kind) == (UnitKind.MINISTRY, UnitKind.PROVINCE)
    assert first.name == "Bộ Công an"
