from django.urls import path

from . import mfa_views, views

app_name = "accounts"
urlpatterns = [
    path("", mfa_views.security, name="security"),
    path("xac-thuc/", mfa_views.verify, name="mfa_verify"),
    path("xac-thuc/thiet-lap/", mfa_views.setup, name="mfa_setup"),
    path("xac-thuc/tat/", mfa_views.disable, name="mfa_disable"),
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", views.SignOutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
