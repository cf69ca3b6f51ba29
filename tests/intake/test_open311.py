"""The Open311 GeoReport v2 server: every route in both formats, the filters, the
extensions and the refusals, each JSON answer checked against the published schemas."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hotline.intake import clients
from hotline.intake.models import ChannelMessage, OnlineService, ServiceAttribute
from hotline.orders import service as orders
from hotline.orders.models import Attachment, OrderEvent, WorkOrder
from tests.factories import order_in
from tests.intake import open311_schemas as schemas

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def valid(schema: dict, data) -> None:
    jsonschema_rs.Draft7Validator(schema, validate_formats=True).validate(data)


@pytest.fixture
def key(city):
    _client, key = clients.issue("城市App", contact="app@example.cn")
    return key


@pytest.fixture
def web():
    return Client()


def post(web, key, fmt="json", **fields):
    data = {"api_key": key, "service_code": "0101", "lat": "35.76", "long": "115.03"}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return web.post(f"{V2}/requests.{fmt}", data)


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


# --- discovery and services -------------------------------------------------------------------


def test_discovery_is_served_under_the_root_and_under_v2(web, city):
    for url in ("/open311/discovery.json", f"{V2}/discovery.json", f"{V2}/"):
        response = web.get(url)
        assert response.status_code == 200, url
        valid(schemas.DISCOVERY, response.json())
        endpoint = response.json()["endpoints"][0]
        assert endpoint["url"].endswith("/open311/v2")
        assert "application/json" in endpoint["formats"]
    root = xml(web.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_services_are_the_leaf_categories_with_their_group(web, city):
    response = web.get(f"{V2}/services.json")
    assert response.status_code == 200
    services = response.json()
    valid(schemas.SERVICES, services)
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"0101", "0201"}  # the leaves; 01 and 02 are groups
    assert by_code["0101"]["group"] == "城乡建设"
    assert by_code["0101"]["service_name"] == "噪音扰民"
    assert by_code["0101"]["type"] == "realtime"
    root = xml(web.get(f"{V2}/services.xml"))
    assert [s.find("service_code").text for s in root.findall("service")] == ["0101", "0201"]
    assert root.find("service/metadata").text == "true"


def test_unpublished_service_is_neither_listed_nor_accepted(web, city, key):
    OnlineService.objects.create(category=city.water, is_published=False)
    codes = [s["service_code"] for s in web.get(f"{V2}/services.json").json()]
    assert codes == ["0101"]
    assert post(web, key, service_code="0201", description="停水").status_code == 404


def test_service_definition_lists_attributes_with_datatypes_and_values(web, city):
    service = OnlineService.objects.create(category=city.noise, keywords="噪音, 施工")
    ServiceAttribute.objects.create(
        service=service,
        code="when",
        datatype="singlevaluelist",
        description="什么时候吵？",
        is_required=True,
        values=[{"key": "night", "name": "夜间"}, {"key": "day", "name": "白天"}],
    )
    for url in (f"{V2}/services/0101.json", f"{V2}/service/0101.json"):  # the alias
        definition = web.get(url).json()
        valid(schemas.SERVICE_DEFINITION, definition)
        codes = [a["code"] for a in definition["attributes"]]
        assert codes == ["request_type", "when"]
        when = definition["attributes"][1]
        assert when["required"] is True
        assert when["values"] == [{"key": "night", "name": "夜间"}, {"key": "day", "name": "白天"}]
    root = xml(web.get(f"{V2}/services/0101.xml"))
    assert root.tag == "service_definition"
    assert [v.text for v in root.findall("attributes/attribute/values/value/key")][-2:] == [
        "night",
        "day",
    ]
    listed = web.get(f"{V2}/services.json").json()[0]
    assert listed["keywords"] == "噪音, 施工"


def test_unknown_service_definition_is_a_404_error_list(web, city):
    for fmt in ("json", "xml"):
        response = web.get(f"{V2}/services/9999.{fmt}")
        assert response.status_code == 404
    valid(schemas.ERRORS, web.get(f"{V2}/services/9999.json").json())
    root = xml(web.get(f"{V2}/services/9999.xml"))
    assert root.tag == "errors"
    assert root.find("error/code").text == "404"


# --- posting -----------------------------------------------------------------------------------


def test_post_registers_an_order_with_the_unit_and_deadline_expected(web, city, key):
    response = post(
        web,
        key,
        description="工地每晚施工到凌晨，吵得睡不着",
        first_name="三",
        last_name="张",
        phone="13800138000",
    )
    assert response.status_code == 200, response.content
    posted = response.json()
    valid(schemas.POSTED, posted)
    number = posted[0]["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.channel == "open311"
    assert order.category == city.noise
    assert order.caller_name == "张三"
    assert order.status == "registered"
    assert "濮阳市城市管理局" in posted[0]["service_notice"]
    message = ChannelMessage.objects.get(order=order)
    assert message.expected_unit == city.cgj
    assert message.expected_at > timezone.now()

    read = web.get(f"{V2}/requests/{number}.json").json()
    valid(schemas.REQUESTS, read)
    assert read[0]["service_request_id"] == number
    assert read[0]["agency_responsible"] == "濮阳市城市管理局"
    assert read[0]["expected_datetime"].endswith("+08:00")
    assert read[0]["status"] == "open"


def test_post_in_xml_answers_in_xml(web, city, key):
    root = xml(post(web, key, "xml", description="夜间施工噪音"))
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    assert WorkOrder.objects.filter(number=number).exists()


def test_api_key_is_read_from_the_query_string_too(web, city, key):
    response = web.post(
        f"{V2}/requests.json?api_key={key}&jurisdiction_id=",
        {"service_code": "0101", "address_string": "中原路", "description": "噪音"},
    )
    assert response.status_code == 200, response.content


def test_post_without_or_with_a_revoked_key_is_refused(web, city, key):
    assert post(web, "").status_code == 403
    assert post(web, "ck_wrong").status_code == 403
    client = clients.authenticate(key)
    clients.revoke(client)
    response = post(web, key, description="噪音")
    assert response.status_code == 403
    valid(schemas.ERRORS, response.json())
    assert WorkOrder.objects.count() == 0


def test_a_key_is_limited_per_minute(web, city):
    _client, key = clients.issue("慢客户端", rate_per_minute=2)
    assert post(web, key, description="一").status_code == 200
    assert post(web, key, description="二").status_code == 200
    response = post(web, key, description="三")
    assert response.status_code == 429
    assert WorkOrder.objects.count() == 2


def test_post_with_a_photo_serves_it_back_as_media_url(web, city, key):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = post(web, key, description="路灯坏了", media=photo)
    assert response.status_code == 200, response.content
    number = response.json()[0]["service_request_id"]
    attachment = Attachment.objects.get(order__number=number)
    assert attachment.uploaded_by is None
    assert attachment.name == "现场.png"  # the sender's name, not the stored one
    read = web.get(f"{V2}/requests/{number}.json").json()[0]
    assert read["media_url"].startswith("http://testserver/open311/v2/media/")
    photo_response = web.get(read["media_url"].removeprefix("http://testserver"))
    assert photo_response.status_code == 200
    assert b"".join(photo_response.streaming_content) == PNG


def test_media_url_given_by_the_client_is_returned(web, city, key):
    number = post(
        web, key, description="井盖缺失", media_url="https://img.example.cn/1.jpg"
    ).json()[0]["service_request_id"]
    read = web.get(f"{V2}/requests/{number}.json").json()[0]
    assert read["media_url"] == "https://img.example.cn/1.jpg"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "9999"}, 404),
        ({"service_code": None}, 400),
        ({"lat": "abc"}, 400),
        ({"lat": "95", "long": "10"}, 400),
        ({"lat": "nan", "long": "10"}, 400),
        ({"long": None}, 400),
        ({"lat": None, "long": None}, 400),  # no location at all
        ({"description": "很" * 5000}, 400),
        ({"attribute[nonsense]": "1"}, 400),
        ({"attribute[request_type]": "bribery"}, 400),
        ({"email": "not-an-address"}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"jurisdiction_id": "other.gov"}, 404),
    ],
)
def test_bad_posts_get_the_error_list_and_write_nothing(web, city, key, fields, status):
    response = post(web, key, description=fields.pop("description", "噪音"), **fields)
    assert response.status_code == status, response.content
    valid(schemas.ERRORS, response.json())
    assert response.json()[0]["code"] == status
    assert WorkOrder.objects.count() == 0
    assert ChannelMessage.objects.count() == 0


def test_wrong_content_type_and_broken_multipart_are_refused(web, city, key):
    as_json = web.post(
        f"{V2}/requests.json?api_key={key}",
        data='{"service_code": "0101"}',
        content_type="application/json",
    )
    assert as_json.status_code == 400
    valid(schemas.ERRORS, as_json.json())
    broken = web.post(
        f"{V2}/requests.json?api_key={key}",
        data=b'--xyz\r\nContent-Disposition: form-data; name="service_code"\r\n\r\n0101',
        content_type="multipart/form-data; boundary=",
    )
    assert broken.status_code == 400
    valid(schemas.ERRORS, broken.json())
    assert WorkOrder.objects.count() == 0


def test_a_photo_of_the_wrong_type_or_content_is_refused(web, city, key):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a png", content_type="image/png")
    assert post(web, key, description="噪音", media=fake).status_code == 400
    script = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    assert post(web, key, description="噪音", media=script).status_code == 400
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert post(web, key, description="噪音", media=pdf).status_code == 400  # photos only
    assert WorkOrder.objects.count() == 0


def test_a_photo_over_the_size_limit_is_a_413(web, city, key, settings):
    settings.HOTLINE_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    response = post(web, key, description="噪音", media=big)
    assert response.status_code == 413
    valid(schemas.ERRORS, response.json())
    assert WorkOrder.objects.count() == 0


def test_too_long_an_address_is_refused_not_cut(web, city, key):
    response = post(web, key, description="噪音", address_string="路" * 300)
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_attributes_are_checked_and_kept_in_the_content(web, city, key):
    service = OnlineService.objects.create(category=city.noise)
    ServiceAttribute.objects.create(
        service=service, code="floors", datatype="number", description="楼层", is_required=True
    )
    ServiceAttribute.objects.create(
        service=service,
        code="kinds",
        datatype="multivaluelist",
        description="噪音类型",
        values=[{"key": "a", "name": "机器"}, {"key": "b", "name": "人声"}],
    )
    assert post(web, key, description="噪音").status_code == 400  # floors is required
    assert post(web, key, description="噪音", **{"attribute[floors]": "三"}).status_code == 400
    response = post(
        web,
        key,
        description="噪音",
        **{
            "attribute[floors]": "3",
            "attribute[kinds][]": ["a", "b"],
            "attribute[request_type]": "complaint",
        },
    )
    assert response.status_code == 200, response.content
    order = WorkOrder.objects.get()
    assert order.request_type == "complaint"
    assert "楼层：3" in order.content
    assert "噪音类型：机器、人声" in order.content


def test_batch_service_returns_a_token_and_the_worker_registers_it(web, city, key):
    OnlineService.objects.create(category=city.water, type=OnlineService.Type.BATCH)
    with pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr("hotline.intake.channels.enqueue", queued.append)
        response = post(web, key, service_code="0201", description="小区停水一天了")
        posted = response.json()
        valid(schemas.POSTED, posted)
        token = posted[0]["token"]
        assert "service_request_id" not in posted[0]
        pending = web.get(f"{V2}/tokens/{token}.json").json()
        assert pending == [{"token": token}]
    from hotline.intake.tasks import register_message

    message = ChannelMessage.objects.get(token=token)
    number = register_message.call(message.pk)
    found = web.get(f"{V2}/tokens/{token}.json").json()
    valid(schemas.TOKENS, found)
    assert found == [{"token": token, "service_request_id": number}]
    assert register_message.call(message.pk) is None  # once only
    root = xml(web.get(f"{V2}/tokens/{token}.xml"))
    assert root.find("request/service_request_id").text == number
    assert web.get(f"{V2}/tokens/nothing.json").status_code == 404


def test_batch_token_with_the_immediate_queue_is_registered_at_once(
    web, city, key, django_capture_on_commit_callbacks
):
    OnlineService.objects.create(category=city.water, type=OnlineService.Type.BATCH)
    with django_capture_on_commit_callbacks(execute=True):
        token = post(web, key, service_code="0201", description="停水").json()[0]["token"]
    found = web.get(f"{V2}/tokens/{token}.json").json()[0]
    assert WorkOrder.objects.filter(number=found["service_request_id"]).exists()


# --- reading -----------------------------------------------------------------------------------


def posted_number(web, key, **fields) -> str:
    response = post(web, key, **{"description": "夜间施工噪音", **fields})
    assert response.status_code == 200, response.content
    return response.json()[0]["service_request_id"]


def test_get_requests_filters_by_id_code_status_and_dates(web, city, key):
    noise = posted_number(web, key)
    water = posted_number(web, key, service_code="0201", description="停水")
    all_rows = web.get(f"{V2}/requests.json").json()
    valid(schemas.REQUESTS, all_rows)
    assert [r["service_request_id"] for r in all_rows] == [water, noise]  # newest first
    by_code = web.get(f"{V2}/requests.json", {"service_code": "0201,0101"}).json()
    assert len(by_code) == 2
    assert [
        r["service_code"] for r in web.get(f"{V2}/requests.json", {"service_code": "0201"}).json()
    ] == ["0201"]
    assert web.get(f"{V2}/requests.json", {"status": "closed"}).json() == []
    assert len(web.get(f"{V2}/requests.json", {"status": "open,closed"}).json()) == 2
    ids = web.get(
        f"{V2}/requests.json", {"service_request_id": f"{noise},nothing", "status": "closed"}
    ).json()
    assert [r["service_request_id"] for r in ids] == [noise]  # the ids override the rest
    now = timezone.now()
    old = {
        "start_date": (now - timedelta(days=200)).isoformat(),
        "end_date": (now - timedelta(days=150)).isoformat(),
    }
    assert web.get(f"{V2}/requests.json", old).json() == []
    recent = {"start_date": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert len(web.get(f"{V2}/requests.json", recent).json()) == 2


def test_requests_outside_the_default_90_days_are_left_out(web, city):
    order_in(city, "registered", now=timezone.now() - timedelta(days=100), channel="open311")
    order_in(city, "registered", channel="open311")
    assert len(web.get(f"{V2}/requests.json").json()) == 1


def test_a_91_day_window_and_bad_dates_are_refused(web, city):
    now = timezone.now()
    wide = {"start_date": (now - timedelta(days=91)).isoformat(), "end_date": now.isoformat()}
    response = web.get(f"{V2}/requests.json", wide)
    assert response.status_code == 400
    valid(schemas.ERRORS, response.json())
    for bad in (
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T00:00:00Z"},
        {"start_date": now.isoformat(), "end_date": (now - timedelta(days=1)).isoformat()},
    ):
        assert web.get(f"{V2}/requests.json", bad).status_code == 400, bad
    assert web.get(f"{V2}/requests.json", {"status": "pending"}).status_code == 400
    assert web.get(f"{V2}/requests.json", {"service_code": "nope"}).status_code == 400


def test_paging_extension(web, city, key, settings):
    numbers = [posted_number(web, key, description=f"噪音{i}") for i in range(5)]
    first = web.get(f"{V2}/requests.json", {"page_size": 2}).json()
    second = web.get(f"{V2}/requests.json", {"page_size": 2, "page": 2}).json()
    third = web.get(f"{V2}/requests.json", {"page_size": 2, "page": 3}).json()
    seen = [r["service_request_id"] for r in first + second + third]
    assert seen == list(reversed(numbers))
    settings.HOTLINE_OPEN311_MAX_RESULTS = 3
    assert len(web.get(f"{V2}/requests.json").json()) == 3
    assert web.get(f"{V2}/requests.json", {"page_size": 4}).status_code == 400
    assert web.get(f"{V2}/requests.json", {"page": 0}).status_code == 400
    assert web.get(f"{V2}/requests.json", {"page": "-1"}).status_code == 400


def test_published_text_is_masked_and_private_orders_are_not_published(web, city, key):
    number = posted_number(web, key, description="我叫张伟，电话13812345678，工地夜间施工")
    row = web.get(f"{V2}/requests/{number}.json").json()[0]
    assert "13812345678" not in row["description"]
    assert "138****5678" in row["description"]
    phone_order = order_in(city, "registered")  # the phone channel is not published
    confidential = order_in(city, "registered", channel="open311", is_confidential=True)
    report = order_in(city, "registered", channel="open311", request_type="report")
    for order in (phone_order, confidential, report):
        assert web.get(f"{V2}/requests/{order.number}.json").status_code == 404
    listed = {r["service_request_id"] for r in web.get(f"{V2}/requests.json").json()}
    assert listed == {number}


def test_a_closed_order_reads_closed_with_its_answer_unit_and_deadline(web, city):
    order = order_in(city, "closed", channel="open311")
    row = web.get(f"{V2}/requests/{order.number}.json").json()[0]
    valid(schemas.REQUEST, row)
    assert row["status"] == "closed"
    assert row["status_notes"] == "已责令工地停止夜间施工"
    assert row["agency_responsible"] == "濮阳市城市管理局"
    assert row["expected_datetime"] is not None
    assert row["updated_datetime"] >= row["requested_datetime"]
    root = xml(web.get(f"{V2}/requests/{order.number}.xml"))
    assert root.find("request/status").text == "closed"
    assert root.find("request/service_request_id").text == order.number


def test_notes_extension_tells_the_public_progress_without_internal_notes(web, city):
    order = order_in(city, "accepted", channel="open311")
    orders.transition(order, "request_extension", city.handler_cgj, note="内部：人手不足", days=3)
    row = web.get(f"{V2}/requests/{order.number}.json").json()[0]
    notes = row["notes"]
    assert [n["type"] for n in notes] == ["opened", "activity", "activity"]
    assert "濮阳市城市管理局" in notes[1]["summary"]
    assert all("人手不足" not in n["summary"] for n in notes)
    assert row["extended_attributes"]["status"] == "in_progress"
    listed = web.get(f"{V2}/requests.json", {"extensions": "true"}).json()[0]
    assert listed["notes"] == notes
    assert "notes" not in web.get(f"{V2}/requests.json").json()[0]


def test_unknown_request_is_404(web, city):
    response = web.get(f"{V2}/requests/20990101-000001.json")
    assert response.status_code == 404
    valid(schemas.ERRORS, response.json())
    assert xml(web.get(f"{V2}/requests/x.xml")).tag == "errors"


def test_unknown_format_and_method(web, city):
    assert web.get(f"{V2}/services.html").status_code == 404
    assert web.delete(f"{V2}/services.json").status_code == 405
    assert web.post(f"{V2}/services.json").status_code == 405


def test_empty_jurisdiction_counts_as_absent_and_a_wrong_one_is_404(web, city, settings):
    assert web.get(f"{V2}/services.json", {"jurisdiction_id": ""}).status_code == 200
    ours = settings.HOTLINE_OPEN311_JURISDICTION
    assert web.get(f"{V2}/services.json", {"jurisdiction_id": ours}).status_code == 200
    assert web.get(f"{V2}/services.json", {"jurisdiction_id": "x.gov"}).status_code == 404


def test_errors_are_in_chinese_by_default_and_english_on_request(web, city):
    zh = web.get(f"{V2}/services/9999.json").json()[0]["description"]
    en = web.get(f"{V2}/services/9999.json", HTTP_ACCEPT_LANGUAGE="en").json()[0]["description"]
    assert "9999" in zh and "9999" in en
    assert zh != en
    assert any("\u4e00" <= c <= "\u9fff" for c in zh)


def test_anonymous_reads_are_limited_per_address(web, city, settings):
    settings.HOTLINE_OPEN311_RATE_PER_ADDRESS = 3
    codes = [web.get(f"{V2}/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- FixMyStreet updates -----------------------------------------------------------------------


def test_servicerequestupdates_lists_public_updates_with_extended_statuses(web, city):
    closed = order_in(city, "closed", channel="open311")
    merged = order_in(city, "registered", channel="open311")
    orders.transition(merged, "merge", city.dispatcher, into=closed.number)
    rows = web.get(f"{V2}/servicerequestupdates.json").json()
    valid(schemas.UPDATES, rows)
    statuses = {(r["service_request_id"], r["status"]) for r in rows}
    assert (closed.number, "fixed") in statuses
    assert (closed.number, "investigating") in statuses
    assert (merged.number, "duplicate") in statuses
    answered = [r for r in rows if "已责令工地停止夜间施工" in r["description"]]
    assert len(answered) == 1  # the approved answer, told once
    root = xml(web.get(f"{V2}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert root.find("request_update/update_id") is not None


def test_posting_an_update_adds_the_citizens_words_to_the_history(web, city, key):
    number = posted_number(web, key)
    response = web.post(
        f"{V2}/servicerequestupdates.json",
        {
            "api_key": key,
            "service_request_id": number,
            "description": "今晚又在施工",
            "status": "OPEN",
        },
    )
    assert response.status_code == 200, response.content
    update_id = response.json()[0]["update_id"]
    event = OrderEvent.objects.get(pk=update_id)
    assert event.action == "supplement"
    assert event.note == "今晚又在施工"
    listed = web.get(f"{V2}/servicerequestupdates.json").json()
    assert any(r["update_id"] == update_id for r in listed)
    assert (
        web.post(
            f"{V2}/servicerequestupdates.json", {"service_request_id": number, "description": "x"}
        ).status_code
        == 403
    )
    missing = {"api_key": key, "service_request_id": "nothing", "description": "x"}
    assert web.post(f"{V2}/servicerequestupdates.json", missing).status_code == 404
    empty = {"api_key": key, "service_request_id": number, "description": ""}
    assert web.post(f"{V2}/servicerequestupdates.json", empty).status_code == 400


def test_openapi_document_lists_every_route(web, city):
    document = web.get(f"{V2}/openapi.json").json()
    assert "/open311/v2/requests.{fmt}" in document["paths"]
    assert "post" in document["paths"]["/open311/v2/servicerequestupdates.{fmt}"]


def test_photo_of_an_unpublished_order_is_not_served(web, city):
    order = order_in(city, "registered")  # phone: not published
    attachment = orders.attach(order, SimpleUploadedFile("a.png", PNG), None)
    assert web.get(f"{V2}/media/{attachment.pk}").status_code == 404
