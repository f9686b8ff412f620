"""A realistic national dict (docs/national-format.md, format 1) and units' tables, for output tests.

Ten units (ministries, a corporation, provinces, communes); free rows; a service with a zero total
(rate null) and one without a baseline; a tie and a null rate in the rankings; texts that start with
= + - @ (formula injection); `national(provisional=True)` gives the TẠM TÍNH variant.
"""

from __future__ import annotations

import copy

UNITS = [
    ("BCA", "Bộ Công an", "ministry", "ministries", "accepted", 2, False),
    ("BTP", "Bộ Tư pháp", "ministry", "ministries", "accepted", 1, True),
    ("BYT", "Bộ Y tế", "ministry", "ministries", "submitted", 1, False),
    ("EVN", "Tập đoàn Điện lực Việt Nam", "corporation", "corporations", "accepted", 1, False),
    ("P01", "Thành phố Hà Nội", "province", "provinces", "accepted", 3, False),
    ("P31", "Thành phố Hải Phòng", "province", "provinces", "accepted", 1, True),
    ("P79", "Thành phố Hồ Chí Minh", "province", "provinces", "accepted", 1, False),
    ("X00004", "Phường Ba Đình", "commune", "communes", "accepted", 1, False),
    ("X26734", "Phường Bến Thành", "commune", "communes", "accepted", 2, False),
    ("X31117", "Xã Tân Phú", "commune", "communes", "accepted", 1, True),
]

FORMULA = '=HYPERLINK("http://x.example","bấm")'


def _units() -> list[dict]:
    return [
        {
            "key": key,
            "name": name,
            "kind": kind,
            "group": group,
            "status": status,
            "version": version,
            "content_hash": f"{n:064x}",
            "late": late,
        }
        for n, (key, name, kind, group, status, version, late) in enumerate(UNITS, start=1)
    ]


def _service_columns(state: bool) -> list[dict]:
    columns = [
        {"key": "total", "label": "Tổng số hồ sơ", "type": "integer", "unit": None},
        {"key": "online", "label": "Trực tuyến", "type": "integer", "unit": None},
        {"key": "rate", "label": "Tỷ lệ", "type": "percent", "unit": "%"},
        {"key": "savings_total", "label": "Tổng số tiền tiết kiệm", "type": "money", "unit": "đồng"},
        {"key": "savings_citizens", "label": "Chi phí tiết kiệm cho người dân", "type": "money", "unit": "đồng"},
    ]
    if state:
        columns.append(
            {"key": "savings_state", "label": "Chi phí tiết kiệm cho cơ quan nhà nước", "type": "money", "unit": "đồng"}
        )
    return columns


