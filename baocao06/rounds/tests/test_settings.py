"""A round's compile settings and 12/2023 baseline: defaults, checks, the Secretariat's page, and the
CP27 compliance costs computed with them in the browser, beside the savings units type."""

from decimal import Decimal

import pytest
from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.rounds.actions import do_set_round_settings
from baocao06.rounds.models import Round
from baocao06.rounds.settings import (
    DEFAULTS,
    InvalidSettings,
    baseline_figures,
    clean_settings,
    engine_context,
    income_per_hour,
    round_settings,
)
from baocao06.test import BaseTestCase

# Hà Nội costs "DA06-07": 12 h before (8 + 2 + 2), 1.5 h after, 1 time a year, 1,000 people.
CP27_ROW = {
    "key": "DA06-07",
    "values": {
        "hours_prepare_before": "8",
        "hours_submit_before": "2",
        "hours_receive_before": "2",
        "other_before": "150.000",
        "fees_before": "50.000",
        "hours_prepare_after": "1",
        "hours_submit_after": "0,5",
        "fees_after": "25.000",
        "times_per_year": "1",
        "subjects_per_year": "1.000",
    },
}


def test_defaults_are_the_circulars_figures():
    assert DEFAULTS == {"income_per_month": 4_960_000, "working_days": 22, "working_hours": 8, "savings_rule": "typed"}
    # 4,960,000 ÷ 22 ÷ 8 = 28,181.8181…
    assert round(income_per_hour(DEFAULTS), 2) == Decimal("28181.82")


def test_settings_must_be_positive_and_the_rule_known():
    with pytest.raises(InvalidSettings) as info:
        clean_settings({"income_per_month": 0, "working_days": -1, "working_hours": "x", "savings_rule": "average"})
    assert set(info.value.problems) == {"income_per_month", "working_days", "working_hours", "savings_rule"}
    with pytest.raises(InvalidSettings) as info:
        clean_settings({"bonus": 1})
    assert info.value.problems == {"bonus": "thiết lập không tồn tại"}
    assert clean_settings({"working_hours": Decimal("7.5"), "savings_rule": "computed"}) == {
        "income_per_month": 4_960_000,
        "working_days": 22,
        "working_hours": 7.5,
        "savings_rule": "computed",
    }


