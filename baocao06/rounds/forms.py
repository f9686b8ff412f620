"""The Secretariat's forms: opening a round, and a round's settings and baseline figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone

from baocao06.definitions.models import Definition
from baocao06.units.kinds import UnitKind

from .models import PeriodKind, Round, default_window
from .settings import DEFAULTS, LABELS, SAVINGS_RULES, baseline_figures, baseline_tables, round_settings

DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


def parse_offsets(text: str) -> list[int]:
    """Read reminder offsets such as "-3, -1, 1": whole days from the deadline, at most six, within 60."""
    offsets = []
    for item in text.replace(";", ",").split(","):
        item = item.strip().replace("−", "-")
        if not item:
            continue
        try:
            offsets.append(int(item))
        except ValueError:
            raise forms.ValidationError(f"“{item[:10]}” không phải số ngày.") from None
    if len(set(offsets)) > 6 or any(abs(o) > 60 for o in offsets):
        raise forms.ValidationError("Tối đa 6 lần nhắc, mỗi lần trong vòng 60 ngày trước hoặc sau hạn.")
    return sorted(set(offsets))


class OpenRoundForm(forms.Form):
    definition = forms.ModelChoiceField(Definition.objects.all(), label="Mẫu báo cáo (đề cương và phụ lục)")
    title = forms.CharField(label="Tên kỳ báo cáo", max_length=255)
    period_kind = forms.ChoiceField(label="Kỳ báo cáo", choices=PeriodKind.choices)
    year = forms.IntegerField(label="Năm", min_value=2020, max_value=2100)
    data_from = forms.DateField(
        label="Số liệu từ ngày",
        required=False,
        widget=DATE_INPUT,
        help_text="Để trống: theo Nghị định 09/2019/NĐ-CP (kỳ 6 tháng đầu năm: 15/12 năm trước)",
    )
    data_to = forms.DateField(
        label="Ngày chốt số liệu",
        required=False,
        widget=DATE_INPUT,
        help_text="Để trống: theo Nghị định 09/2019/NĐ-CP (kỳ 6 tháng đầu năm: 14/6)",
    )
    deadline = forms.DateField(label="Hạn gửi báo cáo (hết ngày)", widget=DATE_INPUT)
    previous = forms.ModelChoiceField(
        Round.objects.light(),
        label="Kỳ trước",
        required=False,
        help_text="Nhiệm vụ chưa hoàn thành của mỗi đơn vị ở kỳ trước được chuyển sang (giữ nguyên mã nhiệm vụ).",
    )
    dispatch_number = forms.CharField(label="Số văn bản yêu cầu", max_length=64, required=False)
    dispatch_date = forms.DateField(label="Ngày văn bản", required=False, widget=DATE_INPUT)
    contact_name = forms.CharField(label="Người liên hệ", max_length=150, required=False)
    contact_phone = forms.CharField(label="Điện thoại liên hệ", max_length=32, required=False)
    contact_email = forms.EmailField(label="Thư điện tử liên hệ", required=False)
    reminder_offsets = forms.CharField(
        label="Nhắc hạn (số ngày so với hạn gửi)",
        initial="-3, -1, 1",
        required=False,
        help_text="Âm: trước hạn, dương: sau hạn (nhắc cả lãnh đạo đơn vị). Để trống: không nhắc.",
    )
    kinds = forms.MultipleChoiceField(
        label="Giao cho các loại đơn vị",
        choices=[(k.value, k.label) for k in UnitKind if k != UnitKind.COMMUNE]
        + [(UnitKind.COMMUNE.value, UnitKind.COMMUNE.label)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unit_keys = forms.CharField(
        label="Và các đơn vị (mã, cách nhau bởi dấu phẩy)",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "VD: EVN, VNPOST"}),
    )

    cascade = forms.BooleanField(
        label="Mở kỳ báo cáo cấp tỉnh cho các tỉnh được giao",
        required=False,
        help_text="Mỗi tỉnh nhận báo cáo của các xã, sở, ngành trực thuộc theo phần đề cương dành cho họ.",
    )
    cascade_deadline = forms.DateField(label="Hạn gửi báo cáo lên tỉnh (hết ngày)", required=False, widget=DATE_INPUT)

    def clean_reminder_offsets(self):
        return parse_offsets(self.cleaned_data.get("reminder_offsets") or "")

    def cascade_deadline_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("cascade_deadline")
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59))) if day else None

    def clean(self):
        data = super().clean()
        kind, year = data.get("period_kind"), data.get("year")
        if kind and year:
            start, end = default_window(kind, year)
            data["data_from"] = data.get("data_from") or start
            data["data_to"] = data.get("data_to") or end
            if data["data_from"] > data["data_to"]:
                self.add_error("data_to", "Ngày chốt số liệu phải sau ngày bắt đầu.")
        keys = [k.strip() for k in (data.get("unit_keys") or "").split(",") if k.strip()]
        data["unit_key_list"] = keys
        if not data.get("kinds") and not keys:
            self.add_error("kinds", "Chọn ít nhất một loại đơn vị hoặc nhập mã đơn vị.")
        if data.get("cascade"):
            low, high = data.get("cascade_deadline"), data.get("deadline")
            if low is None:
                self.add_error("cascade_deadline", "Nhập hạn gửi báo cáo lên tỉnh.")
            elif high is not None and low >= high:
                self.add_error("cascade_deadline", "Hạn gửi lên tỉnh phải trước hạn gửi báo cáo lên Tổ công tác.")
        return data

    def deadline_at(self) -> dt.datetime:
        day = self.cleaned_data["deadline"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))

    def units(self):
        """The units to assign (valid on the data cut-off), or None with an error on unknown keys.
        Shared by the page and the `open_round` command."""
        from .actions import units_to_assign

        data = self.cleaned_data
        units = units_to_assign(data["data_to"], kinds=data["kinds"], keys=data["unit_key_list"])
        found = set(units.values_list("key", flat=True))
        missing = [k for k in data["unit_key_list"] if k not in found]
        if missing:
            self.add_error("unit_keys", f"Không có đơn vị còn hiệu lực với mã: {', '.join(missing)}")
            return None
        return units

    def round_fields(self) -> dict:
        """The fields of `do_open_round` from the cleaned form."""
        data = self.cleaned_data
        fields = ["title", "period_kind", "year", "data_from", "data_to", "dispatch_number", "dispatch_date"]
        fields += ["contact_name", "contact_phone", "contact_email", "reminder_offsets", "previous"]
        return {name: data[name] for name in fields} | {"deadline": self.deadline_at()}


class RoundSettingsForm(forms.Form):
    """A round's compile settings (Circular 02/2017/TT-VPCP art. 27) and its 12/2023 baseline figures:
    two whole numbers per catalogue row of each table whose formulas read `baseline(...)`."""

    income_per_month = forms.DecimalField(
        label=LABELS["income_per_month"], min_value=1, max_digits=14, decimal_places=0
    )
    working_days = forms.DecimalField(
        label=LABELS["working_days"], min_value=Decimal("0.5"), max_value=31, decimal_places=2
    )
    working_hours = forms.DecimalField(
        label=LABELS["working_hours"], min_value=Decimal("0.5"), max_value=24, decimal_places=2
    )
    savings_rule = forms.ChoiceField(label=LABELS["savings_rule"], choices=list(SAVINGS_RULES.items()))

    def __init__(self, round_, *args, **kwargs):
        settings = round_settings(round_)
        figures = baseline_figures(round_)
        kwargs.setdefault("initial", {name: settings[name] for name in DEFAULTS})
        super().__init__(*args, **kwargs)
        self.baseline_tables = []
        for table, columns, rows in baseline_tables(round_.get_layout()):
            lines = []
            for row in rows:
                names = []
                for column in columns:
                    name = f"b:{table.key}:{row.key}:{column}"
                    self.fields[name] = forms.IntegerField(
                        label=f"{row.key} — {table.column_index[column]['label']}",
                        required=False,
                        min_value=0,
                        max_value=10**15,
                        initial=figures.get(table.key, {}).get(row.key, {}).get(column),
                    )
                    names.append(name)
                lines.append({"row": row, "fields": [self[name] for name in names]})
            self.baseline_tables.append(
                {"table": table, "columns": [table.column_index[c] for c in columns], "lines": lines}
            )

    def clean(self):
        """The table's own rules hold for the baseline figures too (online ≤ total)."""
        cleaned = super().clean()
        for entry in self.baseline_tables:
            table = entry["table"]
            for line in entry["lines"]:
                values = {f.name.rsplit(":", 1)[1]: cleaned.get(f.name) for f in line["fields"]}
                for rule, when, check in table.compiled_rules:
                    if check is None or not set(check.names) <= set(values):
                        continue
                    if (when is None or when.evaluate(values)) and check.evaluate(values) is False:
                        self.add_error(line["fields"][-1].name, rule["message"])
        return cleaned

    def settings(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEFAULTS}

    def baseline(self) -> dict:
        figures: dict[str, dict[str, dict[str, int]]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("b:") and value is not None:
                _, table, row, column = name.split(":", 3)
                figures.setdefault(table, {}).setdefault(row, {})[column] = value
        return figures


class DocumentSettingsForm(forms.Form):
    """How the round's national report is issued (rounds/document.py): one field per setting, the
    lists as one line each in a text box."""

    def __init__(self, round_, *args, **kwargs):
        from .document import DOCUMENT_LABELS, LISTS, document_settings

        current = document_settings(round_)
        initial = {k: ("\n".join(v) if k in LISTS else v) for k, v in current.items()}
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("prefix", "doc")
        super().__init__(*args, **kwargs)
        for name, label in DOCUMENT_LABELS.items():
            if name in LISTS:
                field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
            elif name == "issued_on":
                field = forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
            else:
                field = forms.CharField(label=label, required=False, max_length=300)
            self.fields[name] = field

    def clean(self):
        from .document import InvalidDocumentSettings, clean_document_settings

        cleaned = super().clean()
        try:
            self.document = clean_document_settings({k: v for k, v in cleaned.items() if k in self.fields})
        except InvalidDocumentSettings as exc:
            for name, message in exc.problems.items():
                self.add_error(name if name in self.fields else None, message)
        return cleaned
