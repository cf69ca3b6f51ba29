"""Three real Open311 clients from PyPI against a live server: ``georeport`` 0.3.1 (JSON and
XML), ``three`` 0.8.0 (JSON) and ``open311`` 1.1 (XML). Every call each client offers is
made, a photo is posted, and the request is read back with its deadline and responsible
unit. The two Python-2-era clients run through the labelled shims of ``open311_shims``.

``georeport``'s ``from_city`` and ``three.city`` only pick a US city's public endpoint from
a built-in list; the endpoint given here stands in for it (``GeoReport(root)``,
``three.dev(root)``)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from georeport import GeoReport

from hotline.intake import clients
from hotline.intake.models import OnlineService, ServiceAttribute
from hotline.orders.models import Attachment, WorkOrder
from tests.factories import make_city
from tests.intake import open311_schemas as schemas
from tests.intake.open311_shims import import_open311, import_three
from tests.intake.test_open311 import PNG, valid

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(live_server, settings):
    settings.HOTLINE_OPEN311_RATE_PER_ADDRESS = 0
    city = make_city()
    water = OnlineService.objects.create(
        category=city.water, type=OnlineService.Type.BATCH, keywords="停水, 水压"
    )
    ServiceAttribute.objects.create(
        service=water,
        code="since",
        datatype="singlevaluelist",
        description="停水多久了？",
        values=[{"key": "today", "name": "今天"}, {"key": "days", "name": "好几天"}],
    )
    _client, key = clients.issue("test client")
    return live_server.url + "/open311/v2", key, city


def test_georeport_lists_defines_and_reads_in_json_and_xml(server):
    root, key, city = server
    for output_format in ("json", "xml"):
        client = GeoReport(root, jurisdiction="", api_key=key, output_format=output_format)
        services = client.get_service_list()
        codes = [service["service_code"] for service in services]
        assert codes == ["0101", "0201"]
        definition = client.get_service_definition("0201")
        assert definition["service_code"] == "0201"
    json_client = GeoReport(root)
    valid(schemas.SERVICES, json_client.get_service_list())
    valid(schemas.SERVICE_DEFINITION, json_client.get_service_definition("0201"))

    # georeport has no POST: a request posted by another client is read back with it.
    three = import_three().Three(root, api_key=key)
    number = three.post("0101", address="中原路与京开道交叉口", description="工地夜间施工")[0][
        "service_request_id"
    ]
    for output_format in ("json", "xml"):
        client = GeoReport(root, output_format=output_format)
        found = client.get_service_request(number)
        assert found["service_request_id"] == number
        assert found["agency_responsible"] == "濮阳市城市管理局"
        assert found["expected_datetime"]
        listed = client.get_service_requests(
            service_request_id=number,
            service_code="0101",
            start_date=(timezone.now() - timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_date=(timezone.now() + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            status="open",
        )
        rows = listed if isinstance(listed, list) else [listed]  # xmltodict: one is a dict
        assert [row["service_request_id"] for row in rows] == [number]
    valid(schemas.REQUESTS, GeoReport(root).get_service_requests(status="open,closed"))


def test_three_in_json_mode_makes_every_call_and_posts_a_photo(server, tmp_path):
    root, key, city = server
    three = import_three()
    client = three.Three(root, api_key=key, jurisdiction="")
    discovery = client.discovery()
    valid(schemas.DISCOVERY, discovery)
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    services = client.services()
    valid(schemas.SERVICES, services)
    definition = client.services("0201")
    assert [a["code"] for a in definition["attributes"]] == ["request_type", "since"]

    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    with photo.open("rb") as media:
        posted = client.post(
            "0101",
            address="华龙区中原路 12 号",
            name="三 张",
            phone="13800138000",
            email="zhang@example.cn",
            description="工地每晚施工到凌晨，严重扰民",
            media=media,
            **{"attribute[request_type]": "complaint"},
        )
    valid(schemas.POSTED, posted)
    number = posted[0]["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.request_type == "complaint"
    assert Attachment.objects.filter(order=order, uploaded_by__isnull=True).count() == 1

    request = client.request(number)
    valid(schemas.REQUESTS, request)
    assert request[0]["agency_responsible"] == "濮阳市城市管理局"
    assert request[0]["expected_datetime"]
    assert request[0]["media_url"].startswith(live_url(root) + "/open311/v2/media/")
    assert client.session.get(request[0]["media_url"]).content == PNG

    batch = client.post(
        "0201", address="清丰县", description="停水两天", **{"attribute[since]": "days"}
    )
    token = batch[0]["token"]
    found = client.token(token)
    valid(schemas.TOKENS, found)
    assert WorkOrder.objects.filter(number=found[0]["service_request_id"]).exists()

    listed = client.requests("0101", count=10, start="01-01-2026", end="03-01-2026")
    assert listed == []  # January to March 2026: nothing posted then
    assert [r["service_request_id"] for r in client.requests("0101")] == [number]
    assert (
        len(
            client.requests(
                between=[
                    timezone.localdate().strftime("%m-%d-%Y"),
                    timezone.localdate().strftime("%m-%d-%Y"),
                ]
            )
        )
        == 0
    )
    module_level = three.dev(root, api_key=key)
    assert module_level.services()[0]["service_code"] == "0101"
    assert three.services()[0]["service_code"] == "0101"
    assert three.request(number)[0]["service_request_id"] == number
    assert three.requests()[0]["service_request_id"] in {number, found[0]["service_request_id"]}
    assert three.token(token)[0]["token"] == token
    assert three.discovery()["contact"]
    three.key(key)
    posted_again = three.post("0101", address="中原路", description="又在施工")
    assert posted_again[0]["service_request_id"] != number


def live_url(root: str) -> str:
    return root.removesuffix("/open311/v2")


def test_open311_in_xml_mode_makes_every_call(server):
    root, key, city = server
    Open311 = import_open311()
    client = Open311(endpoint=root, api_key=key)
    services = client.service_list()
    assert [service["service_code"] for service in services] == ["0101", "0201"]
    definition = client.service_definition("0201")  # through the /service/ alias
    attributes = definition["service_definition"]["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["request_type", "since"]

    posted = client.post_service_request(
        service_code="0101",
        lat="35.7618",
        long="115.0297",
        description="夜间施工噪音",
        first_name="四",
        last_name="李",
        media_url="https://img.example.cn/noise.jpg",
    )
    number = posted["service_requests"]["request"]["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.caller_name == "李四"
    assert order.lat == pytest.approx(35.7618)

    read = client.get_service_request(number)["service_requests"]["request"]
    assert read["agency_responsible"] == "濮阳市城市管理局"
    assert read["expected_datetime"].endswith("+08:00")
    assert read["media_url"] == "https://img.example.cn/noise.jpg"
    listed = client.service_requests(service_code="0101", status="open")
    assert listed["service_request_id"] == number  # one request: a single element

    batch = client.post_service_request(
        service_code="0201", address_string="清丰县", description="停水"
    )
    token = batch["service_requests"]["request"]["token"]
    found = client.request_id_from_token(token)
    assert found["token"] == token
    assert WorkOrder.objects.filter(number=found["service_request_id"]).exists()
    client.configure(format="xml")
    client.reset()
    assert client.format == "xml"
