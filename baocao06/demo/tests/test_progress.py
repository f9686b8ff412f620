"""The demo's replay says how far it is while it runs (a first `make demo` takes a while)."""

import datetime as dt

from django.test import SimpleTestCase

from baocao06.core import clock
from baocao06.demo.timeline import Timeline, aware


class ProgressTests(SimpleTestCase):
    def test_the_timeline_reports_about_every_tenth_of_its_steps_in_time_order(self):
        timeline, seen, lines = Timeline(), [], []
        start = aware(dt.date(2024, 6, 11), 8)
        for n in reversed(range(25)):  # scheduled out of order: run in time order
            moment = start + dt.timedelta(hours=n)
            timeline.at(moment, lambda moment=moment: seen.append(clock.now() == moment))
        timeline.run(lines.append)
        self.assertEqual(seen, [True] * 25)
        self.assertEqual(len(lines), 13)  # every second step of 25 (25 // 10), and the last
        self.assertIn("    2/25 bước (đến ngày 11/06/2024)", lines[0])
        self.assertIn("25/25 bước (đến ngày 12/06/2024)", lines[-1])

    def test_without_a_listener_it_runs_silently(self):
        timeline, seen = Timeline(), []
        timeline.at(aware(dt.date(2024, 6, 11), 8), lambda: seen.append(1))
        timeline.run()
        self.assertEqual(seen, [1])
