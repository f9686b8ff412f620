from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from baocao06.accounts.views import SignOutView
from baocao06.api.api import api
from baocao06.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path("tai-khoan/", include("baocao06.accounts.urls")),
    path("ky-bao-cao/", include("baocao06.rounds.urls")),
    path("mau-bao-cao/", include("baocao06.definitions.urls")),
    path("bao-cao/", include("baocao06.reports.urls")),
    path("bao-cao/", include("baocao06.workbooks.urls")),
    path("bao-cao/", include("baocao06.review.urls")),
    path("bao-cao/", include("baocao06.documents.urls")),
    path("thong-bao/", include("baocao06.notifications.urls")),
    path("tong-hop/", include("baocao06.compilation.urls")),
    # The admin has no sign-in of its own: its page would bypass the throttle and the audit.
    path("quan-tri/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("quan-tri/logout/", SignOutView.as_view()),
    path("quan-tri/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler500 = "baocao06.core.views.server_error"
