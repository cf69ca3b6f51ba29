"""Attachments: stored, listed and served only to those who may see the order."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.orders.models import Attachment
from tests.factories import order_in
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(api, number, name, content, content_type="application/octet-stream"):
    return api.client.post(
        f"/api/orders/{number}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_handler_attaches_a_photo_and_the_centre_downloads_it(city):
    order = order_in(city, "accepted")
    response = upload(Api(city.handler_cgj), order.number, "现场照片.png", PNG, "image/png")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == ("现场照片.png", "image/png", 72)
    listed = Api(city.dispatcher).get(f"/orders/{order.number}/attachments").json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = Api(city.dispatcher).client.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_other_units_cannot_download(city):
    order = order_in(city, "accepted")
    body = upload(Api(city.handler_cgj), order.number, "a.png", PNG).json()
    assert Api(city.handler_zjj).client.get(body["url"]).status_code == 404


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("virus.exe", b"MZ....", "attachment_type"),
        ("fake.png", b"<html>not a png</html>", "attachment_type"),
        ("noext", b"abc", "attachment_type"),
    ],
)
def test_wrong_types_are_refused_and_nothing_is_stored(city, name, content, code):
    order = order_in(city, "accepted")
    response = upload(Api(city.handler_cgj), order.number, name, content)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Attachment.objects.exists()


def test_oversized_files_are_refused(city, settings):
    settings.HOTLINE_ATTACHMENT_MAX_BYTES = 50
    order = order_in(city, "accepted")
    response = upload(Api(city.handler_cgj), order.number, "big.png", PNG)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "attachment_too_large"


def test_upload_without_a_file_is_a_clear_error(city):
    order = order_in(city, "accepted")
    response = Api(city.handler_cgj).client.post(f"/api/orders/{order.number}/attachments", {})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
