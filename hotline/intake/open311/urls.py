"""Open311 GeoReport v2 under ``/open311/v2/``, discovery also under ``/open311/``."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[^/]*)$"  # any suffix: an unknown one gets the error list

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery_root"),
    path("v2/", views.api_root, name="root"),
    path("v2/openapi.json", views.openapi, name="openapi"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="services"),
    # ``service/`` is the alias an old client (python-open311) calls.
    re_path(r"^v2/services?/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    re_path(r"^v2/servicerequestupdates" + FMT, views.request_updates, name="updates"),
    path("v2/media/<int:attachment_id>", views.media_file, name="media"),
    re_path(r"^", views.not_found),
]
