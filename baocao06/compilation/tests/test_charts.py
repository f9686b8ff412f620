"""Charts of the national dict: Vietnamese numbers on the axes, the same dict gives the same bytes."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from baocao06.compilation import charts

from .national_fixture import national_data


def tick_labels(fig, axis="x") -> list[str]:
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in ticks]


class ChartTests(SimpleTestCase):
    def setUp(self):
        self.data = national_data()

    def test_every_chart_renders_as_png_and_svg(self):
        for build in (
            charts.completeness_chart,
            charts.online_rate_chart,
            charts.rankings_chart,
            charts.savings_chart,
            charts.task_status_chart,
        ):
            fig = build(self.data)
            self.assertTrue(charts.png(fig).startswith(b"\x89PNG"), build.__name__)
            self.assertIn("<svg", charts.svg(fig), build.__name__)

    def test_the_same_dict_gives_the_same_bytes(self):
        first = charts.online_rate_chart(self.data)
        second = charts.online_rate_chart(national_data())
        self.assertEqual(charts.svg(first), charts.svg(second))
        self.assertEqual(charts.png(first), charts.png(second))
        self.assertNotIn("<dc:date>", charts.svg(first))

    def test_online_rates_are_bars_per_service_with_vietnamese_percent_labels(self):
        fig = charts.online_rate_chart(self.data)
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        self.assertEqual(labels[1], "3. Đăng ký thường trú")
        widths = [round(bar.get_width(), 2) for bar in ax.patches]
        self.assertEqual(widths, [72.0, 70.3, 51.84])
        values = [t.get_text() for t in ax.texts]
        self.assertIn("70,30 %", values)  # rates with 2 decimals
        self.assertTrue(all(label.endswith(" %") for label in tick_labels(fig) if label))

    def test_counts_use_dots_for_thousands(self):
        data = self.data
        data["completeness"]["by_status"] = {"accepted": 1234567, "draft": 3}
        fig = charts.completeness_chart(data)
        self.assertIn("1.234.567", [t.get_text() for t in fig.axes[0].texts])
        self.assertIn("1.200.000", tick_labels(fig))

    def test_savings_switch_to_billions_when_large(self):
        data = self.data
        data["services"][0]["rows"][0]["values"]["savings_total"] = 3_500_000_000_000
        fig = charts.savings_chart(data)
        self.assertIn("tỷ đồng", fig.axes[0].get_xlabel())
        self.assertIn("3.500", [t.get_text() for t in fig.axes[0].texts])

    def test_rankings_show_the_highest_and_skip_units_without_applications(self):
        fig = charts.rankings_chart(self.data)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        self.assertEqual(labels, ["1. Hà Nội", "2. Hồ Chí Minh"])

    def test_task_status_uses_the_result_labels(self):
        fig = charts.task_status_chart(self.data)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        self.assertEqual(labels, ["Hoàn thành", "Chưa hoàn thành", "Thực hiện thường xuyên", "Đang triển khai"])
        self.assertIn("tổng số 24", fig.axes[0].get_title(loc="left"))

    def test_cumulative_line_adds_up_points_in_date_order(self):
        points = [(dt.date(2024, 6, 12), 5), (dt.date(2024, 6, 10), 3), (dt.date(2024, 6, 11), 2)]
        fig = charts.cumulative_chart(points, assigned=20)
        line = fig.axes[0].lines[0]
        self.assertEqual(list(line.get_ydata()), [3, 5, 10])
        self.assertIn("10/06", tick_labels(fig))

    def test_no_figures_gives_a_chart_that_says_so(self):
        fig = charts.task_status_chart({"tasks": {"results": [], "national": {"by_result": {}}}})
        self.assertEqual([t.get_text() for t in fig.axes[0].texts], [charts.EMPTY])
        self.assertFalse(charts.has_figures({"tasks": {}}, "tasks"))
