"""A round opened after the 2025 merger: what the 4709 definition addresses to units that ended
reaches their successors, and open tasks of a 2024 round reach the unit that took over, with their
codes. Expected figures come from data/units/*.csv read here, not from the code under test."""

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from baocao06.accounts.roles import UnitRole
from baocao06.catalogues.models import Task
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.reports.models import Report
from baocao06.rounds.models import Round
from baocao06.test import DEFINITION_4709, BaseTestCase, make_user, open_test_round
from baocao06.units.models import Unit

DAY_2026 = dt.date(2026, 12, 14)  # data cut-off of a 2026 year-end round (Decree 09/2019)

RESULTS = ["in_progress", "completed", "not_completed", "recurring"]


def csv_units() -> dict[str, dict]:
    units = {}
    for name in ("central.csv", "provinces.csv", "corporations.csv"):
        path = Path(settings.BAOCAO06_DATA_DIR) / "units" / name
        with path.open(encoding="utf-8") as handle:
            units |= {row["key"]: row for row in csv.DictReader(handle)}
    return units


def csv_valid(row: dict, day: dt.date) -> bool:
    start = dt.date.fromisoformat(row["valid_from"]) if row["valid_from"] else None
    end = dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
    return (start is None or start <= day) and (end is None or day <= end)


def csv_successor(units: dict, key: str, day: dt.date) -> str:
    while not csv_valid(units[key], day):
        key = units[key]["successor"]
    return key


def task_rows(unit_key: str, count: int, group: str) -> list[dict]:
    return [
        {
            "key": f"nx{i}",
            "group": group,
            "values": {
                "content": f"Nhiệm vụ {i} của {unit_key}",
                "due": "Quý IV/2024",
                "result": RESULTS[i % len(RESULTS)],
                "risk": "Chờ hướng dẫn.",
                "origin": "new",
            },
        }
        for i in range(count)
    ]


