from django.urls import path

from . import followup_views, views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("mo-ky/", views.open_round, name="open"),
    path("cap-tinh/mo/<int:report_id>/", views.open_level, name="open_level"),
    path("<int:round_id>/", followup_views.board, name="board"),
    path("<int:round_id>/xuat.<str:fmt>", followup_views.board_export, name="board_export"),
    path("<int:round_id>/khoa/", followup_views.close_round, name="close"),
    path("<int:round_id>/nhiem-vu-qua-han/", followup_views.overdue_tasks, name="overdue_tasks"),
    path("<int:round_id>/nhac-han/", followup_views.set_reminders, name="set_reminders"),
    path("<int:round_id>/thiet-lap/", views.round_settings, name="settings"),
    path("<int:round_id>/don-vi/<int:report_id>/", followup_views.followup, name="followup"),
    path("<int:round_id>/don-vi/<int:report_id>/gia-han/", followup_views.grant_extension, name="extension"),
    path(
        "<int:round_id>/don-vi/<int:report_id>/giai-trinh/",
        followup_views.request_explanation,
        name="request_explanation",
    ),
]