def _services() -> list[dict]:
    pl03 = {
        "table": "PL03",
        "number": "03",
        "printed_as": "PHỤ LỤC 02",
        "title": "ĐÁNH GIÁ 25 DỊCH VỤ CÔNG THIẾT YẾU THEO ĐỀ ÁN 06",
        "columns": _service_columns(False),
        "rows": [
            {
                "key": "DA06-01",
                "number": "1",
                "label": "Đăng ký dự thi tốt nghiệp THPT quốc gia và xét tuyển đại học, cao đẳng",
                "group": "main",
                "units": 4,
                "values": {
                    "total": 1250000,
                    "online": 900000,
                    "rate": 72.0,
                    "savings_total": 35000000000,
                    "savings_citizens": 28000000000,
                },
                "computed_savings": {
                    "cost_before": 52000000000,
                    "cost_after": 15000000000,
                    "saving": 37000000000,
                    "cut_rate": 71.15,
                    "units": 3,
                },
                "baseline_rate": 65.5,
                "change": 6.5,
            },
            {
                "key": "DA06-03",
                "number": "3",
                "label": "Đăng ký thường trú",
                "group": "main",
                "units": 5,
                "values": {"total": 0, "online": 0, "rate": None, "savings_total": 0, "savings_citizens": 0},
                "computed_savings": None,
                "baseline_rate": None,
                "change": None,
            },
            {
                "key": "DA06-04",
                "number": "4",
                "label": "Cấp điện mới từ lưới điện hạ áp (220/380V)",
                "group": "main",
                "units": 2,
                "values": {"total": 48213, "online": 41007, "rate": 85.05, "savings_total": 1200000000},
                "computed_savings": {"cost_before": 3, "cost_after": 1, "saving": 2, "cut_rate": 66.67, "units": 1},
                "baseline_rate": 88.1,
                "change": -3.05,
            },
        ],
        "free_rows": [],
        "total": {
            "units": 7,
            "values": {
                "total": 1298213,
                "online": 941007,
                "rate": 72.48,
                "savings_total": 36200000000,
                "savings_citizens": 28000000000,
            },
        },
    }
    pl04 = {
        "table": "PL04",
        "number": "04",
        "printed_as": None,
        "title": "SỐ LIỆU CÁC DỊCH VỤ CÔNG THEO QUYẾT ĐỊNH 422/QĐ-TTg ĐÃ HOÀN THÀNH TÍCH HỢP",
        "columns": _service_columns(True),
        "rows": [
            {
                "key": "QD422-01",
                "number": "1",
                "label": "Cấp phiếu lý lịch tư pháp",
                "group": "qd422",
                "units": 3,
                "values": {
                    "total": 320000,
                    "online": 250000,
                    "rate": 78.13,
                    "savings_total": 9000000000,
                    "savings_citizens": 7000000000,
                    "savings_state": 2000000000,
                },
                "computed_savings": None,
                "baseline_rate": 70.0,
                "change": 8.13,
            }
        ],
        "free_rows": [
            {
                "label": "Cấp giấy phép lái xe quốc tế",
                "group": "other",
                "units": 2,
                "values": {"total": 1500, "online": 1499, "rate": 99.93, "savings_state": 12000000},
            },
            {"label": FORMULA, "group": "other", "units": 1, "values": {"total": 10, "online": 0, "rate": 0.0}},
        ],
        "total": {
            "units": 4,
            "values": {
                "total": 321510,
                "online": 251499,
                "rate": 78.22,
                "savings_total": 9000000000,
                "savings_citizens": 7000000000,
                "savings_state": 2012000000,
            },
        },
    }
    pl05 = {
        "table": "PL05",
        "number": "05",
        "printed_as": None,
        "title": "SỐ LIỆU CÁC DỊCH VỤ CÔNG THEO QUYẾT ĐỊNH 206/QĐ-TTg ĐÃ HOÀN THÀNH TÍCH HỢP",
        "columns": _service_columns(True),
        "rows": [],
        "free_rows": [
            {
                "label": "Đăng ký khai sinh",
                "group": "main",
                "units": 6,
                "values": {"total": 0, "online": 0, "rate": None},
            },
            {
                "label": "Thông báo lưu trú",
                "group": "main",
                "units": 3,
                "values": {
                    "total": 2900411,
                    "online": 2899000,
                    "rate": 99.95,
                    "savings_total": 4100000000,
                    "savings_citizens": 4000000000,
                    "savings_state": 100000000,
                },
            },
        ],
        "total": {
            "units": 8,
            "values": {
                "total": 2900411,
                "online": 2899000,
                "rate": 99.95,
                "savings_total": 4100000000,
                "savings_citizens": 4000000000,
                "savings_state": 100000000,
            },
        },
    }
    return [pl03, pl04, pl05]


