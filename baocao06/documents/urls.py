from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:report_id>/lan-gui/<int:number>/van-ban/", views.version_documents, name="version_documents"),
    path("<int:report_id>/lan-gui/<int:number>/van-ban.docx", views.version_docx, name="version_docx"),
    path("<int:report_id>/lan-gui/<int:number>/van-ban.pdf", views.version_pdf, name="version_pdf"),
    path("<int:report_id>/lan-gui/<int:number>/tao-pdf/", views.request_pdf, name="request_pdf"),
    path("<int:report_id>/lan-gui/<int:number>/tai-ban-ky/", views.upload_signed, name="upload_signed"),
    path("<int:report_id>/lan-gui/<int:number>/ky-tren-may-chu/", views.sign_on_server, name="sign_on_server"),
    path("ban-da-ky/<int:document_id>/", views.signed_download, name="signed_download"),
    path("tong-hop/tep/<int:file_id>/ky/", views.sign_national, name="sign_national"),
    path("tong-hop/tep/<int:file_id>/tai-ban-ky/", views.upload_signed_national, name="upload_signed_national"),
]
