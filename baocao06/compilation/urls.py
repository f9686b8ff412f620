from django.urls import path

from . import consolidation_views, drafting_views, views

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
    path("ky/<int:round_id>/cap-duoi/", consolidation_views.level_figures, name="level_figures"),
    path("ky/<int:round_id>/soan-bao-cao/", drafting_views.drafting_page, name="drafting"),
    path("ky/<int:round_id>/soan-bao-cao/bat-dau/", drafting_views.start_draft, name="start_draft"),
    path("soan/<int:draft_id>/muc/<str:key>/", drafting_views.save_section, name="save_section"),
    path("soan/<int:draft_id>/muc/<str:key>/goi-y/", drafting_views.take_suggestion, name="take_suggestion"),
    path("soan/<int:draft_id>/muc/<str:key>/da-dung/", drafting_views.mark_used, name="mark_used"),
    path("soan/<int:draft_id>/<slug:what>/", drafting_views.draft_action, name="draft_action"),
]