class RoundSettingsTests(BaseTestCase):
    def url(self):
        return reverse("rounds:settings", args=[self.round.pk])

    def test_a_new_round_has_the_defaults_and_no_baseline(self):
        round_ = Round.objects.get(pk=self.round.pk)
        assert round_.compile_settings == DEFAULTS
        assert round_settings(round_) == DEFAULTS
        assert baseline_figures(round_) == {}

    def test_stored_settings_are_merged_with_the_defaults(self):
        Round.objects.filter(pk=self.round.pk).update(compile_settings={"income_per_month": 6_000_000})
        merged = round_settings(Round.objects.get(pk=self.round.pk))
        assert merged == {**DEFAULTS, "income_per_month": 6_000_000}

    def test_only_the_secretariat_opens_the_settings_page(self):
        for user in (self.reporter, self.approver, self.viewer):
            self.login(user)
            assert self.client.get(self.url()).status_code == 403, user
            assert self.client.post(self.url(), {"income_per_month": "1"}).status_code == 403, user
        assert Round.objects.get(pk=self.round.pk).compile_settings == DEFAULTS

    def test_the_page_lists_settings_and_the_service_rows_of_pl03_and_pl04(self):
        self.login(self.secretariat)
        body = self.client.get(self.url()).content.decode()
        assert "Thu nhập bình quân một tháng (đồng)" in body and 'value="4960000"' in body
        assert 'name="b:PL03:DA06-07:total"' in body and 'name="b:PL03:DA06-07:online"' in body
        assert 'name="b:PL04:QD422-01:total"' in body
        assert "b:PL05:" not in body and "b:CP27:" not in body
        assert "các lần gửi sau" in body

    def test_saving_settings_and_baseline_is_audited(self):
        self.login(self.secretariat)
        response = self.client.post(
            self.url(),
            {
                "income_per_month": "5280000",
                "working_days": "22",
                "working_hours": "8",
                "savings_rule": "typed_else_computed",
                "b:PL03:DA06-07:total": "1000",
                "b:PL03:DA06-07:online": "600",
            },
        )
        assert response.status_code == 302
        round_ = Round.objects.get(pk=self.round.pk)
        assert round_settings(round_)["income_per_month"] == 5_280_000
        assert round_settings(round_)["savings_rule"] == "typed_else_computed"
        assert baseline_figures(round_) == {"PL03": {"DA06-07": {"total": 1000, "online": 600}}}
        event = AuditEvent.objects.get(action="round.settings_set", object_id=str(round_.pk))
        assert event.actor == self.secretariat
        places = {c["place"]: (c["old"], c["new"]) for c in event.changes}
        assert places["compile_settings.income_per_month"] == (4_960_000, 5_280_000)
        assert places["baseline.PL03.DA06-07.online"] == (None, 600)

    def test_document_settings_default_to_the_working_group_and_save_audited(self):
        from baocao06.rounds.document import document_settings

        round_ = Round.objects.get(pk=self.round.pk)
        defaults = document_settings(round_)
        assert defaults["issuer"] == "TỔ CÔNG TÁC TRIỂN KHAI ĐỀ ÁN 06" and defaults["issuer_parent"] == "BỘ CÔNG AN"
        assert not any("Ban Chỉ đạo" in str(v) for v in defaults.values())
        self.login(self.secretariat)
        body = self.client.get(self.url()).content.decode()
        assert "Thể thức báo cáo tổng hợp" in body and "TỔ CÔNG TÁC TRIỂN KHAI ĐỀ ÁN 06" in body
        posted = {f"doc-{k}": ("\n".join(v) if isinstance(v, list) else v) for k, v in defaults.items()}
        posted |= {"form": "document", "doc-number": "45", "doc-signer": "Nguyễn Văn B",
                   "doc-addressees": "Thủ tướng Chính phủ\nPhó Thủ tướng Chính phủ"}  # fmt: skip
        response = self.client.post(self.url(), posted)
        assert response.status_code == 302
        saved = document_settings(Round.objects.get(pk=self.round.pk))
        assert saved["number"] == "45" and saved["signer"] == "Nguyễn Văn B"
        assert saved["addressees"] == ["Thủ tướng Chính phủ", "Phó Thủ tướng Chính phủ"]
        assert Round.objects.get(pk=self.round.pk).compile_settings == DEFAULTS  # the other form untouched
        event = AuditEvent.objects.get(action="round.document_settings_set", object_id=str(self.round.pk))
        places = {c["place"]: (c["old"], c["new"]) for c in event.changes}
        assert places["document_settings.number"] == (None, "45")
        # A bad date and an empty issuer are refused in Vietnamese, nothing stored.
        response = self.client.post(self.url(), posted | {"doc-issuer": " ", "doc-issued_on": "2024-13-45"})
        assert response.status_code == 200
        assert "không được để trống" in response.content.decode()
        assert AuditEvent.objects.filter(action="round.document_settings_set").count() == 1

    def test_a_baseline_breaking_the_tables_rule_is_refused(self):
        self.login(self.secretariat)
        data = {"income_per_month": "4960000", "working_days": "22", "working_hours": "8", "savings_rule": "typed"}
        response = self.client.post(self.url(), {**data, "b:PL03:DA06-07:total": "10", "b:PL03:DA06-07:online": "20"})
        assert response.status_code == 200
        assert "Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ." in response.content.decode()
        assert not AuditEvent.objects.filter(action="round.settings_set").exists()

    def test_the_baseline_makes_change_vs_12_2023_computed(self):
        do_set_round_settings(
            self.round, DEFAULTS, {"PL03": {"DA06-07": {"total": 1000, "online": 500}}}, actor=self.secretariat
        )
        report = self.province_report
        report.round.refresh_from_db()
        typed = {"rows": [{"key": "DA06-07", "values": {"total": "1.000", "online": "700", "change": "99"}}]}
        result = do_save_part(report, "PL03", typed, base_revision=0, actor=self.province_reporter)
        row = result.clean.row("DA06-07")
        assert row.values["rate"] == Decimal("70.00")
        assert row.values["change"] == Decimal("20.00")  # 70 % − 50 % (the baseline's rate), typed 99 ignored


