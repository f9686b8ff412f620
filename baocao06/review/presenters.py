"""Comments arranged for pages: threads, and an index by place so each shows where it applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Comment


@dataclass
class CommentIndex:
    """Threads by where they apply: the report, a section field, a table, a row, a cell."""

    threads: list[Comment]
    general: list[Comment] = field(default_factory=list)
    sections: dict[str, dict[str, list[Comment]]] = field(default_factory=dict)  # part → field ("" = section)
    tables: dict[str, list[Comment]] = field(default_factory=dict)
    rows: dict[tuple[str, str], list[Comment]] = field(default_factory=dict)
    cells: dict[tuple[str, str, str], list[Comment]] = field(default_factory=dict)


def threads(report, *, drafts: bool) -> list[Comment]:
    """The report's remarks with their replies, oldest first; drafts only for the Secretariat."""
    roots = report.comments.filter(parent__isnull=True).select_related("author", "version")
    if not drafts:
        roots = roots.filter(published_at__isnull=False)
    replies = Comment.objects.filter(published_at__isnull=False).select_related("author").order_by("created_at", "id")
    return list(roots.prefetch_related(Prefetch("replies", queryset=replies)).order_by("created_at", "id"))


def index(comments: list[Comment], tables: set[str]) -> CommentIndex:
    result = CommentIndex(comments)
    for comment in comments:
        if not comment.part:
            result.general.append(comment)
        elif comment.part not in tables:
            result.sections.setdefault(comment.part, {}).setdefault(comment.field, []).append(comment)
        elif comment.column:
            result.cells.setdefault((comment.part, comment.row, comment.column), []).append(comment)
        elif comment.row:
            result.rows.setdefault((comment.part, comment.row), []).append(comment)
        else:
            result.tables.setdefault(comment.part, []).append(comment)
    return result


def attach(grid, found: CommentIndex) -> None:
    """Put each remark on the row or cell of a table grid it belongs to."""
    key = grid.table.key
    for group in grid.groups:
        for row in group.rows:
            row.comments = found.rows.get((key, row.key), [])
            for cell in row.cells:
                cell.comments = found.cells.get((key, row.key, cell.key), [])
