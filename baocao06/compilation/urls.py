from django.urls import path

from . import views

app_name = "compilation"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("ky/<int:round_id>/", views.national, name="national"),
    path("ky/<int:round_id>/tong-hop/", views.compile_now, name="compile"),
    path("ban/<int:snapshot_id>/tao-tep/", views.request_outputs, name="request_outputs"),
    path("tao-tep/<int:generation_id>/", views.generation_status, name="generation"),
    path("tep/<int:file_id>/", views.download, name="download"),
]
