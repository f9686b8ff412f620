from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from baocao06.definitions.loading import store_definition
from baocao06.definitions.spec import SpecError
from baocao06.rounds.actions import do_open_round
from baocao06.rounds.forms import OpenRoundForm


class Command(BaseCommand):
    help = (
        "Mở kỳ báo cáo từ một tệp định nghĩa (nạp định nghĩa nếu chưa có), với các tùy chọn như biểu mẫu "
        "“Mở kỳ báo cáo”. Ngày viết dd/mm/yyyy."
    )

    def add_arguments(self, parser):
        parser.add_argument("definition", help="tệp định nghĩa .yaml, ví dụ data/definitions/4709-2024-h1.yaml")
        parser.add_argument("--title", required=True, help="tên kỳ báo cáo")
        parser.add_argument("--period", required=True, choices=["h1", "h2", "year", "custom"], help="kỳ")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--deadline", required=True, help="hạn gửi (hết ngày), dd/mm/yyyy")
        parser.add_argument("--data-from", default="", help="mặc định theo Nghị định 09/2019/NĐ-CP")
        parser.add_argument("--data-to", default="", help="ngày chốt số liệu; mặc định theo Nghị định 09/2019")
        parser.add_argument("--dispatch-number", default="")
        parser.add_argument("--dispatch-date", default="")
        parser.add_argument("--contact-name", default="")
        parser.add_argument("--contact-phone", default="")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--kinds", default="", help="loại đơn vị, cách nhau bởi dấu phẩy: ministry,province,…")
        parser.add_argument("--units", default="", help="và các đơn vị theo mã, cách nhau bởi dấu phẩy: EVN,VNPOST")
        parser.add_argument("--previous", default="", help="số (id) của kỳ trước: chuyển tiếp nhiệm vụ chưa xong")
        parser.add_argument("--user", help="tên đăng nhập của Thư ký ghi vào nhật ký (mặc định: hệ thống)")

    def handle(self, *args, **o):
        path = Path(o["definition"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        actor = None
        if o["user"]:
            actor = get_user_model().objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"Không có người dùng {o['user']}.")
        try:
            definition, created = store_definition(path.read_text(encoding="utf-8"), actor)
        except SpecError as exc:
            raise CommandError("Định nghĩa bị từ chối:\n" + "\n".join(f"{p}: {m}" for p, m in exc.problems)) from exc
        data = {
            "definition": definition.pk,
            "title": o["title"],
            "period_kind": o["period"],
            "year": o["year"],
            "data_from": o["data_from"],
            "data_to": o["data_to"],
            "deadline": o["deadline"],
            "dispatch_number": o["dispatch_number"],
            "dispatch_date": o["dispatch_date"],
            "contact_name": o["contact_name"],
            "contact_phone": o["contact_phone"],
            "contact_email": o["contact_email"],
            "kinds": [k.strip() for k in o["kinds"].split(",") if k.strip()],
            "unit_keys": o["units"],
            "previous": o["previous"],
        }
        with translation.override("vi"):
            form = OpenRoundForm(data)
            units = form.units() if form.is_valid() else None
        if units is None:
            errors = [f"{field}: {' '.join(messages)}" for field, messages in form.errors.items()]
            raise CommandError("Không mở được kỳ báo cáo:\n" + "\n".join(errors))
        round_ = do_open_round(definition, units=units, actor=actor, **form.round_fields())
        loaded = "đã nạp định nghĩa mới; " if created else ""
        self.stdout.write(
            f"Đã mở kỳ {round_.pk} “{round_.title}” ({loaded}{definition.key} {definition.version}), "
            f"giao cho {round_.reports.count()} đơn vị, hạn {form.cleaned_data['deadline']:%d/%m/%Y}."
        )
        mapping = round_.unit_mapping or {}
        for remap in mapping.get("remaps") or []:
            places = remap["places"]
            where = "; ".join(places[:3]) + (f" và {len(places) - 3} chỗ khác" if len(places) > 3 else "")
            self.stdout.write(
                f"Chuyển đơn vị: {remap['from_name']} ({remap['from']}) → {remap['to_name']} ({remap['to']}): {where}"
            )
        for move in mapping.get("tasks") or []:
            if move["to"]:
                self.stdout.write(
                    f"Chuyển nhiệm vụ: {move['open_tasks']} nhiệm vụ chưa hoàn thành của {move['from_name']} "
                    f"({move['from']}) → {move['to_name']} ({move['to']})"
                )
        for warning in mapping.get("warnings") or []:
            self.stderr.write(f"Cảnh báo: {warning}")
