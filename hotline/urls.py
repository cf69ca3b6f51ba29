"""URL map: the console under /console/, the citizen's pages under /citizen/, the JSON API
under /api/, Open311 under /open311/, Django admin under /admin/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from hotline.api import api
from hotline.console.views import access

admin.site.site_header = admin.site.site_title = _("12345 Government Service Hotline")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("accounts/login/", access.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("hotline.console.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/", include("hotline.intake.open311.urls")),
    path("citizen/", include("hotline.console.citizen_urls")),
]