class ComplianceCostTests(BaseTestCase):
    def save_cp27(self):
        self.login(self.province_reporter)
        return self.autosave(self.province_report, "CP27", {"rows": [CP27_ROW]})

    def test_cp27_addresses_ministries_and_provinces_only(self):
        layout = self.round.get_layout()
        assert "CP27" in layout.view_for(self.province).table_index
        assert "CP27" in layout.view_for(self.ministry).table_index
        from types import SimpleNamespace

        assert "CP27" not in layout.view_for(SimpleNamespace(key="VNPT", kind="corporation")).table_index

    def test_costs_are_computed_with_the_rounds_settings_in_the_browser(self):
        response = self.save_cp27()
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["problems"] == []
        computed = body["computed"]["DA06-07"]["values"]
        # (12 h × 28,181.8181… + 150,000 + 50,000) × 1 × 1,000 = 538,181,818
        # (1.5 h × 28,181.8181… + 25,000) × 1 × 1,000 = 67,272,727
        assert computed["cost_before"] == "538.181.818"
        assert computed["cost_after"] == "67.272.727"
        assert computed["saving"] == "470.909.091"
        assert computed["cut_rate"] == "87,5"

    def test_a_settings_change_affects_later_computations_not_submitted_versions(self):
        self.fill_completely(self.province_report, self.province_reporter, skip=("CP27",))
        self.save_cp27()
        version = do_submit_report(self.province_report, actor=self.province_approver)
        row = next(r for r in version.content["tables"]["CP27"]["rows"] if r["key"] == "DA06-07")
        assert row["values"]["cost_before"] == 538_181_818
        do_set_round_settings(self.round, {**DEFAULTS, "income_per_month": 5_280_000}, {}, actor=self.secretariat)
        version.refresh_from_db()
        row = next(r for r in version.content["tables"]["CP27"]["rows"] if r["key"] == "DA06-07")
        assert row["values"]["cost_before"] == 538_181_818
        round_ = Round.objects.get(pk=self.round.pk)
        # 5,280,000 ÷ 22 ÷ 8 = 30,000 per hour: (12 × 30,000 + 200,000) × 1,000 = 560,000,000
        from baocao06.definitions.validation import clean_table

        view = round_.get_layout().view_for(self.province).table_index["CP27"]
        result = clean_table(view, {"rows": [CP27_ROW]}, **engine_context(round_))
        assert result.row("DA06-07").values["cost_before"] == 560_000_000

    def test_the_report_page_shows_computed_savings_beside_typed_savings(self):
        self.save_cp27()
        self.autosave(
            self.province_report,
            "PL03",
            {"rows": [{"key": "DA06-07", "values": {"total": "10", "online": "5", "savings_total": "400.000.000"}}]},
        )
        body = self.client.get(reverse("reports:detail", args=[self.province_report.pk])).content.decode()
        assert "Biểu CP27 tính: 470.909.091" in body
        assert body.count("Biểu CP27 tính:") == 1  # only the row CP27 costs

    def test_times_and_subjects_are_required_once_a_cost_is_typed(self):
        self.login(self.province_reporter)
        row = {"key": "DA06-01", "values": {"hours_prepare_before": "8", "subjects_per_year": "-5"}}
        body = self.autosave(self.province_report, "CP27", {"rows": [row]}).json()
        columns = sorted(p["column"] for p in body["problems"])
        assert columns == ["subjects_per_year", "times_per_year"]
