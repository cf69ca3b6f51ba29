"""URL map: the JSON API under /api/, Django admin under /admin/."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from hotline.api import api

admin.site.site_header = admin.site.site_title = _("12345 Government Service Hotline")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
