"""Section I.2's task counts are computed from the rows of appendix 01, never typed: they equal the rows."""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from baocao06.catalogues.registry import items_from_files
from baocao06.definitions.layout import Layout, resolve
from baocao06.definitions.spec import load_spec
from baocao06.definitions.validation import clean_table, summary_counts
from baocao06.test import BaseTestCase

DEFINITION = Path(settings.BAOCAO06_DATA_DIR) / "definitions" / "4709-2024-h1.yaml"
ORIGINS = ["carried_over", "new", ""]
RESULTS = ["completed", "not_completed", "recurring", "in_progress", ""]


class Ministry:
    key, kind = "BTP", "ministry"


def ministry_view():
    spec = load_spec(DEFINITION.read_text(encoding="utf-8"))
    return Layout(resolve(spec, items_from_files)).view_for(Ministry())


VIEW = ministry_view()

row = st.fixed_dictionaries(
    {
        "content": st.sampled_from(["Nhiệm vụ A", "Nhiệm vụ B", ""]),
        "origin": st.sampled_from(ORIGINS),
        "result": st.sampled_from(RESULTS),
        "group": st.sampled_from(["A", "B"]),
    }
)


def expected(rows) -> dict:
    """Counted here directly from what was typed, independently of the engine's expressions."""
    kept = [r for r in rows if r["content"] or r["origin"] or r["result"]]  # an empty row carries nothing
    origins, results = Counter(r["origin"] for r in kept), Counter(r["result"] for r in kept)
    return {
        "carried_over": origins["carried_over"],
        "new": origins["new"],
        "completed": results["completed"],
        "not_completed": results["not_completed"],
        "recurring": results["recurring"],
        "in_progress": results["in_progress"],
    }


class SummaryCountTests(SimpleTestCase):
    @hsettings(max_examples=150, deadline=None, database=None)
    @given(st.lists(row, max_size=25))
    def test_the_counts_equal_the_rows(self, rows):
        data = {
            "rows": [
                {"key": f"n{i}", "group": r["group"], "values": {k: r[k] for k in ("content", "origin", "result")}}
                for i, r in enumerate(rows)
            ]
        }
        section = VIEW.layout.section_index["I.2"]
        counts = {c["key"]: c["count"] for c in summary_counts(section, clean_table(VIEW.table_index["PL01"], data))}
        self.assertEqual(counts, expected(rows))


class SummaryOnThePageTests(BaseTestCase):
    def test_autosave_and_the_page_show_the_counts_of_the_rows(self):
        rows = [
            {"key": "n1", "group": "A", "values": {"content": "A", "origin": "carried_over", "result": "completed"}},
            {"key": "n2", "group": "B", "values": {"content": "B", "origin": "new", "result": "in_progress"}},
            {"key": "n3", "group": "B", "values": {"content": "C", "origin": "new", "result": "recurring"}},
        ]
        self.login(self.reporter)
        body = self.autosave(self.report, "PL01", {"rows": rows}).json()
        counts = {c["key"]: c["count"] for c in body["summaries"]["I.2"]}
        self.assertEqual(
            counts, {"carried_over": 1, "new": 2, "completed": 1, "not_completed": 0, "recurring": 1, "in_progress": 1}
        )
        page = self.client.get(reverse("reports:detail", args=[self.report.pk])).content.decode()
        self.assertIn('<td data-count="new">2</td>', page)
