"""Sign-in, sign-out and password change: Django's views, with each event written by an action."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from . import actions
from .forms import ThrottledAuthenticationForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        actions.do_sign_in(self.request, form.get_user())
        return HttpResponseRedirect(self.get_success_url())


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        actions.do_sign_out(request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        actions.do_change_password(form.user, form.cleaned_data["new_password1"], actor=self.request.user)
        update_session_auth_hash(self.request, form.user)  # this session stays signed in, others end
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
