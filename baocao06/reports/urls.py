from django.urls import path

from . import conflict_views, views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/phan/<str:key>/", views.save_part, name="save_part"),
    path("<int:report_id>/kiem-tra/", views.check_report, name="check"),
    path("<int:report_id>/gui/", views.submit_report, name="submit"),
    path("<int:report_id>/lan-gui/<int:number>/", views.version_detail, name="version"),
    path("<int:report_id>/chua-luu/<int:conflict_id>/", conflict_views.conflict_detail, name="conflict"),
    path("<int:report_id>/chua-luu/<int:conflict_id>/chon/", conflict_views.resolve_conflict, name="resolve_conflict"),
]
