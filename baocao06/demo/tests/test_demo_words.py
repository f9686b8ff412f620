"""What `make demo` says: the address it serves, and report texts that fit the kind of unit."""

from io import StringIO
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from baocao06.demo.generator import Filler
from baocao06.reports.actions import view_for
from baocao06.test import BaseTestCase


class DemoAddressTests(BaseTestCase):
    @override_settings(DEBUG=True)  # load_demo refuses to run anywhere else
    def load(self, **options):
        out = StringIO()
        with mock.patch("baocao06.demo.management.commands.load_demo.build_demo", return_value=self.round):
            call_command("load_demo", stdout=out, **options)
        return out.getvalue()

    @override_settings(DEBUG=True)  # load_demo refuses to run anywhere else
    def test_it_prints_the_address_make_demo_serves(self):
        self.assertIn("Mở http://127.0.0.1:8103 và đăng nhập", self.load(addr="127.0.0.1:8103"))
        self.assertIn("Mở http://0.0.0.0:9000 và đăng nhập", self.load(addr="0.0.0.0:9000"))
        self.assertIn("Mở http://127.0.0.1:8000 và đăng nhập", self.load())
        makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
        self.assertIn("manage.py load_demo --addr $(DEMO_ADDR)", makefile)
        self.assertIn("manage.py runserver $(DEMO_ADDR)", makefile)


class DemoTextTests(BaseTestCase):
    def overviews(self, report):
        """Section I.1 as the demo writes it for `report`'s unit, with five seeds."""
        view = view_for(report)
        section = view.layout.section_index["I.1"]
        return [Filler(view, seed, report.unit.name).section(section)["fields"]["body"] for seed in range(5)]

    def test_a_ministry_speaks_of_its_sector_not_of_an_economy_on_its_territory(self):
        for text in self.overviews(self.report):
            self.assertNotIn("GRDP", text)
            self.assertNotIn("trên địa bàn", text)
            self.assertIn(self.ministry.name, text)

    def test_a_province_still_speaks_of_its_territory(self):
        texts = self.overviews(self.province_report)
        self.assertTrue(any(f"trên địa bàn {self.province.name}" in t for t in texts), texts)
