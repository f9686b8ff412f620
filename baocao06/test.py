"""The base test case: real units, catalogues and the 4709 definition, one open round, personas.

Personas (each a user):
    secretariat         Thư ký Tổ công tác
    viewer              a leader who only reads
    reporter, approver  of the Ministry of Justice (BTP), whose report is `report`
    province_reporter, province_approver   of Hà Nội (P01), `province_report`
    outsider            reporter of TP.HCM (P79), whose report is `other_report`
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts import mfa
from baocao06.accounts.models import GlobalRole, Membership, TotpDevice, UnitRole, User
from baocao06.catalogues.loading import load_catalogues
from baocao06.definitions.loading import store_definition
from baocao06.reports.actions import do_save_part, view_for
from baocao06.reports.models import Report
from baocao06.rounds.actions import do_open_round
from baocao06.rounds.models import PeriodKind
from baocao06.units.loading import load_units
from baocao06.units.models import Unit

DEFINITION_4709 = Path(settings.BAOCAO06_DATA_DIR) / "definitions" / "4709-2024-h1.yaml"
PASSWORD = "password-for-tests"
# The authenticator secret of every persona who must use a second factor (Secretariat, approvers).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def make_user(username: str, *, unit: Unit | None = None, role: str | None = None, global_role: str = "") -> User:
    user = User.objects.create_user(username, password=PASSWORD, full_name=username, global_role=global_role)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    if mfa.requires_mfa(user):
        TotpDevice.objects.create(user=user, secret=TOTP_SECRET, confirmed_at=timezone.now())
        User.objects.filter(pk=user.pk).update(mfa_enabled=True)
    return user


def login_client(client, user: User) -> None:
    """Sign a test client in, second factor included (the MFA flow itself is tested on its own)."""
    client.force_login(user)
    session = client.session
    session[mfa.SESSION_KEY] = True
    session.save()


def open_test_round(definition, units, *, actor=None, deadline=None, **fields):
    return do_open_round(
        definition,
        units=units,
        actor=actor,
        title=fields.pop("title", "Kỳ thử nghiệm 6 tháng đầu năm 2024"),
        period_kind=PeriodKind.FIRST_HALF,
        year=2024,
        data_from=dt.date(2023, 12, 15),
        data_to=dt.date(2024, 6, 14),
        deadline=deadline or timezone.now() + dt.timedelta(days=7),
        dispatch_number="4709/CV-TCTTKĐA",
        **fields,
    )


def build_world(cls) -> None:
    """Units, catalogues, the 4709 definition, personas and one open round, set on `cls`."""
    load_units()
    load_catalogues()
    cls.definition, _ = store_definition(DEFINITION_4709.read_text(encoding="utf-8"))
    cls.ministry = Unit.objects.get(key="BTP")
    cls.province = Unit.objects.get(key="P01")
    cls.other_province = Unit.objects.get(key="P79")
    cls.secretariat = make_user("thuky", global_role=GlobalRole.SECRETARIAT)
    cls.viewer = make_user("lanhdao", global_role=GlobalRole.VIEWER)
    cls.reporter = make_user("btp.cv", unit=cls.ministry, role=UnitRole.REPORTER)
    cls.approver = make_user("btp.ld", unit=cls.ministry, role=UnitRole.APPROVER)
    cls.province_reporter = make_user("hn.cv", unit=cls.province, role=UnitRole.REPORTER)
    cls.province_approver = make_user("hn.ld", unit=cls.province, role=UnitRole.APPROVER)
    cls.outsider = make_user("hcm.cv", unit=cls.other_province, role=UnitRole.REPORTER)
    cls.round = open_test_round(cls.definition, [cls.ministry, cls.province, cls.other_province], actor=cls.secretariat)
    cls.report = Report.objects.get(round=cls.round, unit=cls.ministry)
    cls.province_report = Report.objects.get(round=cls.round, unit=cls.province)
    cls.other_report = Report.objects.get(round=cls.round, unit=cls.other_province)


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_world(cls)

    # --- helpers ----------------------------------------------------------------------------

    def login(self, user: User) -> None:
        login_client(self.client, user)

    def save_url(self, report: Report, key: str) -> str:
        return reverse("reports:save_part", args=[report.pk, key])

    def autosave(self, report: Report, key: str, data: dict, base_revision: int = 0):
        return self.client.post(
            self.save_url(report, key),
            data=json.dumps({"base_revision": base_revision, "data": data}),
            content_type="application/json",
        )

    @staticmethod
    def fill_completely(report: Report, actor: User, seed: int = 1, skip=()) -> dict:
        return fill_completely(report, actor, seed, skip)


def submit_filled(case) -> list[int]:
    """The ministry's, the province's and the other province's reports of `build_world`, filled
    completely (seeds 3, 4 and 5) and submitted: their versions' ids, in that order."""
    from baocao06.reports.actions import do_submit_report

    ids = []
    pairs = (
        (case.report, case.approver, 3),
        (case.province_report, case.province_approver, 4),
        (case.other_report, case.secretariat, 5),
    )
    for report, person, seed in pairs:
        fill_completely(report, person, seed=seed)
        ids.append(do_submit_report(report, actor=person).pk)
    return ids


