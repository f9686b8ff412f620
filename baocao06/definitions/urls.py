from django.urls import path

from . import preview_views, views

app_name = "definitions"
urlpatterns = [
    path("", views.definition_list, name="list"),
    path("phien-ban/<int:definition_id>/", views.definition_detail, name="definition"),
    path("phien-ban/<int:definition_id>/tao-ban-nhap/", views.create_draft, name="create_draft"),
    path("ban-nhap/<int:draft_id>/", views.draft_editor, name="draft"),
    path("ban-nhap/<int:draft_id>/sua/", views.draft_edit, name="edit"),
    path("ban-nhap/<int:draft_id>/cong-bo/", views.draft_publish, name="publish"),
    path("ban-nhap/<int:draft_id>/huy/", views.draft_discard, name="discard"),
    path("ban-nhap/<int:draft_id>/so-sanh/", views.draft_compare, name="compare"),
    path("<str:source>/<int:pk>/yaml/", preview_views.yaml_view, name="yaml"),
    path("<str:source>/<int:pk>/xem-truoc/", preview_views.preview_page, name="preview"),
    path("<str:source>/<int:pk>/xem-truoc/<str:unit_key>/kiem-tra/", preview_views.preview_check, name="preview_check"),
    path(
        "<str:source>/<int:pk>/xem-truoc/<str:unit_key>/excel/", preview_views.preview_workbook, name="preview_workbook"
    ),
]
