from django.urls import path

from . import consolidation_views, views

app_name = "compilation"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("ky/<int:round_id>/", views.national, name="national"),
    path("ky/<int:round_id>/tong-hop/", views.compile_now, name="compile"),
    path("tong-hop/<int:job_id>/", views.compile_status, name="compile_job"),
    path("ky/<int:round_id>/tien-do.svg", views.timeline_chart, name="timeline_chart"),
    path("ban/<int:snapshot_id>/bieu-do/<str:name>.svg", views.snapshot_chart, name="chart"),
    path("ban/<int:snapshot_id>/tao-tep/", views.request_outputs, name="request_outputs"),
    path("tao-tep/<int:generation_id>/", views.generation_status, name="generation"),
    path("tep/<int:file_id>/", views.download, name="download"),
    path("don-vi/<str:unit_key>/", views.unit_history, name="unit_history"),
    path("bao-cao/<int:report_id>/cap-duoi/", consolidation_views.consolidation, name="consolidation"),
    path("bao-cao/<int:report_id>/cap-duoi/lay-so-lieu/", consolidation_views.take, name="consolidation_take"),
    path("bao-cao/<int:report_id>/cap-duoi/dieu-chinh/", consolidation_views.adjust, name="consolidation_adjust"),
]
