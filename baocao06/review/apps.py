from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "baocao06.review"
    label = "review"
    verbose_name = "Thẩm định báo cáo"