def _tasks() -> dict:
    results = [
        {"value": "completed", "label": "Hoàn thành"},
        {"value": "not_completed", "label": "Chưa hoàn thành"},
        {"value": "recurring", "label": "Thực hiện thường xuyên"},
        {"value": "in_progress", "label": "Đang triển khai"},
    ]
    by_unit = []
    totals = {"completed": 0, "not_completed": 0, "recurring": 0, "in_progress": 0}
    origins = {"carried_over": 0, "new": 0}
    rows = 0
    for n, (key, name, *_rest) in enumerate(UNITS):
        by_result = {"completed": 10 + n, "not_completed": n % 3, "recurring": 4, "in_progress": 2 * n}
        if n == 9:
            by_result = {}  # a unit with no task rows
        by_origin = {"carried_over": sum(by_result.values()) // 3}
        by_origin["new"] = sum(by_result.values()) - by_origin["carried_over"]
        count = sum(by_result.values())
        by_unit.append({"key": key, "name": name, "rows": count, "by_result": by_result, "by_origin": by_origin})
        rows += count
        for k, v in by_result.items():
            totals[k] += v
        for k, v in by_origin.items():
            origins[k] += v
    return {
        "results": results,
        "national": {"rows": rows, "by_result": totals, "by_origin": origins},
        "by_unit": by_unit,
    }


def _pl02() -> list[dict]:
    return [
        {
            "key": "NQ175-I-01",
            "number": "1",
            "group": "I",
            "title": "Phối hợp chặt chẽ với Bộ Công an",
            "lead": "",
            "due": "Quý IV/2023",
            "common": True,
            "answers": 9,
            "by_result": {"done": 7, "not_done": 2},
            "not_done": [
                {"key": "P31", "name": "Thành phố Hải Phòng", "cause": "Chưa bố trí kinh phí"},
                {"key": "X31117", "name": "Xã Tân Phú", "cause": "-thiếu nhân lực"},
            ],
            "lead_answer": None,
        },
        {
            "key": "NQ175-I-02",
            "number": "2",
            "group": "I",
            "title": "Rà soát dữ liệu",
            "lead": "",
            "due": "Năm 2024",
            "common": True,
            "answers": 0,
            "by_result": {},
            "not_done": [],
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
        {
            "key": "NQ175-III-01",
            "number": "1",
            "group": "III",
            "title": "Kết nối dữ liệu với Trung tâm",
            "lead": "Thành phố Hà Nội",
            "due": "Quý II/2024",
            "common": False,
            "answers": 1,
            "by_result": {"not_done": 1},
            "not_done": [{"key": "P01", "name": "Thành phố Hà Nội", "cause": "@chờ hướng dẫn"}],
            "lead_answer": {"key": "P01", "name": "Thành phố Hà Nội", "result": "not_done", "cause": "@chờ hướng dẫn"},
        },
        {
            "key": "NQ175-III-02",
            "number": "2",
            "group": "III",
            "title": "Triển khai IOC",
            "lead": "Thành phố Huế",
            "due": "Quý IV/2024",
            "common": False,
            "answers": 0,
            "by_result": {},
            "not_done": [],
            "lead_answer": None,
        },
    ]


def _pl06() -> list[dict]:
    return [
        {
            "group": "ministries",
            "title": "Bộ, ngành",
            "units": [
                {
                    "key": "BYT",
                    "name": "Bộ Y tế",
                    "rows": [
                        {
                            "service": "Cấp giấy phép hành nghề",
                            "ministry": "Bộ Y tế",
                            "locality": "",
                            "progress": "70%",
                            "cause": "=1+2",
                            "solution": "Nâng cấp hệ thống",
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
                    "name": "Thành phố Hà Nội",
                    "rows": [
                        {
                            "service": "Đăng ký kinh doanh hộ",
                            "ministry": "Bộ Tài chính",
                            "locality": "Hà Nội",
                            "progress": "Đang thử nghiệm",
                            "cause": "Chưa có dữ liệu",
                            "solution": "+Đẩy nhanh",
                        },
                        {
                            "service": "Cấp phép xây dựng",
                            "ministry": "Bộ Xây dựng",
                            "locality": "Hà Nội",
                            "progress": "Quý III/2024",
                            "cause": "Hạ tầng",
                            "solution": "Đầu tư",
                        },
                    ],
                },
                {
                    "key": "P79",
                    "name": "Thành phố Hồ Chí Minh",
                    "rows": [
                        {
                            "service": "Cấp phép xây dựng",
                            "ministry": "Bộ Xây dựng",
                            "locality": "TP.HCM",
                            "progress": "Tháng 9/2024",
                            "cause": "Pháp lý",
                            "solution": "Sửa quy trình",
                        }
                    ],
                },
            ],
        },
        {"group": "communes", "title": "Xã, phường", "units": []},
    ]


def _pl07() -> list[dict]:
    return [
        {"key": "A", "number": "A", "label": "NHÓM DVC", "heading": True, "cells": {}, "causes": {}},
        {
            "key": "A.1",
            "number": "1",
            "label": "76 DVC",
            "heading": False,
            "cells": {
                "citizens": [
                    {"key": "BCA", "name": "Bộ Công an", "text": "Giảm 90% giấy tờ"},
                    {"key": "P01", "name": "Thành phố Hà Nội", "text": "Tiết kiệm thời gian đi lại"},
                ],
                "businesses": [{"key": "EVN", "name": "Tập đoàn Điện lực Việt Nam", "text": "+20% hồ sơ điện"}],
                "issues": [{"key": "X31117", "name": "Xã Tân Phú", "text": "Người cao tuổi chưa dùng"}],
                "solution": [{"key": "P79", "name": "Thành phố Hồ Chí Minh", "text": "Tập huấn"}],
            },
            "causes": {"legal": 3, "data": 5, "people": 1},
        },
        {
            "key": "A.2",
            "number": "2",
            "label": "02 DVC liên thông",
            "heading": False,
            "cells": {"government": [{"key": "BTP", "name": "Bộ Tư pháp", "text": "Liên thông khai sinh"}]},
            "causes": {},
        },
        {"key": "B", "number": "B", "label": "NHÓM PHÁT TRIỂN KINH TẾ", "heading": True, "cells": {}, "causes": {}},
    ]


def national(*, provisional: bool = False) -> dict:
    """A fresh copy of the national dict (the TẠM TÍNH variant with `provisional=True`)."""
    units = _units()
    data = {
        "format": "baocao06/national",
        "format_version": 1,
        "provisional": provisional,
        "round": {
            "id": 1,
            "title": "Báo cáo 6 tháng đầu năm 2024",
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
            "by_status": {"accepted": 9, "submitted": 1, "returned": 1, "draft": 1, "not_started": 1},
            "not_included": [
                {"key": "BTC", "name": "Bộ Tài chính", "status": "returned"},
                {"key": "P48", "name": "Thành phố Đà Nẵng", "status": "draft"},
                {"key": "X00007", "name": "Phường Phúc Xá", "status": "not_started"},
            ],
        },
        "services": _services(),
        "rankings": {
            "provinces": [
                {
                    "rank": 1,
                    "key": "P79",
                    "name": "Thành phố Hồ Chí Minh",
                    "total": 900000,
                    "online": 810000,
                    "rate": 90.0,
                    "savings_total": 20000000000,
                },
                {
                    "rank": 1,
                    "key": "P01",
                    "name": "Thành phố Hà Nội",
                    "total": 1000000,
                    "online": 900000,
                    "rate": 90.0,
                    "savings_total": 25000000000,
                },
                {
                    "rank": 3,
                    "key": "P31",
                    "name": "Thành phố Hải Phòng",
                    "total": 0,
                    "online": 0,
                    "rate": None,
                    "savings_total": 0,
                },
            ],
            "ministries": [
                {
                    "rank": 1,
                    "key": "BCA",
                    "name": "Bộ Công an",
                    "total": 500000,
                    "online": 400000,
                    "rate": 80.0,
                    "savings_total": 1000000000,
                },
                {
                    "rank": 2,
                    "key": "BTP",
                    "name": "Bộ Tư pháp",
                    "total": 320000,
                    "online": 250000,
                    "rate": 78.13,
                    "savings_total": 9000000000,
                },
            ],
        },
        "tasks": _tasks(),
        "pl02": _pl02(),
        "pl06": _pl06(),
        "pl07": _pl07(),
        "narrative": [
            {
                "key": "I.1",
                "number": "1",
                "title": "Tình hình",
                "depth": 1,
                "paragraphs": [
                    {
                        "key": "BCA",
                        "name": "Bộ Công an",
                        "field": "body",
                        "field_label": "Nội dung báo cáo",
                        "text": "Đã triển khai.",
                    }
                ],
            },
        ],
    }
    return copy.deepcopy(data)


def unit_tables() -> list[tuple[str, str, dict]]:
    """Each unit's own tables as `unit_tables.iter_unit_tables` yields them (keys of the 4709 layout)."""
    out = []
    for n, (key, name, kind, *_rest) in enumerate(UNITS):
        tables = {
            "PL01": [
                {
                    "key": f"t{n}a",
                    "group": "A",
                    "values": {
                        "content": f"Nhiệm vụ chung {n}",
                        "result": "completed",
                        "origin": "new",
                        "due": "30/06/2024",
                    },
                },
                {
                    "key": f"t{n}b",
                    "group": "A",
                    "values": {
                        "content": "-Rà soát dữ liệu",
                        "result": "not_completed",
                        "origin": "carried_over",
                        "risk": "=chậm",
                    },
                },
            ],
            "PL07": [
                {"key": "A.1", "group": "main", "values": {"citizens": f"Lợi ích {n}", "causes": ["legal", "data"]}},
            ],
        }
        if kind in {"ministry", "province"}:
            tables["PL03"] = [
                {
                    "key": "DA06-01",
                    "group": "main",
                    "values": {
                        "total": 1000 * (n + 1),
                        "online": 900 * (n + 1),
                        "rate": 90.0,
                        "savings_total": 5000000,
                    },
                },
                {"key": "DA06-03", "group": "main", "values": {"total": 0, "online": 0}},
            ]
            tables["PL05"] = [
                {
                    "key": f"f{n}",
                    "group": "main",
                    "values": {"service": "Thông báo lưu trú", "total": 77, "online": 70, "rate": 90.91},
                },
            ]
        if key == "X31117":
            tables = {}  # a commune that answered narrative sections only
        out.append((key, name, tables))
    return out
