from django.core.management.base import BaseCommand, CommandError

from baocao06.catalogues.loading import load_catalogues


class Command(BaseCommand):
    help = "Nạp các danh mục (dịch vụ công, nhiệm vụ Nghị quyết 175) từ data/catalogues/ vào cơ sở dữ liệu."

    def handle(self, *args, **options):
        try:
            counts = load_catalogues()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} mục")
