from django.urls import path

from . import views

app_name = "workbooks"
urlpatterns = [
    path("<int:report_id>/excel/", views.download, name="download"),
    path("<int:report_id>/excel/tai-len/", views.upload, name="upload"),
]
