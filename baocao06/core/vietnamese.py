"""Vietnamese conventions: collation, numbers (1.234.567,8), dates ("ngày 10 tháng 6 năm 2024").

Plain code-point sorting puts "Đắk Lắk" after "Yên Bái" and "Ă" after "Z"; the collation key here
follows the Vietnamese alphabet (a ă â b c d đ e ê …) with tones as a secondary difference in
dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: 12 + i for i, ch in enumerate(_ALPHABET)}
_DIGIT_RANK = {str(d): 2 + d for d in range(10)}
_SEPARATOR_RANK = 1
# Combining marks that make a letter (not a tone): breve, circumflex, horn.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_COMPOSE = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
# Tones in dictionary order; 0 is "no tone".
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str):
    """Yield (base letter, tone rank, is_upper) for each visible character of text."""
    decomposed = unicodedata.normalize("NFD", text)
    i = 0
    while i < len(decomposed):
        ch = decomposed[i]
        i += 1
        if unicodedata.combining(ch):
            continue  # a stray mark with no base
        base = ch.lower()
        upper = ch != base
        tone = 0
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            mark = decomposed[i]
            i += 1
            if mark in _LETTER_MARKS:
                base = _COMPOSE.get((base, _LETTER_MARKS[mark]), base)
            elif mark in _TONE_RANK:
                tone = _TONE_RANK[mark]
        yield base, tone, upper


def _rank(base: str) -> int:
    if base in _LETTER_RANK:
        return _LETTER_RANK[base]
    if base in _DIGIT_RANK:
        return _DIGIT_RANK[base]
    if base.isspace() or not base.isalnum():
        return _SEPARATOR_RANK
    return min(100 + ord(base) % 500, 675)


def _encode(rank: int) -> str:
    # Two lowercase letters per rank: sorts the same bytewise and under any locale collation.
    return chr(97 + rank // 26) + chr(97 + rank % 26)


def collation_key(text: str) -> str:
    """A string that sorts text in Vietnamese order, in Python and in any database column."""
    letters = list(_letters(" ".join(text.split())))
    primary = "".join(_encode(_rank(base)) for base, _, _ in letters)
    secondary = "".join(chr(97 + tone) for _, tone, _ in letters)
    tertiary = "".join("b" if upper else "a" for _, _, upper in letters)
    # "aa" is below every rank code, so a prefix sorts before its extensions.
    return f"{primary}aa{secondary}a{tertiary}"


def sort_vietnamese(items, key=lambda item: item):
    """Sort items by the Vietnamese collation of key(item)."""
    return sorted(items, key=lambda item: collation_key(key(item)))


# --- Numbers ---------------------------------------------------------------------------------

_NUMBER_CHARS = re.compile(r"^[+-]?[0-9.,\s]+$")
# A leading group of "0" is never a thousands group: "0.500" is a half, not five hundred.
_THOUSANDS_ONLY = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")


def parse_number(text: str | int | float | Decimal | None) -> Decimal | None:
    """Parse a number typed by a Vietnamese user: "1.234.567", "1.234,5", "12,5", "12.5", "1 234".

    Returns None for an empty value; raises ValueError for anything that is not a number.
    A comma is the decimal separator and dots group thousands; with no comma, dots that
    group exactly three digits are thousands ("1.234" is 1234), otherwise a single dot
    is read as a decimal point ("12.5"), as spreadsheets exported in English write it.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("not a number")
    if isinstance(text, int | Decimal):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = str(text).strip().replace("\u00a0", " ")
    if raw == "":
        return None
    if not _NUMBER_CHARS.match(raw):
        raise ValueError("not a number")
    compact = raw.replace(" ", "")
    if "," in compact:
        if compact.count(",") > 1:
            raise ValueError("not a number")
        whole, frac = compact.split(",")
        if "." in whole and not _THOUSANDS_ONLY.match(whole):
            raise ValueError("not a number")
        normal = whole.replace(".", "") + "." + frac
    elif _THOUSANDS_ONLY.match(compact):
        normal = compact.replace(".", "")
    elif compact.count(".") <= 1:
        normal = compact
    else:
        raise ValueError("not a number")
    try:
        value = Decimal(normal)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a number")
    return value


def format_number(value, decimals: int | None = None) -> str:
    """Format a number the Vietnamese way: 1.234.567,8 (decimals=None keeps the significant ones)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    else:
        # Trailing zeros are not significant: Decimal("12.50") from a DecimalField reads "12,5".
        number = number.normalize()
        if number == number.to_integral():
            number = number.quantize(Decimal(1))
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = ".".join(groups)
    if frac:
        result += "," + frac
    return sign + result


# --- Dates -----------------------------------------------------------------------------------


def long_date(day: dt.date, place: str | None = None) -> str:
    """ "Hà Nội, ngày 10 tháng 6 năm 2024", "ngày 05 tháng 02 năm 2025".

    Decree 30/2020/NĐ-CP, annex I: a day below 10 and the months 1 and 2 take a leading zero;
    other months are written plainly.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text


def short_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarter_label(day: dt.date) -> str:
    """ "Quý IV/2023"."""
    return f"Quý {_ROMAN[(day.month - 1) // 3 + 1]}/{day.year}"
