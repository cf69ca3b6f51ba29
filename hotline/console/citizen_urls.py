"""The citizen's pages under /citizen/: open to everyone, no log-in."""

from django.urls import path

from .views import citizen

app_name = "citizen"

urlpatterns = [
    path("", citizen.report, name="report"),
    path("done", citizen.done, name="done"),
    path("track/", citizen.track, name="track"),
    path("track/<str:number>/", citizen.order_page, name="order"),
]
