from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao06.accounts"
    label = "accounts"
    verbose_name = "Người dùng và phân quyền"
