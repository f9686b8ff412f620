"""The definition of dispatch 4709/CV-TCTTKĐA (data/definitions/4709-2024-h1.yaml) and its catalogues.

The expectations below are written from the dispatch itself, independently of the YAML, so a
transcription slip (a lost section, a renamed column, an OCR error left in) fails here.
"""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from baocao06.definitions import expressions
from baocao06.definitions.spec import Spec, SpecError, load_spec

ROOT = Path(__file__).resolve().parents[3]
DEFINITION = ROOT / "data" / "definitions" / "4709-2024-h1.yaml"
SERVICES = ROOT / "data" / "catalogues" / "services.yaml"
TASKS = ROOT / "data" / "catalogues" / "r175_tasks.yaml"
DATA_FILES = [DEFINITION, SERVICES, TASKS]

try:  # the catalogue registry, once it exists, is the authority on item fields
    from baocao06.catalogues.registry import catalogue_fields

    CATALOGUE_FIELDS = catalogue_fields()
except ImportError:
    CATALOGUE_FIELDS = {
        "services": frozenset({"code", "number", "name", "programme", "owner", "decision"}),
        "r175_tasks": frozenset(
            {"code", "group", "number", "title", "lead", "lead_units", "coordinating", "documents", "due", "note"}
        ),
    }


def words(text: str) -> list[str]:
    return text.split()


def cells(text: str) -> list[str]:
    return [cell.strip() for cell in text.split(" | ")]


CENTRAL_KINDS = {"ministry", "ministry_agency", "government_agency", "central_other"}
DISPATCH_DATE = "2024-06-10"


