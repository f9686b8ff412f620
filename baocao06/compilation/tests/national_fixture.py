"""A realistic national dict (docs/national-format.md, format 1) for testing the outputs.

Ten included units: three ministries, a corporation, three provinces and three communes, plus units
that were assigned but not included. The narrative follows the outline of the 4709 definition.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from baocao06.catalogues.registry import items_from_files
from baocao06.definitions.layout import Layout, resolve
from baocao06.definitions.spec import load_spec

DEFINITION = Path(settings.BAOCAO06_DATA_DIR) / "definitions" / "4709-2024-h1.yaml"


@lru_cache(maxsize=1)
def _layout_data() -> dict:
    return resolve(load_spec(DEFINITION.read_text(encoding="utf-8")), items_from_files)


def layout_4709() -> Layout:
    """The frozen layout of the 4709 definition, built from the data files (no database)."""
    return Layout(copy.deepcopy(_layout_data()))


UNITS = [
    ("BCA", "Bộ Công an", "ministry", "ministries"),
    ("BTP", "Bộ Tư pháp", "ministry", "ministries"),
    ("BYT", "Bộ Y tế", "ministry", "ministries"),
    ("EVN", "Tập đoàn Điện lực Việt Nam", "corporation", "corporations"),
    ("P01", "Hà Nội", "province", "provinces"),
    ("P22", "Quảng Ninh", "province", "provinces"),
    ("P79", "Hồ Chí Minh", "province", "provinces"),
    ("X00004", "Phường Ba Đình", "commune", "communes"),
    ("X00008", "Phường Ngọc Hà", "commune", "communes"),
    ("X26734", "Phường Sài Gòn", "commune", "communes"),
]

SERVICE_COLUMNS = [
    {"key": "total", "label": "Tổng số hồ sơ", "type": "integer", "unit": None},
    {"key": "online", "label": "Trực tuyến", "type": "integer", "unit": None},
    {"key": "rate", "label": "Tỷ lệ", "type": "percent", "unit": "%"},
    {"key": "change", "label": "Đánh giá số liệu tăng/giảm so với tháng 12 năm 2023", "type": "percent",
     "unit": "điểm %"},
    {"key": "savings_total", "label": "Tổng số tiền tiết kiệm", "type": "money", "unit": "đồng"},
    {"key": "savings_citizens", "label": "Chi phí tiết kiệm cho người dân", "type": "money", "unit": "đồng"},
]  # fmt: skip

# The three service rows of PL03 the tests look at; the known cell: 1.250.000 applications.
PL03_ROWS = [
    ("DA06-01", "1", "Đăng ký dự thi tốt nghiệp THPT quốc gia và xét tuyển đại học, cao đẳng", 1_250_000, 900_000),
    ("DA06-03", "3", "Đăng ký thường trú", 2_345_678, 1_649_012),
    ("DA06-05", "5", "Đăng ký khai sinh", 987_654, 512_000),
]


def _rate(online, total):
    return round(online * 100 / total, 2) if total else None


def _service_row(key, number, label, total, online, group="main", units=6):
    rate = _rate(online, total)
    return {
        "key": key,
        "number": number,
        "label": label,
        "group": group,
        "units": units,
        "values": {
            "total": total,
            "online": online,
            "rate": rate,
            "savings_total": online * 12_000,
            "savings_citizens": online * 9_000,
        },
        "computed_savings": {
            "cost_before": online * 20_000,
            "cost_after": online * 10_000,
            "saving": online * 10_000,
            "cut_rate": 50.0,
            "units": 1,
        },
        "baseline_rate": 60.5,
        "change": round(rate - 60.5, 2),
    }


def _services() -> list[dict]:
    pl03_rows = [_service_row(*row) for row in PL03_ROWS]
    pl04_rows = [_service_row("QD422-01", "1", "Cấp phiếu lý lịch tư pháp", 400_000, 310_000, group="qd422")]
    pl05_free = [{"label": "Đăng ký kết hôn", "group": "main", "units": 2,
                  "values": {"total": 5_000, "online": 4_100, "rate": 82.0, "savings_total": 30_000_000}}]  # fmt: skip

    def total(rows):
        values = {k: sum(r["values"].get(k) or 0 for r in rows) for k in ("total", "online", "savings_total")}
        values["rate"] = _rate(values["online"], values["total"])
        return {"units": 7, "values": values}

    return [
        {"table": "PL03", "number": "03", "printed_as": "PHỤ LỤC 02",
         "title": "ĐÁNH GIÁ 25 DỊCH VỤ CÔNG THIẾT YẾU THEO ĐỀ ÁN 06",
         "columns": SERVICE_COLUMNS, "rows": pl03_rows, "free_rows": [], "total": total(pl03_rows)},
        {"table": "PL04", "number": "04", "printed_as": None,
         "title": "SỐ LIỆU CÁC DỊCH VỤ CÔNG THEO QUYẾT ĐỊNH 422/QĐ-TTg ĐÃ HOÀN THÀNH TÍCH HỢP",
         "columns": SERVICE_COLUMNS, "rows": pl04_rows,
         "free_rows": [{"label": "Đăng ký con dấu", "group": "other", "units": 1,
                        "values": {"total": 100, "online": 50, "rate": 50.0}}],
         "total": total(pl04_rows)},
        {"table": "PL05", "number": "05", "printed_as": None,
         "title": "SỐ LIỆU CÁC DỊCH VỤ CÔNG THEO QUYẾT ĐỊNH 206/QĐ-TTg ĐÃ HOÀN THÀNH TÍCH HỢP",
         "columns": SERVICE_COLUMNS, "rows": [], "free_rows": pl05_free, "total": total(pl05_free)},
    ]  # fmt: skip


def _narrative(layout: Layout) -> list[dict]:
    texts = {
        "I.1": ["BCA", "BTP", "P01", "X00004", "X00008"],
        "I.2": ["BTP", "P22"],
        "II.3.3.5": ["BTP", "BYT", "P79", "X26734"],
        "III.1": ["BCA", "EVN", "P01", "X00004"],
    }
    names = {key: name for key, name, _, _ in UNITS}
    sections = []
    for section in layout.walk_sections():
        paragraphs = []
        for unit in texts.get(section.key, []):
            field = (section.fields or [{"key": "body", "label": "Nội dung báo cáo"}])[0]
            paragraphs.append(
                {
                    "key": unit,
                    "name": names[unit],
                    "field": field["key"],
                    "field_label": field.get("label") or "Nội dung báo cáo",
                    "text": f"{names[unit]} báo cáo mục {section.key}: đã triển khai đầy đủ.\nĐoạn thứ hai.",
                }
            )
        sections.append(
            {
                "key": section.key,
                "number": section.number,
                "title": section.title,
                "depth": section.depth,
                "paragraphs": paragraphs,
            }
        )
    return sections


def national_data(*, provisional: bool = False) -> dict:
    layout = layout_4709()
    units = [
        {"key": key, "name": name, "kind": kind, "group": group, "status": "accepted", "version": 1,
         "content_hash": f"{index:064x}", "late": index == 5}
        for index, (key, name, kind, group) in enumerate(UNITS)
    ]  # fmt: skip
    by_result = {"completed": 12, "not_completed": 3, "recurring": 4, "in_progress": 5}
    return {
        "format": "baocao06/national",
        "format_version": 1,
        "provisional": provisional,
        "round": {
            "id": 1,
            "title": "Báo cáo kết quả triển khai Đề án 06 trong 6 tháng đầu năm 2024",
            "definition": "4709-2024-h1",
            "period_kind": "h1",
            "year": 2024,
            "data_from": "2023-12-15",
            "data_to": "2024-06-14",
            "deadline": "2024-06-17",
            "dispatch_number": "4709/CV-TCTTKĐA",
            "dispatch_date": "2024-06-10",
        },
        "settings": {"income_per_month": 4960000, "working_days": 22, "working_hours": 8, "savings_rule": "typed"},
        "units": units,
        "completeness": {
            "assigned": 13,
            "included": 10,
            "by_status": {"accepted": 10, "submitted": 1, "returned": 0, "draft": 1, "not_started": 1},
            "not_included": [
                {"key": "P02", "name": "Hà Giang", "status": "draft"},
                {"key": "BTC", "name": "Bộ Tài chính", "status": "submitted"},
                {"key": "X00011", "name": "Phường Giảng Võ", "status": "not_started"},
            ],
        },
        "services": _services(),
        "rankings": {
            "provinces": [
                {
                    "rank": 1,
                    "key": "P01",
                    "name": "Hà Nội",
                    "total": 900_000,
                    "online": 720_900,
                    "rate": 80.1,
                    "savings_total": 8_650_800_000,
                },
                {
                    "rank": 2,
                    "key": "P79",
                    "name": "Hồ Chí Minh",
                    "total": 1_100_000,
                    "online": 770_000,
                    "rate": 70.0,
                    "savings_total": 9_240_000_000,
                },
                {
                    "rank": 3,
                    "key": "P22",
                    "name": "Quảng Ninh",
                    "total": 0,
                    "online": 0,
                    "rate": None,
                    "savings_total": 0,
                },
            ],
            "ministries": [
                {
                    "rank": 1,
                    "key": "BTP",
                    "name": "Bộ Tư pháp",
                    "total": 400_000,
                    "online": 310_000,
                    "rate": 77.5,
                    "savings_total": 3_720_000_000,
                },
            ],
        },
        "tasks": {
            "results": [
                {"value": "completed", "label": "Hoàn thành"},
                {"value": "not_completed", "label": "Chưa hoàn thành"},
                {"value": "recurring", "label": "Thực hiện thường xuyên"},
                {"value": "in_progress", "label": "Đang triển khai"},
            ],
            "national": {"rows": 24, "by_result": by_result, "by_origin": {"carried_over": 6, "new": 18}},
            "by_unit": [
                {"key": "BCA", "name": "Bộ Công an", "rows": 10, "by_result": {"completed": 6, "in_progress": 4}},
                {"key": "BTP", "name": "Bộ Tư pháp", "rows": 5, "by_result": {"completed": 3, "not_completed": 2}},
                {"key": "P01", "name": "Hà Nội", "rows": 6, "by_result": {"completed": 3, "recurring": 3}},
                {
                    "key": "X00004",
                    "name": "Phường Ba Đình",
                    "rows": 3,
                    "by_result": {"not_completed": 1, "recurring": 1, "in_progress": 1},
                },
            ],
        },
        "pl02": [
            {
                "key": "NQ175-I-01",
                "number": "1",
                "group": "I",
                "title": "Phối hợp chặt chẽ với Bộ Công an",
                "lead": "",
                "due": "Quý IV/2023",
                "common": True,
                "answers": 6,
                "by_result": {"done": 4, "not_done": 2},
                "not_done": [
                    {"key": "P22", "name": "Quảng Ninh", "cause": "Thiếu kinh phí"},
                    {"key": "BYT", "name": "Bộ Y tế", "cause": "Chưa có hướng dẫn"},
                ],
                "lead_answer": None,
            },
            {
                "key": "NQ175-II-01",
                "number": "1",
                "group": "II",
                "title": "Xây dựng Trung tâm dữ liệu quốc gia",
                "lead": "Bộ Công an",
                "due": "2025",
                "common": False,
                "answers": 1,
                "by_result": {"done": 1},
                "not_done": [],
                "lead_answer": {"key": "BCA", "name": "Bộ Công an", "result": "done", "cause": ""},
            },
        ],
        "pl06": [
            {
                "group": "ministries",
                "title": "Bộ, ngành",
                "units": [
                    {
                        "key": "BTP",
                        "name": "Bộ Tư pháp",
                        "rows": [
                            {
                                "service": "Cấp phiếu lý lịch tư pháp trên VNeID",
                                "ministry": "Bộ Tư pháp",
                                "locality": "",
                                "progress": "Đang kiểm thử",
                                "cause": "Chưa kết nối",
                                "solution": "Hoàn thành trong Quý III/2024",
                            }
                        ],
                    }
                ],
            },
            {
                "group": "provinces",
                "title": "Tỉnh, thành phố",
                "units": [
                    {
                        "key": "P01",
                        "name": "Hà Nội",
                        "rows": [
                            {
                                "service": "Đăng ký xe",
                                "ministry": "",
                                "locality": "Hà Nội",
                                "progress": "50 %",
                                "cause": "Hạ tầng",
                                "solution": "Nâng cấp",
                            }
                        ],
                    }
                ],
            },
        ],
        "pl07": [
            {"key": "A", "number": "A", "label": "NHÓM DVC", "heading": True, "cells": {}, "causes": {}},
            {
                "key": "A.1",
                "number": "1",
                "label": "76 DVC",
                "heading": False,
                "cells": {
                    "citizens": [
                        {"key": "P01", "name": "Hà Nội", "text": "Tiết kiệm thời gian đi lại"},
                        {"key": "BTP", "name": "Bộ Tư pháp", "text": "Giảm giấy tờ"},
                    ],
                    "issues": [{"key": "P22", "name": "Quảng Ninh", "text": "Vùng sâu chưa có mạng"}],
                },
                "causes": {"legal": 3, "data": 5},
            },
        ],
        "narrative": _narrative(layout),
    }