class MergerTests(BaseTestCase):
    # Hà Giang 3 tasks, Tuyên Quang 8, MIC 5, MPI 2 (as in issue 11)
    TASKS = {"P02": (3, "C"), "P08": (8, "C"), "BTTTT": (5, "B"), "BKHDT": (2, "B")}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        units = list(Unit.objects.filter(key__in=cls.TASKS))
        cls.round_2024 = open_test_round(cls.definition, units, actor=cls.secretariat, title="Kỳ 2024 (trước sắp xếp)")
        cls.sent_rows = {}
        for unit in units:
            approver = make_user(f"{unit.key.lower()}.ld", unit=unit, role=UnitRole.APPROVER)
            report = Report.objects.get(round=cls.round_2024, unit=unit)
            cls.fill_completely(report, approver)
            count, group = cls.TASKS[unit.key]
            rows = task_rows(unit.key, count, group)
            revision = report.parts.get(key="PL01").revision
            do_save_part(report, "PL01", {"rows": rows}, base_revision=revision, actor=approver)
            do_submit_report(report, actor=approver)
            cls.sent_rows[unit.key] = rows

    def open_2026(self, kinds="province,ministry,ministry_agency,government_agency,central_other"):
        out, err = StringIO(), StringIO()
        call_command(
            "open_round", str(DEFINITION_4709), "--title", "Tổng kết năm 2026", "--period", "year",
            "--year", "2026", "--deadline", "20/12/2026", "--kinds", kinds,
            "--previous", str(self.round_2024.pk), "--user", "thuky", stdout=out, stderr=err,
        )  # fmt: skip
        return Round.objects.get(title="Tổng kết năm 2026"), out.getvalue(), err.getvalue()

    def expected_open_codes(self, unit_key: str) -> list[str]:
        """Codes the 2024 tasks got (NV-<unit>-<n>, numbered in row order) that were not completed."""
        rows = self.sent_rows[unit_key]
        return [f"NV-{unit_key}-{n:04d}" for n, row in enumerate(rows, 1) if row["values"]["result"] != "completed"]

    def test_audiences_naming_ended_units_reach_their_successors(self):
        round_, out, _ = self.open_2026()
        units = csv_units()
        assigned = sum(csv_valid(r, DAY_2026) and r["kind"] != "corporation" for r in units.values())
        self.assertEqual(round_.reports.count(), assigned)
        remaps = {r["from"]: r["to"] for r in round_.unit_mapping["remaps"]}
        self.assertEqual(remaps["BTTTT"], "BKHCN")
        self.assertEqual(remaps["BKHDT"], "BTC")
        for old, new in remaps.items():  # every remap is the successor chain of the official lists
            self.assertFalse(csv_valid(units[old], DAY_2026), old)
            self.assertEqual(new, csv_successor(units, old, DAY_2026), old)
            self.assertIn(f"({old}) → ", out)
        # Nothing in the frozen layout names a unit that does not exist at the end of 2026.
        tokens = set()

        def collect(node):
            if isinstance(node, dict):
                tokens.update(t for t in node.get("audience") or [] if isinstance(t, str) and t.startswith("unit:"))
                for value in node.values():
                    collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)

        collect(round_.layout)
        self.assertTrue(tokens)
        self.assertEqual([t for t in tokens if not csv_valid(units[t[5:]], DAY_2026)], [])
        # The section the 4709 dispatch addresses to MIC (II.3.3 (2)) now reaches Science and Technology.
        mic_sections = [s.key for s in self.round_2024.get_layout().walk_sections() if s.audience == ["unit:BTTTT"]]
        self.assertTrue(mic_sections)
        view = round_.get_layout().view_for(Unit.objects.get(key="BKHCN"))
        for key in mic_sections:
            self.assertIn(key, view.part_keys, key)
        self.assertTrue(round_.unit_mapping["remaps"])

    def test_open_tasks_reach_the_successor_with_their_codes_and_origin(self):
        round_, out, _ = self.open_2026()
        units = csv_units()
        for new_key in ("P08-2025", "BKHCN", "BTC"):
            predecessors = [k for k in self.TASKS if csv_successor(units, k, DAY_2026) == new_key]
            self.assertTrue(predecessors)
            expected = sorted(f"n{c}" for k in predecessors for c in self.expected_open_codes(k))
            report = Report.objects.get(round=round_, unit__key=new_key)
            rows = report.parts.get(key="PL01").data["rows"]
            self.assertEqual(sorted(r["key"] for r in rows), expected, new_key)
            self.assertTrue(all(r["values"]["origin"] == "carried_over" for r in rows))
        # The command said where the open tasks of the ended units went.
        for key in ("P02", "P08", "BTTTT", "BKHDT"):
            target = csv_successor(units, key, DAY_2026)
            line = f"Chuyển nhiệm vụ: {len(self.expected_open_codes(key))} nhiệm vụ chưa hoàn thành của "
            self.assertIn(f"{line}{units[key]['full_name'] or units[key]['name']} ({key}) → ", out)
            self.assertIn(f"({key}) → {units[target]['full_name'] or units[target]['name']} ({target})", out)
        # Hà Giang's 2 and Tuyên Quang's 6 open tasks (of 3 and 8) both reach the new Tuyên Quang.
        self.assertEqual(len(self.expected_open_codes("P02")) + len(self.expected_open_codes("P08")), 2 + 6)

        # The unit sees where each carried task came from, then sends them: codes kept, origin stored.
        tq = Unit.objects.get(key="P08-2025")
        approver = make_user("tq2025.ld", unit=tq, role=UnitRole.APPROVER)
        report = Report.objects.get(round=round_, unit=tq)
        self.login(approver)
        page = self.client.get(reverse("reports:detail", args=[report.pk])).content.decode()
        self.assertIn("NV-P02-0001", page)
        self.assertIn("từ Hà Giang", page)
        self.assertIn("từ Tuyên Quang", page)
        carried = report.parts.get(key="PL01").data
        for row in carried["rows"]:
            row["values"]["result"] = "in_progress"
        self.fill_completely(report, approver)
        revision = report.parts.get(key="PL01").revision
        do_save_part(report, "PL01", carried, base_revision=revision, actor=approver)
        do_submit_report(report, actor=approver)
        for key in ("P02", "P08"):
            for code in self.expected_open_codes(key):
                task = Task.objects.get(code=code)
                self.assertEqual((task.unit.key, task.from_unit.key), ("P08-2025", key), code)
        self.assertFalse(Task.objects.filter(unit=tq, code__startswith="NV-P08-2025").exists())
        # Past due at the 2026 cut-off, they are the new Tuyên Quang's overdue tasks, still saying where from.
        self.login(self.secretariat)
        overdue = self.client.get(reverse("rounds:overdue_tasks", args=[round_.pk])).content.decode()
        self.assertIn("NV-P02-0001", overdue)
        self.assertIn("từ Hà Giang", overdue)

    def test_the_opening_screen_lists_remaps_and_warns_of_parts_addressed_to_no_one(self):
        self.login(self.secretariat)
        form = {
            "definition": self.definition.pk,
            "title": "Tổng kết năm 2026 (chỉ các tỉnh)",
            "period_kind": "year",
            "year": "2026",
            "deadline": "20/12/2026",
            "kinds": ["province"],
            "reminder_offsets": "-3",
            "previous": self.round_2024.pk,
            "check": "1",
        }
        page = self.client.post(reverse("rounds:open"), form).content.decode()
        self.assertEqual(Round.objects.filter(title=form["title"]).count(), 0)  # only checked
        self.assertIn("Bộ Thông tin và Truyền thông (BTTTT)", page)
        self.assertIn("Bộ Khoa học và Công nghệ (BKHCN)", page)
        self.assertIn("Không gửi đến đơn vị nào của kỳ", page)  # the ministries' sections
        self.assertIn("Nhiệm vụ chưa hoàn thành của đơn vị đã thôi hoạt động", page)
        # Only provinces: MIC's and MPI's open tasks reach nobody, and the screen says so.
        self.assertIn("Nhiệm vụ chưa hoàn thành không chuyển được cho đơn vị nào của kỳ", page)
        self.assertIn(f"Bộ Thông tin và Truyền thông ({len(self.expected_open_codes('BTTTT'))})", page)
        hg = f"<td>Tỉnh Hà Giang (P02)</td><td class=\"num\">{len(self.expected_open_codes('P02'))}</td>"
        self.assertIn(hg + "<td>Tỉnh Tuyên Quang (P08-2025)</td>", page)
        provinces = sum(csv_valid(r, DAY_2026) and r["kind"] == "province" for r in csv_units().values())
        self.assertIn(f"Kỳ sẽ giao cho {provinces} đơn vị", page)
        self.assertIn("(theo ngày 14/12/2026)", page)
        self.assertIn("Mục II.3.3.2: Bộ Thông tin và Truyền thông đánh giá", page)  # where MIC was named
        del form["check"]
        response = self.client.post(reverse("rounds:open"), form, follow=True)
        round_ = Round.objects.get(title=form["title"])
        self.assertEqual(round_.reports.count(), provinces)
        self.assertTrue(any("Không gửi đến đơn vị nào" in w for w in round_.unit_mapping["warnings"]))
        self.assertContains(response, "Không gửi đến đơn vị nào của kỳ")