def units_of_2024() -> dict[str, str]:
    """Key → kind of every unit in the official lists (data/units) that exists on the dispatch date."""
    units = {}
    for name in ("central.csv", "corporations.csv", "provinces.csv"):
        with (ROOT / "data" / "units" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if (row["valid_from"] or "0000") <= DISPATCH_DATE <= (row["valid_to"] or "9999"):
                    units[row["key"]] = row["kind"]
    return units


def definition_text() -> str:
    return DEFINITION.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(definition_text(), catalogues=CATALOGUE_FIELDS)


def catalogue_items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


def resolve(spec: Spec, names: list[str]) -> tuple[set[str], set[str]]:
    """The unit kinds and unit keys an audience list addresses (following include)."""
    kinds: set[str] = set()
    units: set[str] = set()
    stack, seen = list(names), set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        audience = spec.audiences[name]
        kinds |= {str(kind.value if hasattr(kind, "value") else kind) for kind in audience.kinds}
        units |= set(audience.units)
        stack.extend(audience.include)
    return kinds, units


def effective_audience(spec: Spec, key: str) -> tuple[set[str], set[str]]:
    parents = {section.key: parent for section, parent in spec.walk_sections()}
    sections = {section.key: section for section, _ in spec.walk_sections()}
    section = sections[key]
    while section.audience is None:
        section = parents[section.key]
        assert section is not None, f"{key} has no audience anywhere up its tree"
    return resolve(spec, section.audience)


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        load_spec(text, catalogues=CATALOGUE_FIELDS)
    return caught.value.problems


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def table(data_or_spec, key):
    tables = data_or_spec["appendices"] if isinstance(data_or_spec, dict) else data_or_spec.appendices
    return next(t for t in tables if (t["key"] if isinstance(t, dict) else t.key) == key)


# --- The file as a whole ---------------------------------------------------------------------------


def test_the_definition_loads_with_its_identity_and_source(spec):
    assert (spec.format, spec.key, spec.version) == (1, "de-an-06-so-ket", "2024-h1")
    assert spec.title == "ĐỀ CƯƠNG BÁO CÁO SƠ KẾT 06 THÁNG ĐẦU NĂM 2024 TRONG TRIỂN KHAI, THỰC HIỆN ĐỀ ÁN 06"
    assert spec.source.number == "4709/CV-TCTTKĐA"
    assert spec.source.date.isoformat() == "2024-06-10"
    assert spec.source.subject == "V/v báo cáo kết quả triển khai Đề án 06 trong 6 tháng đầu năm 2024"
    assert spec.source.issuer.startswith("TỔ CÔNG TÁC TRIỂN KHAI ĐỀ ÁN")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_the_data_files_are_nfc_and_free_of_known_ocr_damage(path):
    text = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    for damage in ["过户", "VNNeID", "VNellD", "Thí tục", "kycop", "Đang ký", "phuromg", "đấu tư", "稿", "nabi"]:
        assert damage not in text, f"{damage!r} left in {path.name}"


# --- Outline ---------------------------------------------------------------------------------------

# Every section of the dispatch's outline, in order, with the first words of its title.
OUTLINE = [
    ("I", "KHÁI QUÁT TÌNH HÌNH"),
    ("I.1", "Khái quát tình hình kinh tế"),
    ("I.2", "Các Bộ, ngành, địa phương bám sát"),
    ("I.3", "Các Bộ, ngành, địa phương đánh giá các tiện ích"),
    ("II", "KẾT QUẢ CÁC MẶT CÔNG TÁC"),
    ("II.1", "Công tác chỉ đạo, triển khai"),
    ("II.1.1", "Văn phòng Chính phủ"),
    ("II.1.2", "Bộ Công an"),
    ("II.1.3", "Các Bộ, ngành"),
    ("II.1.4", "UBND các tỉnh, thành phố"),
    ("II.2", "Về hoàn thiện thể chế"),
    ("II.3", "Nhóm tiện ích giải quyết TTHC"),
    ("II.3.1", "Mục tiêu đến năm 2025"),
    ("II.3.2", "Về pháp lý thực hiện"),
    ("II.3.3", "Về dịch vụ công"),
    ("II.3.3.1", "Văn phòng Chính phủ đánh giá"),
    ("II.3.3.2", "Bộ Thông tin và Truyền thông đánh giá"),
    ("II.3.3.3", "Ban Cơ yếu Chính phủ báo cáo"),
    ("II.3.3.4", "Bộ Công an đánh giá hiện trạng"),
    ("II.3.3.5", "Các Bộ, ngành đánh giá"),
    ("II.3.3.6", "Các địa phương đánh giá"),
    ("II.4", "Nhóm tiện ích phục vụ phát triển kinh tế"),
    ("II.4.1", "Mục tiêu tổng quan đến năm 2025"),
    ("II.4.2", "Các Bộ, ngành, địa phương, tập đoàn"),
    ("II.4.3", "Bộ Kế hoạch và Đầu tư báo cáo"),
    ("II.4.4", "Triển khai các giải pháp thanh toán"),
    ("II.4.5", "Bộ Tài chính"),
    ("II.4.6", "Các Bộ, ngành, địa phương báo cáo kết quả phát triển"),
    ("II.5", "Nhóm phục vụ phát triển công dân số"),
    ("II.5.1", "Mục tiêu tổng quan đến năm 2025"),
    ("II.5.2", "Các Bộ, ngành báo cáo"),
    ("II.5.3", "Các địa phương báo cáo kết quả triển khai ứng dụng"),
    ("II.6", "Hoàn thiện hệ sinh thái"),
    ("II.6.1", "Mục tiêu tổng quan đến năm 2025"),
    ("II.6.2", "Các Bộ, ngành đánh giá kết quả kết nối"),
    ("II.6.3", "Kết quả kết nối chia sẻ với các đơn vị ngoài"),
    ("II.6.4", "Kết quả làm sạch dữ liệu"),
    ("II.6.5", "Kết quả thực hiện chuẩn hóa"),
    ("II.6.6", "Về mặt hạ tầng, dữ liệu"),
    ("II.6.7", "Bộ Thông tin và Truyền thông đánh giá vấn đề"),
    ("II.7", "Nhóm tiện ích phục vụ chỉ đạo, điều hành"),
    ("II.8", "Về bố trí ngân sách"),
    ("II.8.1", "Về kinh phí"),
    ("II.8.2", "Về nguồn nhân lực"),
    ("II.8.3", "Tồn tại, hạn chế"),
    ("II.8.4", "Nguyên nhân"),
    ("II.8.5", "Giải pháp"),
    ("II.9", "Các địa phương báo cáo kết quả triển khai các mô hình điểm"),
    ("II.10", "Công tác tuyên truyền"),
    ("II.11", "Các Bộ, ngành, địa phương báo cáo tiến độ"),
    ("III", "NHẬN XÉT, ĐÁNH GIÁ, GIẢI PHÁP"),
    ("III.1", "Ưu điểm"),
    ("III.2", "Tồn tại, hạn chế, khó khăn"),
    ("III.3", "Bài học kinh nghiệm"),
    ("IV", "NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2024"),
    ("IV.1", "Dự báo tình hình"),
    ("IV.2", "Đánh giá nguy cơ"),
    ("IV.3", "Giải pháp thực hiện"),
    ("V", "KIẾN NGHỊ, ĐỀ XUẤT"),
    ("V.1", "Với Chính phủ"),
    ("V.2", "Với Bộ, ngành, thành viên Tổ công tác"),
]


def test_the_outline_has_every_section_of_the_dispatch_in_order(spec):
    sections = [(section.key, section.title) for section, _ in spec.walk_sections()]
    assert [key for key, _ in sections] == [key for key, _ in OUTLINE]
    for (key, title), (_, start) in zip(sections, OUTLINE, strict=True):
        assert title.startswith(start), f"{key}: {title!r} should start with {start!r}"


def test_the_two_sections_printed_as_5_keep_their_printed_number(spec):
    sections = {section.key: section for section, _ in spec.walk_sections()}
    assert sections["II.3.3.5"].number == "(5)"
    assert sections["II.3.3.6"].number == "(5)"
    assert sections["II.3.3.4"].number == "(4)"


def test_top_level_headings_take_no_input_and_have_children(spec):
    for section in spec.outline:
        assert section.fields == []
        assert section.children


def test_named_sections_address_the_units_the_dispatch_names(spec):
    assert effective_audience(spec, "II.1.1") == (set(), {"VPCP"})
    assert effective_audience(spec, "II.1.2") == (set(), {"BCA"})
    assert effective_audience(spec, "II.3.3.2") == (set(), {"BTTTT"})
    assert effective_audience(spec, "II.3.3.3") == (set(), {"BCY"})
    assert effective_audience(spec, "II.3.3.4") == (set(), {"BCA"})
    assert effective_audience(spec, "II.4.3") == (set(), {"BKHDT"})
    assert effective_audience(spec, "II.4.5") == (set(), {"BTC"})
    assert effective_audience(spec, "II.6.3") == (set(), {"BCA", "BTTTT"})
    assert effective_audience(spec, "II.6.7") == (set(), {"BTTTT"})
    assert effective_audience(spec, "II.7") == (set(), {"BCA"})
    assert effective_audience(spec, "II.5.2") == (set(), {"BTP", "BYT", "BHXH", "BTC", "BCA", "P01", "P46"})


def test_group_sections_address_ministries_provinces_or_both(spec):
    everyone = (CENTRAL_KINDS | {"province"}, set())
    assert effective_audience(spec, "II.1.3") == (CENTRAL_KINDS, set())
    assert effective_audience(spec, "II.1.4") == ({"province"}, set())
    assert effective_audience(spec, "II.3.3.5") == (CENTRAL_KINDS, set())
    assert effective_audience(spec, "II.3.3.6") == ({"province"}, set())
    assert effective_audience(spec, "II.5.3") == ({"province"}, set())
    for key in ["I.1", "I.2", "I.3", "II.2", "II.3.2", "II.4.4", "II.8.1", "II.10", "II.11", "III.2", "IV.1", "V.2"]:
        assert effective_audience(spec, key) == everyone, key


def test_corporations_answer_only_the_economic_applications_section(spec):
    kinds, _ = effective_audience(spec, "II.4.2")
    assert kinds == CENTRAL_KINDS | {"province", "corporation"}
    for section, _ in spec.walk_sections():
        if section.key != "II.4.2" and section.audience:
            assert "corporation" not in resolve(spec, section.audience)[0], section.key


def test_communes_are_not_addressed_in_this_round(spec):
    for section, _ in spec.walk_sections():
        if section.audience:
            assert "commune" not in resolve(spec, section.audience)[0], section.key


def test_pilot_models_section_names_the_six_pilot_provinces(spec):
    kinds, units = effective_audience(spec, "II.9")
    assert kinds == {"province"}
    assert units == {"P01", "P79", "P22", "P74", "P46", "P91"}


def test_sections_refer_to_their_appendices(spec):
    sections = {section.key: section for section, _ in spec.walk_sections()}
    assert sections["I.2"].tables == ["PL01"]
    assert sections["I.3"].tables == ["PL07"]
    assert sections["II.3.3.5"].tables == ["PL03", "PL04", "PL05", "PL06"]
    assert sections["II.11"].tables == ["PL02"]
    placement = {t.key: t.section for t in spec.appendices}
    assert placement == {
        "PL01": "I.2",
        "PL02": "II.11",
        "PL03": "II.3.3.5",
        "PL04": "II.3.3.5",
        "CP27": "II.3.3.5",
        "PL05": "II.3.3.5",
        "PL06": "II.3.3.5",
        "PL07": "I.3",
    }


def test_task_totals_of_section_i_2_are_computed_from_appendix_01_not_typed(spec):
    section = next(s for s, _ in spec.walk_sections() if s.key == "I.2")
    assert section.summary.table == "PL01"
    counts = {count.key: expressions.parse(count.where) for count in section.summary.counts}
    assert list(counts) == ["carried_over", "new", "completed", "not_completed", "recurring", "in_progress"]
    row = {"origin": "carried_over", "result": "in_progress"}
    assert {key for key, expr in counts.items() if expr.evaluate(row)} == {"carried_over", "in_progress"}
    assert "body" not in [f.key for f in section.fields or []]


def test_repeated_issue_triple_is_defined_once_and_reused(spec):
    from baocao06.definitions.spec import expand_fields

    triple = ["issues", "causes_objective", "causes_subjective", "solutions"]
    assert [f.key for f in expand_fields(spec, spec.fieldsets["van_de_giai_phap"])] == triple
    sections = {section.key: section for section, _ in spec.walk_sections()}

    def keys(key):
        return [f.key for f in expand_fields(spec, sections[key].fields or [])]

    for key in ["II.6.2", "II.7"]:
        assert keys(key) == ["body", *triple], key
    for key in ["II.3.3.6", "II.4.5", "II.5.2", "II.6.3", "II.8.1"]:
        assert keys(key) == ["body", *triple[:3]], key
    assert keys("II.4.2")[-3:] == triple[:3]
    assert keys("II.8.4") == ["causes_objective", "causes_subjective"]
    raw = definition_text()
    assert raw.count('key: issues, label: "Tồn tại, vướng mắc"') == 1


# --- Appendices ------------------------------------------------------------------------------------

# Column labels as printed (OCR fixed), " | " between columns.
COLUMNS = {
    "PL01": cells(
        "Nội dung, nhiệm vụ | Văn bản chỉ đạo | Đơn vị thực hiện | Thời gian hoàn thành | Kết quả | "
        "Nguy cơ | Nguồn nhiệm vụ"
    ),
    "PL02": cells(
        "Đơn vị chủ trì | Nhiệm vụ | Đơn vị phối hợp | Văn bản chỉ đạo | Thời gian hoàn thành | Kết quả | Nguyên nhân"
    ),
    "PL03": cells(
        "Dịch vụ | Tổng số hồ sơ | Trực tuyến | Tỷ lệ | "
        "Đánh giá số liệu tăng/giảm so với tháng 12 năm 2023 | Nội dung cắt giảm, kết nối, chia sẻ | "
        "Tổng số tiền tiết kiệm | Chi phí tiết kiệm cho người dân | Giải pháp | "
        "Địa phương triển khai thực hiện"
    ),
    "PL04": cells(
        "Tên Dịch vụ công | Tổng số | Trực tuyến | Tỷ lệ | "
        "Đánh giá số liệu tăng/giảm so với tháng 12 năm 2023 | Nội dung cắt giảm, đơn giản | "
        "Tổng số tiền tiết kiệm | Chi phí tiết kiệm cho người dân | "
        "Chi phí tiết kiệm cho cơ quan nhà nước | Giải pháp"
    ),
    # Not in the dispatch: the compliance-cost inputs of Circular 02/2017/TT-VPCP art. 27 (not printed).
    "CP27": cells(
        "Dịch vụ công | Chuẩn bị hồ sơ | Nộp hồ sơ | Nhận kết quả | Chi phí khác (dịch vụ, đi lại, sao chụp) | "
        "Phí, lệ phí | Chuẩn bị hồ sơ | Nộp hồ sơ | Nhận kết quả | Chi phí khác (dịch vụ, đi lại, sao chụp) | "
        "Phí, lệ phí | Số lần thực hiện một năm | Số đối tượng thực hiện một năm | "
        "Chi phí tuân thủ một năm trước khi cắt giảm | Chi phí tuân thủ một năm sau khi cắt giảm | "
        "Chi phí tiết kiệm | Tỷ lệ cắt giảm"
    ),
    "PL05": cells(
        "Tên Dịch vụ công | Tổng số | Trực tuyến | Tỷ lệ | "
        "Đánh giá số liệu tăng/giảm so với tháng 12 năm 2023 | Nội dung cắt giảm, đơn giản | "
        "Tổng số tiền tiết kiệm | Chi phí tiết kiệm cho người dân | "
        "Chi phí tiết kiệm cho cơ quan nhà nước | Tồn tại | Giải pháp"
    ),
    "PL06": cells("Tên dịch vụ công/TTHC | Bộ, ngành | Địa phương | Tiến độ | Nguyên nhân | Giải pháp"),
    "PL07": cells("Nội dung | Người dân | Doanh nghiệp | Chính phủ | Tồn tại | Nguyên nhân | Giải pháp | Trách nhiệm"),
}


def test_every_appendix_has_the_dispatchs_columns_in_order(spec):
    assert [t.key for t in spec.appendices] == list(COLUMNS)
    for t in spec.appendices:
        assert [c.label for c in t.columns] == COLUMNS[t.key], t.key
        assert t.orientation == "landscape"


def test_each_appendix_has_one_label_column(spec):
    labels = {t.key: [c.label for c in t.columns if c.role == "label"] for t in spec.appendices}
    assert labels == {
        "PL01": ["Nội dung, nhiệm vụ"],
        "PL02": ["Nhiệm vụ"],
        "PL03": ["Dịch vụ"],
        "PL04": ["Tên Dịch vụ công"],
        "CP27": ["Dịch vụ công"],
        "PL05": ["Tên Dịch vụ công"],
        "PL06": ["Tên dịch vụ công/TTHC"],
        "PL07": ["Nội dung"],
    }


def test_the_25_services_table_keeps_the_heading_the_dispatch_printed(spec):
    pl03 = table(spec, "PL03")
    assert pl03.printed_as == "PHỤ LỤC 02"
    assert pl03.title == "ĐÁNH GIÁ 25 DỊCH VỤ CÔNG THIẾT YẾU THEO ĐỀ ÁN 06"
    assert table(spec, "PL02").printed_as is None


def test_rates_are_computed_and_change_falls_back_to_typed(spec):
    for key in ["PL03", "PL04", "PL05"]:
        columns = {c.key: c for c in table(spec, key).columns}
        assert columns["rate"].type == "percent" and columns["rate"].formula == "ratio(online, total)"
        change = columns["change"]
        assert (change.type, change.formula, change.fallback, change.unit) == (
            "percent",
            "rate - baseline(rate)",
            "typed",
            "điểm %",
        )
        for money in [c for c in columns.values() if c.key.startswith("savings_")]:
            assert (money.type, money.unit, money.min) == ("money", "đồng", 0)
        assert (columns["total"].type, columns["total"].min) == ("integer", 0)


def test_savings_totals_rows_sum_the_savings_columns(spec):
    assert table(spec, "PL03").totals[0].sum == ["total", "online", "savings_total", "savings_citizens"]
    for key in ["PL04", "PL05"]:
        total = table(spec, key).totals[0]
        assert total.label == "TỔNG SỐ TIỀN TIẾT KIỆM"
        assert total.sum == ["total", "online", "savings_total", "savings_citizens", "savings_state"]


def test_task_result_choices_print_as_ticks(spec):
    pl01 = {c.key: c for c in table(spec, "PL01").columns}
    assert pl01["result"].display == "ticks"
    assert [(c.value, c.label) for c in pl01["result"].choices] == [
        ("completed", "Hoàn thành"),
        ("not_completed", "Chưa hoàn thành"),
        ("recurring", "Thực hiện thường xuyên"),
        ("in_progress", "Đang triển khai"),
    ]
    assert [(c.value, c.label) for c in pl01["origin"].choices] == [
        ("carried_over", "Tồn 2023 chuyển sang"),
        ("new", "Mới giao năm 2024"),
    ]
    pl02 = {c.key: c for c in table(spec, "PL02").columns}
    assert [(c.value, c.label) for c in pl02["result"].choices] == [
        ("done", "Đã hoàn thành"),
        ("not_done", "Chưa hoàn thành"),
    ]
    assert pl01["due"].type == "deadline" and pl02["due"].type == "deadline"


def test_benefit_causes_are_a_multichoice_of_the_six_kinds(spec):
    causes = next(c for c in table(spec, "PL07").columns if c.key == "causes")
    assert causes.type == "multichoice"
    assert [c.label for c in causes.choices] == [
        "Pháp lý",
        "Hạ tầng",
        "Dữ liệu",
        "An ninh an toàn",
        "Nguồn lực - con người",
        "Tài chính",
    ]


def test_header_groups_follow_the_dispatch(spec):
    headers = {t.key: [(h.label, h.columns) for h in t.header] for t in spec.appendices}
    assert headers["PL03"] == [("Chi phí tiết kiệm", ["savings_total", "savings_citizens"])]
    assert headers["PL04"] == [("Chi phí tiết kiệm", ["savings_total", "savings_citizens", "savings_state"])]
    assert headers["PL06"] == [("Cơ quan thực hiện", ["ministry", "locality"])]
    assert headers["PL07"] == [
        ("Được hưởng lợi", ["citizens", "businesses", "government"]),
        ("Chưa được hưởng lợi", ["issues", "causes"]),
        ("Giải pháp, lộ trình 06 tháng cuối năm 2024", ["solution", "responsibility"]),
    ]


def rule(spec, table_key, rule_key):
    return next(r for r in table(spec, table_key).rules if r.key == rule_key)


def test_rules_refuse_more_online_than_total_and_savings_above_their_total(spec):
    for key in ["PL03", "PL04", "PL05"]:
        check = expressions.parse(rule(spec, key, "online_le_total").check)
        assert check.evaluate({"online": 5, "total": 3}) is False
        assert check.evaluate({"online": 3, "total": 3}) is True
        citizens = expressions.parse(rule(spec, key, "citizens_le_total").check)
        assert citizens.evaluate({"savings_citizens": 10, "savings_total": 9}) is False
    for key in ["PL04", "PL05"]:
        state = expressions.parse(rule(spec, key, "state_le_total").check)
        assert state.evaluate({"savings_state": 10, "savings_total": 9}) is False


def test_unfinished_tasks_must_give_a_reason(spec):
    pl01 = rule(spec, "PL01", "risk_when_not_completed")
    assert pl01.require == ["risk"]
    assert pl01.message == "Nhiệm vụ chưa hoàn thành phải nêu nguy cơ/nguyên nhân."
    assert expressions.parse(pl01.when).evaluate({"result": "not_completed"}) is True
    assert expressions.parse(pl01.when).evaluate({"result": "recurring"}) is False
    pl02 = rule(spec, "PL02", "cause_when_not_done")
    assert pl02.require == ["cause"]
    assert expressions.parse(pl02.when).evaluate({"result": "not_done"}) is True
    pl06 = rule(spec, "PL06", "cause_and_solution")
    assert pl06.require == ["cause", "solution"] and pl06.when is None


def test_rows_come_from_the_right_catalogues_and_audiences(spec):
    pl01 = table(spec, "PL01")
    assert [(g.key, g.audience, g.free_rows) for g in pl01.row_groups] == [
        ("A", ["all"], True),
        ("B", ["ministries"], True),
        ("C", ["provinces"], True),
    ]
    pl02 = table(spec, "PL02")
    assert [(g.key, g.catalogue.name, g.catalogue.filter, g.row_audience) for g in pl02.row_groups] == [
        ("I", "r175_tasks", {"group": "I"}, None),
        ("II", "r175_tasks", {"group": "II"}, ["item"]),
        ("III", "r175_tasks", {"group": "III"}, ["item"]),
    ]
    pl03 = table(spec, "PL03").row_groups
    assert [(g.catalogue.filter, g.row_audience) for g in pl03] == [({"programme": "DA06"}, ["provinces", "item"])]
    pl04 = table(spec, "PL04").row_groups
    assert pl04[0].catalogue.filter == {"programme": "QD422"} and pl04[0].row_audience == ["provinces", "item"]
    assert pl04[1].free_rows and pl04[1].catalogue is None
    assert table(spec, "PL05").row_groups[0].free_rows
    assert table(spec, "PL06").row_groups[0].free_rows


def test_benefits_matrix_has_the_dispatchs_fixed_rows(spec):
    rows = [(r.key, r.heading, r.label) for r in table(spec, "PL07").row_groups[0].rows]
    headings = words("A B B.1 C D E")
    expected = words("A A.1 A.2 B B.1 B.1.1 B.1.2 B.1.3 B.2 B.3 C C.1 C.2 C.3 D D.1 D.2 D.3 E E.1 E.2 E.3")
    assert [(key, heading) for key, heading, _ in rows] == [(key, key in headings) for key in expected]
    labels = {key: label for key, _, label in rows}
    assert labels["A.1"] == "76 DVC"
    assert labels["B.1.3"].startswith("Triển khai phần mềm thông báo lưu trú")
    assert labels["C.3"] == "Ứng dụng VNeID"
    assert labels["E.3"] == (
        "Các địa phương triển khai xây dựng Trung tâm IOC và kết nối đến Cơ sở dữ liệu quốc gia về dân cư"
    )


# --- Catalogues ------------------------------------------------------------------------------------

DA06_SERVICES = [
    "Đăng ký dự thi tốt nghiệp THPT quốc gia và xét tuyển đại học, cao đẳng",
    "Đăng ký thuế lần đầu, đăng ký thay đổi thông tin đăng ký thuế đối với người nộp thuế là hộ gia đình, cá nhân",
    "Đăng ký thường trú",
    "Cấp điện mới từ lưới điện hạ áp (220/380V)",
    "Đăng ký khai tử",
    "Đăng ký tạm trú",
    "Đăng ký khai sinh",
    "Cấp phiếu lý lịch tư pháp",
    "Đăng ký kết hôn",
    "Cấp, cấp lại, sửa đổi, bổ sung hộ chiếu phổ thông",
    "Thu tiền nộp phạt xử lý vi phạm hành chính trong lĩnh vực giao thông đường bộ qua thiết bị ghi hình",
    "Thay đổi chủ thể hợp đồng mua bán điện",
    "Đăng ký biến động về quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    "Liên thông đăng ký khai sinh - đăng ký thường trú - cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
    "Cấp đổi, cấp lại giấy phép lái xe",
    "Xác nhận số Chứng minh nhân dân khi đã được cấp thẻ Căn cước công dân",
    "Cấp lại, đổi thẻ căn cước công dân",
    "Giải quyết hưởng trợ cấp thất nghiệp",
    "Khai báo tạm vắng",
    "Thủ tục làm con dấu mới và cấp Giấy chứng nhận đã đăng ký mẫu dấu",
    "Thủ tục làm con dấu thu nhỏ, dấu nổi, dấu xi và cấp Giấy chứng nhận đã đăng ký mẫu con dấu",
    "Đăng ký, cấp biển số mô tô, xe gắn máy",
    "Thông báo lưu trú",
    "Tích hợp tính giảm trừ mức đóng trong gia hạn thẻ bảo hiểm y tế theo hộ gia đình",
    "Liên thông đăng ký khai tử - Xóa đăng ký thường trú - Trợ cấp mai táng phí",
]
DA06_OWNERS = words(
    "BGDDT BTC BCA BCT BTP BCA BTP BTP BTP BCA BCA BCT BTNMT BTP BGTVT BCA BCA BLDTBXH BCA BCA BCA BCA BCA BHXH BTP"
)
QD422_SERVICES = [
    ("Xác nhận thông tin về cư trú", "BCA"),
    ("Công nhận bằng cử nhân, bằng thạc sĩ, bằng tiến sĩ", "BGDDT"),
    ("Công nhận bằng tốt nghiệp trung học cơ sở", "BGDDT"),
    ("Đăng ký biến động quyền sử dụng đất", "BTNMT"),
    ("Giải quyết tranh chấp", None),
    ("Đăng ký tham gia Hệ thống mạng đấu thầu quốc gia", "BKHDT"),
    ("Nộp đơn khởi kiện, tài liệu, chứng cứ", "TANDTC"),
    ("Thủ tục đăng ký chỉ dẫn địa lý", "BKHCN"),
    ("Thủ tục đăng ký thiết kế bố trí", "BKHCN"),
    ("Đăng ký đóng, cấp thẻ bảo hiểm y tế đối với người chỉ tham gia bảo hiểm y tế", "BHXH"),
    ("Thanh toán nghĩa vụ tài chính trong thực hiện thủ tục hành chính về đất đai", None),
]


def test_catalogue_items_have_exactly_the_catalogue_fields():
    for path, name in [(SERVICES, "services"), (TASKS, "r175_tasks")]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["catalogue"] == name
        for item in document["items"]:
            assert set(item) == CATALOGUE_FIELDS[name], item["code"]
        codes = [item["code"] for item in document["items"]]
        assert len(codes) == len(set(codes)), f"duplicate codes in {name}"


def test_the_25_services_of_de_an_06_are_listed_in_order_with_corrected_names():
    items = [item for item in catalogue_items(SERVICES) if item["programme"] == "DA06"]
    assert [item["code"] for item in items] == [f"DA06-{n:02d}" for n in range(1, 26)]
    assert [item["number"] for item in items] == [str(n) for n in range(1, 26)]
    for item, expected, owner in zip(items, DA06_SERVICES, DA06_OWNERS, strict=True):
        assert item["name"].startswith(expected), item["code"]
        assert item["owner"] == owner, item["code"]
        assert item["decision"] == "Quyết định 06/QĐ-TTg ngày 06/01/2022"
    by_code = {item["code"]: item["name"] for item in items}
    assert by_code["DA06-04"].startswith("Cấp điện mới từ lưới điện hạ áp (220/380V) (Thí điểm")
    assert by_code["DA06-23"] == "Thông báo lưu trú"
    assert by_code["DA06-11"].endswith("(phạt nguội)")


def test_the_11_services_of_decision_422_are_listed_with_their_owners():
    items = [item for item in catalogue_items(SERVICES) if item["programme"] == "QD422"]
    assert [item["code"] for item in items] == [f"QD422-{n:02d}" for n in range(1, 12)]
    for item, (start, owner) in zip(items, QD422_SERVICES, strict=True):
        assert item["name"].startswith(start), item["code"]
        if owner:
            assert item["owner"] == owner, item["code"]
        assert item["decision"] == "Quyết định 422/QĐ-TTg ngày 04/4/2022"


def test_service_owners_and_task_leads_are_units_of_2024_or_audiences(spec):
    units = units_of_2024()
    for item in catalogue_items(SERVICES):
        assert item["owner"] in units, item["code"]
    for item in catalogue_items(TASKS):
        assert item["lead_units"], item["code"]
        for unit in item["lead_units"]:
            assert unit in units or unit in spec.audiences, (item["code"], unit)


def test_audiences_name_units_of_2024_of_the_expected_kind(spec):
    units = units_of_2024()
    for name, audience in spec.audiences.items():
        for key in audience.units:
            assert key in units, (name, key)
            assert (units[key] == "province") == key.startswith("P"), (name, key)
    everyone, _ = resolve(spec, ["all"])
    for key in ["VPCP", "BCA", "BTTTT", "BCY", "BKHDT", "BTC", "BLDTBXH", "BHXH", "BTP", "BYT", "VTV", "VOV"]:
        assert units[key] in everyone, f"{key} ({units[key]}) is not in the audience 'all'"


def test_resolution_175_tasks_are_all_transcribed_per_group():
    items = catalogue_items(TASKS)
    numbers = {group: [item["number"] for item in items if item["group"] == group] for group in ("I", "II", "III")}
    assert numbers["I"] == [str(n) for n in range(1, 11)] + ["16", "17", "18"]
    assert numbers["II"] == (
        [str(n) for n in range(1, 6)]
        + [str(n) for n in range(8, 16)]
        + [""]
        + [str(n) for n in range(16, 24)]
        + [str(n) for n in range(25, 41)]
    )
    assert numbers["III"] == ["1", "2", "3"]
    assert {group: len(found) for group, found in numbers.items()} == {"I": 13, "II": 38, "III": 3}
    assert all(item["title"].strip() for item in items)


def test_run_together_rows_of_group_i_are_separate_tasks():
    items = {item["code"]: item for item in catalogue_items(TASKS)}
    for code in ["NQ175-I-10", "NQ175-I-16", "NQ175-I-17", "NQ175-I-18"]:
        assert code in items
    assert items["NQ175-I-10"]["title"].startswith("Trong quá trình triển khai thực hiện Đề án")
    assert items["NQ175-I-10"]["title"].endswith("đúng tiến độ và có chất lượng.")
    assert items["NQ175-I-10"]["due"] == "Thường xuyên"
    assert items["NQ175-I-16"]["title"].startswith("Đề nghị các đơn vị khẩn trương xây dựng kế hoạch")
    assert items["NQ175-I-17"]["title"].startswith("Dự kiến di chuyển hạ tầng cũ")
    assert "Rà soát" not in items["NQ175-I-17"]["title"]
    assert items["NQ175-I-18"]["title"].startswith("Rà soát, phối hợp với đơn vị thường trực Bộ Công an (C06)")
    assert items["NQ175-I-18"]["coordinating"] == "Bộ Thông tin và Truyền thông"
    assert all(items[code]["lead_units"] == ["all"] for code in items if code.startswith("NQ175-I-"))


def test_specific_tasks_keep_the_dispatchs_leads_and_corrections():
    items = {item["code"]: item for item in catalogue_items(TASKS)}
    ii3 = items["NQ175-II-03"]
    assert ii3["title"] == "Ban hành hoặc trình cấp có thẩm quyền ban hành Khung kiến trúc Chính phủ điện tử 3.0"
    assert ii3["coordinating"] == "Văn phòng Chính phủ"
    assert items["NQ175-II-15b"]["number"] == "" and items["NQ175-II-15b"]["lead_units"] == ["BCA"]
    assert items["NQ175-II-22"]["coordinating"] == "(1) Bộ Công an (2) Bộ Kế hoạch và Đầu tư"
    assert items["NQ175-II-31"]["lead_units"] == ["VTV", "VOV"]
    assert items["NQ175-II-40"]["lead_units"] == ["BTP", "BTNMT", "BLDTBXH"]
    assert items["NQ175-III-01"]["lead_units"] == ["P01", "P79", "P17", "P92", "P68"]
    assert "Cần Thơ" in items["NQ175-III-01"]["lead"]
    assert items["NQ175-III-02"]["lead"] == ""
    assert items["NQ175-III-02"]["lead_units"] == items["NQ175-III-01"]["lead_units"]
    assert items["NQ175-III-03"]["lead_units"] == ["provinces"]
    assert items["NQ175-III-03"]["documents"] == "Thông báo 1186/TCTTKĐA ngày 23/02/2024"


# --- Broken copies are refused with the place named ------------------------------------------------


def test_an_unknown_column_type_is_refused_at_its_column():
    data = yaml.safe_load(definition_text())
    next(c for c in table(data, "PL03")["columns"] if c["key"] == "rate")["type"] = "percentage"
    places = [place for place, _ in problems_of(dump(data))]
    assert "appendices[PL03].columns[rate].type" in places


def test_a_rule_on_a_missing_column_is_refused_at_the_rule():
    data = yaml.safe_load(definition_text())
    next(r for r in table(data, "PL04")["rules"] if r["key"] == "online_le_total")["check"] = "onlin <= total"
    problems = problems_of(dump(data))
    assert ("appendices[PL04].rules[online_le_total].check", "cột không tồn tại: onlin") in problems


def test_a_duplicate_column_key_is_refused():
    data = yaml.safe_load(definition_text())
    next(c for c in table(data, "PL05")["columns"] if c["key"] == "issues")["key"] = "solution"
    problems = problems_of(dump(data))
    assert ("appendices[PL05].columns[solution]", "mã cột bị lặp") in problems


def test_a_duplicate_yaml_key_is_refused_with_its_line():
    text = definition_text()
    lines = text.splitlines()
    index = lines.index("version: 2024-h1")
    lines.insert(index + 1, "version: 2024-h2")
    problems = problems_of("\n".join(lines) + "\n")
    assert problems == [(f"dòng {index + 2}", f"khóa 'version' bị lặp (đã có ở dòng {index + 1})")]


def test_a_duplicate_key_inside_a_column_is_refused_too():
    text = definition_text()
    needle = '{key: unit, label: "Đơn vị thực hiện", type: text}'
    assert text.count(needle) == 1
    problems = problems_of(text.replace(needle, '{key: unit, label: "Đơn vị thực hiện", type: text, type: date}'))
    assert len(problems) == 1 and "khóa 'type' bị lặp" in problems[0][1]


# --- CP27: compliance cost (Circular 02/2017/TT-VPCP art. 27) ---------------------------------------


def test_cp27_is_for_ministries_and_provinces_and_not_printed(spec):
    cp27 = table(spec, "CP27")
    assert cp27.printed is False and all(t.printed for t in spec.appendices if t.key != "CP27")
    assert cp27.audience == ["ministries", "provinces"]
    units, _ = resolve(spec, cp27.audience)
    assert "province" in units and "ministry" in units
    assert "corporation" not in units and "commune" not in units
    assert cp27.title == "Tính chi phí tuân thủ thủ tục hành chính (Thông tư 02/2017/TT-VPCP, Điều 27)"
    notes = (ROOT / "data" / "definitions" / "4709-notes.md").read_text(encoding="utf-8")
    assert "CP27" in notes and "printed: false" in notes


def test_cp27_rows_are_the_rows_of_pl03_and_pl04(spec):
    from baocao06.catalogues.registry import items_from_files
    from baocao06.definitions.layout import resolve as resolve_layout

    tables = {t["key"]: t for t in resolve_layout(spec, items_from_files)["tables"]}

    def keys(key, groups=None):
        return [r["key"] for g in tables[key]["row_groups"] if groups is None or g["key"] in groups for r in g["rows"]]

    assert keys("CP27") == keys("PL03") + keys("PL04", {"qd422"})
    assert len(keys("CP27")) == 36 and "DA06-07" in keys("CP27") and "QD422-01" in keys("CP27")
    for key in ["PL03", "PL04"]:
        savings = next(c for c in table(spec, key).columns if c.key == "savings_total")
        assert savings.compare_with == "CP27.saving"


def test_cp27_computes_costs_savings_and_cut_rate_with_the_rounds_settings(spec):
    columns = {c.key: c for c in table(spec, "CP27").columns}
    assert {k for k, c in columns.items() if c.formula} == {"cost_before", "cost_after", "saving", "cut_rate"}
    assert all(c.min == 0 for c in columns.values() if not c.formula and c.type != "text")
    assert not any(c.required for c in columns.values())  # a unit costs only some services
    settings = {"income_per_month": 4_960_000, "working_days": 22, "working_hours": 8}
    row = {
        "hours_prepare_before": 8,
        "hours_submit_before": 2,
        "hours_receive_before": 2,
        "other_before": 150_000,
        "fees_before": 50_000,
        "hours_prepare_after": 1,
        "hours_submit_after": 0.5,
        "fees_after": 25_000,
        "times_per_year": 1,
        "subjects_per_year": 1000,
    }
    for key in ["cost_before", "cost_after", "saving", "cut_rate"]:
        row[key] = expressions.parse(columns[key].formula).evaluate(row, settings=settings)
    # Income per hour 4,960,000 ÷ 22 ÷ 8 = 28,181.8181…
    # Before: 12 h × 28,181.8181… = 338,181.8181… + 150,000 + 50,000 = 538,181.8181… × 1 × 1000 → 538,181,818
    # After: 1.5 h × 28,181.8181… = 42,272.7272… + 0 + 25,000 = 67,272.7272… × 1000 → 67,272,727
    assert row["cost_before"] == 538_181_818
    assert row["cost_after"] == 67_272_727
    assert row["saving"] == 470_909_091
    assert row["cut_rate"] == Decimal("87.50")  # 470,909,091 ÷ 538,181,818 = 0.875000…
    # Without times and subjects there is no annual cost, and the rule asks for them.
    assert (
        expressions.parse(columns["cost_before"].formula).evaluate({"hours_prepare_before": 8}, settings=settings)
        is None
    )
    rule = next(r for r in table(spec, "CP27").rules if r.key == "times_and_subjects")
    assert rule.require == ["times_per_year", "subjects_per_year"]
