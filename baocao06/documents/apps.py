from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "baocao06.documents"
    label = "documents"
    verbose_name = "Văn bản, PDF và chữ ký số"
