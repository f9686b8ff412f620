"""How a unit signs a document of its own (Decree 30/2020/NĐ-CP, annex I): the issuing body's lines
in the header, the symbol after "BC-", the place in the date line, and the signer's authority lines.

Derived from the unit's kind and names (units/), never from a dispatch: a ministry issues in its own
name ("BỘ TƯ PHÁP", "Số: …/BC-BTP", "KT. BỘ TRƯỞNG"), a province or a commune through its People's
Committee ("ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI", "BC-UBND", "TM. ỦY BAN NHÂN DÂN").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baocao06.units.kinds import UnitKind

DEFAULT_PLACE = "Hà Nội"
COMMITTEE = "ỦY BAN NHÂN DÂN"
# The signer's authority and title lines by kind of unit (what the approver signs as by default).
SIGNER_LINES = {
    UnitKind.MINISTRY: ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"),
    UnitKind.MINISTRY_AGENCY: ("KT. THỦ TRƯỞNG CƠ QUAN", "PHÓ THỦ TRƯỞNG"),
    UnitKind.GOVERNMENT_AGENCY: ("KT. THỦ TRƯỞNG CƠ QUAN", "PHÓ THỦ TRƯỞNG"),
    UnitKind.CENTRAL_OTHER: ("KT. THỦ TRƯỞNG CƠ QUAN", "PHÓ THỦ TRƯỞNG"),
    UnitKind.CORPORATION: ("KT. TỔNG GIÁM ĐỐC", "PHÓ TỔNG GIÁM ĐỐC"),
    UnitKind.PROVINCE: ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    UnitKind.COMMUNE: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
}
_SYMBOL = re.compile(r"^[A-ZĐ][A-ZĐ0-9&]{1,15}$")


@dataclass(frozen=True)
class Issuer:
    lines: tuple[str, ...]  # the header's issuing body, top line first (the last is bold)
    symbol: str  # "BTP" in "Số: …/BC-BTP"
    place: str  # "Hà Nội" in "Hà Nội, ngày … tháng … năm …"
    name: str  # the unit in running text ("Bộ Tư pháp báo cáo …")
    signer_lines: tuple[str, ...]


def _upper(text: str) -> str:
    return " ".join(text.split()).upper()


def issuer_for(unit) -> Issuer:
    name = unit.full_name or unit.name
    if unit.kind in {UnitKind.PROVINCE, UnitKind.COMMUNE}:
        if unit.kind == UnitKind.PROVINCE:
            place = unit.name
        else:
            parent = unit.parent
            place = parent.name if parent is not None else DEFAULT_PLACE
        lines = (COMMITTEE, _upper(name))
        symbol = "UBND"
        running = f"Ủy ban nhân dân {name[0].lower() + name[1:] if name[:1].isupper() else name}"
    else:
        lines = (_upper(name),)
        code = (unit.code or "").upper()
        symbol = code if _SYMBOL.match(code) else _upper(unit.key)
        place = DEFAULT_PLACE
        running = name
    return Issuer(lines, symbol, place, running, SIGNER_LINES.get(unit.kind, ("THỦ TRƯỞNG CƠ QUAN",)))
