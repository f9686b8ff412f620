"""One word per thing (docs/architecture.md, "Words"): the states of a report and the Secretariat's
decisions read the same on every page, export, chart, e-mail and notification."""

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from baocao06.compilation.charts import STATUS_LABELS
from baocao06.reports.models import ReportStatus
from baocao06.rounds.board import STATES

ROOT = Path(settings.BASE_DIR)
GLOSSARY = {
    "not_started": "Chưa bắt đầu",
    "draft": "Đang soạn",
    "submitted": "Chờ thẩm định",
    "returned": "Bị trả lại",
    "accepted": "Đã tiếp nhận",
}
# Words the glossary replaced: accepting is "tiếp nhận", reviewing is "thẩm định".
NOT_USED = re.compile(r"chấp nhận|xem xét|Đã gửi, chờ", re.IGNORECASE)


def sources():
    yield from sorted((ROOT / "templates").rglob("*.html"))
    for path in sorted((ROOT / "baocao06").rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


class WordsTests(SimpleTestCase):
    def test_the_report_states_are_the_glossarys_everywhere(self):
        self.assertEqual({s.value: s.label for s in ReportStatus}, GLOSSARY)
        self.assertEqual(dict(STATUS_LABELS), {k: GLOSSARY[k] for k in STATUS_LABELS})
        self.assertEqual(dict(STATES[:-1]), GLOSSARY)
        glossary = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").split("## Words")[1]
        for label in GLOSSARY.values():
            self.assertIn(label, glossary)

    def test_no_page_or_message_uses_the_replaced_words(self):
        found = []
        for path in sources():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if NOT_USED.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
        self.assertEqual(found, [])
