from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "baocao06.jobs"
    label = "jobs"
    verbose_name = "Tác vụ nền"
