from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("<int:report_id>/tham-dinh/", views.review, name="review"),
    path("<int:report_id>/tham-dinh/nhan-xet/", views.add_comment, name="add_comment"),
    path("<int:report_id>/tham-dinh/nhan-xet/<int:comment_id>/rut/", views.withdraw_comment, name="withdraw_comment"),
    path("<int:report_id>/tham-dinh/tra-lai/", views.return_report, name="return"),
    path("<int:report_id>/tham-dinh/tiep-nhan/", views.accept_report, name="accept"),
    path("<int:report_id>/tham-dinh/mo-lai/", views.reopen_report, name="reopen"),
    path("<int:report_id>/nhan-xet/<int:comment_id>/tra-loi/", views.reply, name="reply"),
    path("<int:report_id>/giai-trinh/<int:request_id>/", views.answer_explanation, name="answer_explanation"),
    path("<int:report_id>/so-sanh/<int:old>/<int:new>/", views.compare, name="compare"),
]
