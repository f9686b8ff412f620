from django.core.management.base import BaseCommand, CommandError

from baocao06.benchmarks import available


class Command(BaseCommand):
    help = "Chạy các phép đo hiệu năng (make bench): in trung vị và tỉ lệ so sánh trong cùng một lần chạy."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="tên phép đo (mặc định: tất cả)")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--scale", default="national", help="national (QUALITY.md) hoặc small")
        parser.add_argument(
            "--pandas-files",
            type=int,
            default=None,
            help="compile: số tệp XLSX pandas đọc (mặc định: tất cả; ít hơn thì ngoại suy tuyến tính và ghi rõ)",
        )

        parser.add_argument(
            "--unprepared",
            action="store_true",
            help="outputs: trước tiên đo một lần khi chưa có trang đơn vị nào được chuẩn bị sẵn (lúc gửi báo cáo)",
        )

    def handle(self, *args, **options):
        benches = available()
        names = options["names"] or sorted(benches)
        unknown = [n for n in names if n not in benches]
        if unknown:
            raise CommandError(f"Không có phép đo: {', '.join(unknown)}. Có: {', '.join(sorted(benches))}")
        if not benches:
            self.stdout.write("Chưa có phép đo nào.")
        for name in names:
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {name}: {benches[name].DESCRIPTION}"))
            benches[name].run(self.stdout, options)
