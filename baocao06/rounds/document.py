"""How the round's national report is issued, as a Decree 30/2020/NĐ-CP *báo cáo*: issuer, number,
date, subject, addressees, "Nơi nhận" and signer (docs/national-format.md, "The national report").

Stored on the round (`Round.document_settings`), set on the round's settings page through the audited
`do_set_document_settings`, read only through `document_settings`, which fills in the defaults. The
defaults follow the body that asked for the 2024 reports, the Working Group of Bộ Công an (dispatch
4709/CV-TCTTKĐA); the Steering Committee did not exist in 2024, so it is never a default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

DOCUMENT_DEFAULTS: dict[str, Any] = {
    "issuer_parent": "BỘ CÔNG AN",
    "issuer": "TỔ CÔNG TÁC TRIỂN KHAI ĐỀ ÁN 06",
    "issuer_full": "Tổ công tác triển khai Đề án 06",
    "symbol": "BC-TCTTKĐA",
    "number": "",
    "place": "Hà Nội",
    "issued_on": "",  # ISO date; empty: the day the snapshot was compiled
    "subject": "",  # empty: the round's title without "Báo cáo"
    "addressees": ["Thủ tướng Chính phủ"],
    "recipients": ["Như trên;", "Các thành viên Tổ công tác;", "Lưu: VT, TCT(C06)."],
    "signer_lines": ["TM. TỔ CÔNG TÁC", "TỔ TRƯỞNG"],
    "signer": "",
}
DOCUMENT_LABELS = {
    "issuer_parent": "Cơ quan chủ quản (dòng trên)",
    "issuer": "Cơ quan ban hành",
    "issuer_full": "Tên cơ quan ban hành trong câu",
    "symbol": "Ký hiệu văn bản",
    "number": "Số văn bản (để trống cho văn thư điền)",
    "place": "Địa danh",
    "issued_on": "Ngày ban hành (để trống: ngày tổng hợp)",
    "subject": "Trích yếu (để trống: theo tên kỳ báo cáo)",
    "addressees": "Kính gửi (mỗi dòng một nơi)",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "signer_lines": "Quyền hạn, chức vụ người ký (mỗi dòng một dòng)",
    "signer": "Họ và tên người ký",
}
LISTS = {"addressees", "recipients", "signer_lines"}
MAX_TEXT = 300
MAX_LINES = 30


class InvalidDocumentSettings(ValueError):
    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def clean_document_settings(data: Mapping[str, Any]) -> dict:
    """Checked settings (only the values that differ from nothing are kept as typed); raises
    InvalidDocumentSettings naming each bad value in Vietnamese."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in sorted(set(data) - set(DOCUMENT_DEFAULTS)):
        problems[name] = "thiết lập không tồn tại"
    for name in DOCUMENT_DEFAULTS:
        if name not in data:
            continue
        value = data[name]
        if name in LISTS:
            lines = value.splitlines() if isinstance(value, str) else list(value or [])
            lines = [" ".join(str(line).split()) for line in lines]
            lines = [line for line in lines if line]
            if len(lines) > MAX_LINES or any(len(line) > MAX_TEXT for line in lines):
                problems[name] = f"tối đa {MAX_LINES} dòng, mỗi dòng {MAX_TEXT} ký tự"
            elif name != "recipients" and not lines:
                problems[name] = "không được để trống"
            else:
                clean[name] = lines
            continue
        text = " ".join(str(value or "").split())
        if len(text) > MAX_TEXT:
            problems[name] = f"tối đa {MAX_TEXT} ký tự"
        elif name == "issued_on" and text:
            try:
                text = (value if isinstance(value, dt.date) else dt.date.fromisoformat(text)).isoformat()
            except ValueError:
                problems[name] = "ngày không hợp lệ (YYYY-MM-DD)"
        elif name in {"issuer", "issuer_full", "symbol", "place"} and not text:
            problems[name] = "không được để trống"
        clean[name] = text
    if problems:
        raise InvalidDocumentSettings(problems)
    return clean


def document_settings(round_) -> dict:
    """The round's document settings with the defaults filled in."""
    merged = {k: (list(v) if isinstance(v, list) else v) for k, v in DOCUMENT_DEFAULTS.items()}
    stored = getattr(round_, "document_settings", None) or {}
    merged.update({k: v for k, v in stored.items() if k in DOCUMENT_DEFAULTS})
    return merged


def subject_line(settings: Mapping[str, Any], title: str | None) -> str:
    """The report's subject under "BÁO CÁO": the set subject, else the round's title without a
    leading "Báo cáo", first letter capital ("Kết quả triển khai Đề án 06 …")."""
    text = " ".join(str(settings.get("subject") or title or "kết quả triển khai Đề án 06").split())
    for prefix in ("báo cáo ", "v/v "):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return text[:1].upper() + text[1:]
