from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    name = "baocao06.catalogues"
    label = "catalogues"
    verbose_name = "Danh mục"