def fill_completely(report: Report, actor: User, seed: int = 1, skip=()) -> dict:
    """Save a complete, valid report through the actions (as a unit would have), except `skip` parts."""
    from baocao06.demo.generator import Filler

    parts = {k: v for k, v in Filler(view_for(report), seed, report.unit.name).report().items() if k not in skip}
    for key, data in parts.items():
        current = report.parts.filter(key=key).values_list("revision", flat=True).first() or 0
        do_save_part(report, key, data, base_revision=current, actor=actor)
    return parts


class BrowserTestCase(StaticLiveServerTestCase):
    """Drives Debian's Chromium through Playwright against a live server with the same world."""

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop in this thread; Django's ORM is used from it.
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe

    def setUp(self):
        build_world(self)
        self.context = self.browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        # Confirmations (window.confirm) are answered yes unless a test says otherwise; their texts are kept.
        self.dialogs: list[str] = []
        self.answer_dialogs = True
        self.context.on("dialog", self._answer_dialog)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def _answer_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        if self.answer_dialogs:
            dialog.accept()
        else:
            dialog.dismiss()

    def page_at(self, width: int, height: int = 800):
        """A page in this context with a viewport `width` px wide (1366, 1093 and 390 in layout tests)."""
        self.page.set_viewport_size({"width": width, "height": height})
        return self.page

    @staticmethod
    def document_width(page) -> int:
        """How wide the page is laid out: more than the viewport means the whole page scrolls sideways."""
        return page.evaluate("() => document.documentElement.scrollWidth")

    def tearDown(self):
        self.context.close()

    def login(self, user: User, page=None) -> None:
        page = page or self.page
        page.goto(self.live_server_url + reverse("accounts:login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "dang-nhap" not in url)
        if "xac-thuc" in page.url:
            # Each code is accepted once; a test may sign the same person in twice within 30 s.
            TotpDevice.objects.filter(user=user).update(last_used_step=0)
            page.fill("#id_code", mfa.totp(TOTP_SECRET))
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "xac-thuc" not in url)


def site_paths(exclude: tuple[str, ...] = ("/api/", "/static/")) -> list[str]:
    """One example path for every route of the site (parameters filled with 1), for tests that must
    cover every page, including pages added later."""
    import re

    from django.urls import URLPattern, URLResolver, get_resolver

    def text(pattern) -> str:
        route = str(pattern.pattern)
        route = re.sub(r"<[^>]+>", "1", route)  # path converters
        route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)  # regex groups (the admin's)
        return route.replace("^", "").replace("$", "").replace("\\", "")

    paths: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text(pattern))
            elif isinstance(pattern, URLPattern):
                paths.add("/" + prefix + text(pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(p for p in paths if not p.startswith(exclude) and "(" not in p and "?" not in p)
