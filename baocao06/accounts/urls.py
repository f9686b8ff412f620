from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import mfa_views
from .forms import ThrottledAuthenticationForm

app_name = "accounts"
urlpatterns = [
    path("xac-thuc/", mfa_views.verify, name="mfa_verify"),
    path("xac-thuc/thiet-lap/", mfa_views.setup, name="mfa_setup"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=ThrottledAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
