from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "baocao06.notifications"
    label = "notifications"
    verbose_name = "Thông báo và nhắc hạn"
