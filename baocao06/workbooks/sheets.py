"""Where things are in a unit's workbook: sheet names, row and column positions, hidden row keys.

Export and import both compute positions from the round's frozen layout with these functions, so the
import never trusts positions written in the file: it only reads values and the hidden row keys.

Hidden key column (A) of a table sheet:
    `<row key>`          a fixed row of the layout (catalogue or definition row)
    `<group>/<row key>`  a free row the unit added earlier (its key is kept on import)
    `<group>/+`          an empty slot for a new free row of that group
    `#group:<key>`       a group title row; `#total:<key>` a totals row; `#header` header rows
Rows people insert have an empty key: they belong to the group of the rows above them.

Narrative sheet: `<section>/<field>` (and `<section>/<field>/<n>` for the continuation of a text
longer than one Excel cell holds), `#section:<key>` for headings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from baocao06.definitions.layout import TableView
from baocao06.reports.presenters import header_rows

FORMAT = 1  # version of this workbook layout, written in the hidden metadata sheet
KIND = "baocao06-workbook"

INSTRUCTIONS_SHEET = "Hướng dẫn"
NARRATIVE_SHEET = "Đề cương"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"

KEY_COL = 0  # A, hidden
STT_COL = 1  # B
FIRST_COL = 2  # C: the definition's first column
HEADER_TOP = 4  # 0-based row of the first header row (Excel row 5)

NARRATIVE_COLUMNS = ["Mã (không sửa)", "Mục / nội dung yêu cầu", "Nội dung báo cáo", "Hướng dẫn của đề cương"]
NARRATIVE_HEADER = 3  # 0-based
NARRATIVE_TOP = 4
NARRATIVE_TEXT_COL = 2  # C
EXCEL_CELL_LIMIT = 32_767  # characters one Excel cell holds

FREE_SLOT = "+"
GROUP_PREFIX = "#group:"
TOTAL_PREFIX = "#total:"
HEADER_KEY = "#header"
SECTION_PREFIX = "#section:"


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(sheet: str, row: int, col: int) -> str:
    """`PL03!E12` from 0-based row and column."""
    return f"{sheet}!{column_letter(col)}{row + 1}"


def free_key(group: str, row_key: str) -> str:
    return f"{group}/{row_key}"


@dataclass
class HeaderPlacement:
    """One header cell: its text and the 0-based rectangle it covers."""

    label: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    unit: str | None = None


@dataclass
class TableSheet:
    """The geometry of one appendix sheet."""

    view: TableView
    placements: list[HeaderPlacement] = field(init=False)
    label_rows: dict[str, int] = field(init=False)  # column key → row holding its label

    def __post_init__(self):
        self.placements, self.label_rows = self._header()

    @property
    def table(self):
        return self.view.table

    @property
    def name(self) -> str:
        return self.table.key

    @cached_property
    def columns(self) -> list[dict]:
        return self.table.columns

    @cached_property
    def col_of(self) -> dict[str, int]:
        return {c["key"]: FIRST_COL + i for i, c in enumerate(self.columns)}

    @property
    def last_col(self) -> int:
        return FIRST_COL + len(self.columns) - 1

    @property
    def header_height(self) -> int:
        return len(header_rows(self.table))

    @property
    def data_top(self) -> int:
        return HEADER_TOP + self.header_height

    def _header(self) -> tuple[list[HeaderPlacement], dict[str, int]]:
        rows = header_rows(self.table)
        height = len(rows)
        placements: list[HeaderPlacement] = []
        label_rows: dict[str, int] = {}
        # The top row walks the columns: STT, then each ungrouped column or group span.
        col = STT_COL
        bottom = iter(rows[1]) if height == 2 else iter(())
        keys = iter(c["key"] for c in self.columns)
        for cell in rows[0]:
            if cell.label == "STT" and col == STT_COL:
                placements.append(HeaderPlacement("STT", HEADER_TOP, col, HEADER_TOP + cell.rowspan - 1, col))
                col += 1
                continue
            if cell.colspan == 1 and cell.rowspan == height:
                key = next(keys)
                placements.append(
                    HeaderPlacement(cell.label, HEADER_TOP, col, HEADER_TOP + height - 1, col, unit=cell.unit)
                )
                label_rows[key] = HEADER_TOP
                col += 1
                continue
            placements.append(HeaderPlacement(cell.label, HEADER_TOP, col, HEADER_TOP, col + cell.colspan - 1))
            for _ in range(cell.colspan):
                sub = next(bottom)
                key = next(keys)
                placements.append(HeaderPlacement(sub.label, HEADER_TOP + 1, col, HEADER_TOP + 1, col, unit=sub.unit))
                label_rows[key] = HEADER_TOP + 1
                col += 1
        return placements, label_rows

    def expected_labels(self) -> list[tuple[int, int, str]]:
        """(row, col, text) of each column's label, as import checks them."""
        return [(self.label_rows[c["key"]], self.col_of[c["key"]], c["label"]) for c in self.columns]


def header_text(label: str, unit: str | None) -> str:
    return f"{label}\n({unit})" if unit else label


def same_label(found, expected: str) -> bool:
    """Header text as written (with its unit on a second line) or as a person may retype it."""
    if found is None:
        return False
    first = " ".join(str(found).split("\n")[0].split())
    return first.casefold() == " ".join(expected.split()).casefold()
