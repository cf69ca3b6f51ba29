"""The webhooks of other channels (WeChat, e-mail, 12315 and 110 transfers): each message
becomes an order through the one intake path, once, with a channel client's key; bad input
is a structured 4xx, never a 5xx."""

from __future__ import annotations

import base64
import json
import threading
from email.header import Header
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test import Client

from hotline.intake import channels, clients, hooks
from hotline.intake.models import ChannelMessage
from hotline.orders.models import Channel, WorkOrder

pytestmark = pytest.mark.django_db

HOOKS = "/api/intake/hooks"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def key(city):
    _client, key = clients.issue("微信网关", contact="gw@example.cn")
    return key


@pytest.fixture
def web():
    return Client()


def post_json(web, key, kind, payload, language="zh-hans"):
    return web.post(
        f"{HOOKS}/{kind}",
        json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        headers={"X-Api-Key": key, "Accept-Language": language},
    )


def post_mail(web, key, raw: bytes, content_type="message/rfc822", language="zh-hans"):
    return web.post(
        f"{HOOKS}/email",
        raw,
        content_type=content_type,
        headers={"X-Api-Key": key, "Accept-Language": language},
        CONTENT_TYPE=content_type,  # the test client leaves it out of an empty body
    )


def order_of(response) -> WorkOrder:
    return WorkOrder.objects.get(number=response.json()["order_number"])


def error_code(response) -> str:
    body = response.json()["error"]
    assert {"code", "message", "message_zh", "message_en", "details"} <= set(body)
    return body["code"]


def wechat(**fields) -> dict:
    message = {
        "ToUserName": "gh_12345",
        "FromUserName": "oABC123openid",
        "CreateTime": 1718000000,
        "MsgType": "text",
        "Content": "华龙区中原路工地每晚十一点后还在施工，噪音很大",
        "MsgId": "24512345678901234",
    }
    message.update(fields)
    return message


def transfer(**fields) -> dict:
    case = {
        "source": "12315",
        "reference": "SC2024061100123",
        "title": "小区停水三天",
        "content": "华龙区中原路某小区停水三天，物业不处理",
        "caller_name": "李四",
        "caller_phone": "13900139000",
        "address": "华龙区中原路88号",
    }
    case.update(fields)
    return case


def mail(
    *,
    body="中原路工地夜间施工噪音扰民，请处理。",
    message_id="<20240611.abc@mail.example.cn>",
    charset="utf-8",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "王小明 <wang@example.cn>"
    message["Subject"] = "夜间施工噪音"
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body, charset=charset)
    return message


# --- WeChat -----------------------------------------------------------------------------------


def test_wechat_text_message_makes_an_order_with_the_openid_kept(web, key):
    response = post_json(web, key, "wechat", wechat(Phone="13800138000", Name="张三"))
    assert response.status_code == 201
    body = response.json()
    assert body["is_new"] is True and body["status"] == "registered" and body["token"]
    order = order_of(response)
    assert order.channel == Channel.WECHAT
    assert order.source_ref == "24512345678901234"
    assert "噪音" in order.content
    assert (order.caller_name, order.caller_phone) == ("张三", "13800138000")
    message = ChannelMessage.objects.get(order=order)
    assert message.data["extra"]["openid"] == "oABC123openid"
    assert message.data["extra"]["account"] == "gh_12345"
    assert message.client.name == "微信网关"


def test_wechat_image_without_text_makes_an_order_with_its_picture_address(web, key):
    url = "https://mmbiz.qpic.cn/mmbiz_jpg/abc/0"
    payload = wechat(MsgType="image", PicUrl=url, MediaId="media-1", MsgId="1001")
    del payload["Content"]
    response = post_json(web, key, "wechat", payload)
    assert response.status_code == 201
    order = order_of(response)
    assert order.content.strip()
    message = ChannelMessage.objects.get(order=order)
    assert message.media_url == url
    assert message.data["extra"]["media_id"] == "media-1"


def test_wechat_location_without_text_makes_an_order_at_its_place(web, key):
    payload = wechat(
        MsgType="location",
        Location_X="35.7621",
        Location_Y=115.0293,
        Label="河南省濮阳市华龙区中原路",
        MsgId="1002",
    )
    del payload["Content"]
    response = post_json(web, key, "wechat", payload)
    assert response.status_code == 201
    order = order_of(response)
    assert (order.lat, order.lng) == (35.7621, 115.0293)
    assert order.address == "河南省濮阳市华龙区中原路"
    assert "中原路" in order.content


def test_wechat_location_without_coordinates_is_refused(web, key):
    response = post_json(web, key, "wechat", wechat(MsgType="location", Label="中原路"))
    assert response.status_code == 400
    assert error_code(response) == "missing_field"


def test_the_same_wechat_message_twice_makes_one_order(web, key):
    first = post_json(web, key, "wechat", wechat())
    again = post_json(web, key, "wechat", wechat(Content="另一段文字"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["is_new"] is False
    assert again.json()["order_number"] == first.json()["order_number"]
    assert again.json()["token"] == first.json()["token"]
    assert WorkOrder.objects.filter(channel=Channel.WECHAT).count() == 1


def test_a_numeric_msg_id_is_the_same_message_as_its_text(web, key):
    first = post_json(web, key, "wechat", wechat(MsgId=24512345678901234))
    again = post_json(web, key, "wechat", wechat(MsgId="24512345678901234"))
    assert again.json()["order_number"] == first.json()["order_number"]


@pytest.mark.parametrize("kind", ["event", "voice", "video", "shortvideo", "link"])
def test_other_wechat_message_types_are_refused_as_unsupported(web, key, kind):
    payload = wechat(MsgType=kind, Event="subscribe")
    del payload["MsgId"]  # events have none
    response = post_json(web, key, "wechat", payload)
    assert response.status_code == 400
    assert error_code(response) == "unsupported_message"
    assert response.json()["error"]["details"]["type"] == kind
    assert not WorkOrder.objects.exists()


def test_a_wechat_message_without_msg_id_or_with_a_bad_picture_is_refused(web, key):
    payload = wechat()
    del payload["MsgId"]
    response = post_json(web, key, "wechat", payload)
    assert response.status_code == 400 and error_code(response) == "missing_field"
    response = post_json(web, key, "wechat", wechat(MsgType="image", PicUrl="javascript:x"))
    assert response.status_code == 400 and error_code(response) == "invalid_url"
    response = post_json(web, key, "wechat", wechat(MsgType="text", Content="  "))
    assert response.status_code == 400 and error_code(response) == "missing_field"
    assert not WorkOrder.objects.exists()


# --- e-mail -----------------------------------------------------------------------------------


def test_an_email_makes_an_order_from_its_sender_subject_and_body(web, key):
    response = post_mail(web, key, mail().as_bytes())
    assert response.status_code == 201
    order = order_of(response)
    assert order.channel == Channel.EMAIL
    assert order.source_ref == "20240611.abc@mail.example.cn"
    assert order.title == "夜间施工噪音"
    assert order.caller_name == "王小明"
    assert "中原路工地夜间施工噪音扰民" in order.content
    assert "wang@example.cn" in order.content


def test_a_gbk_email_with_a_png_attachment_is_read_and_the_photo_attached(
    web, key, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    message = EmailMessage()
    message["Message-ID"] = "<gbk-1@mail.example.cn>"
    message.set_content("华龙区中原路停水三天了，自来水公司电话打不通。", charset="gbk")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="现场照片.png")
    # Chinese mailers encode their headers in GBK; EmailMessage would write UTF-8.
    headers = (
        f"From: {Header('王小明', 'gbk').encode()} <wang@example.cn>\r\n"
        f"Subject: {Header('小区停水三天', 'gbk').encode()}\r\n"
    ).encode()
    raw = headers + message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    assert b"=?gbk?" in raw and "停水".encode() not in raw
    response = post_mail(web, key, raw)
    assert response.status_code == 201, response.content
    order = order_of(response)
    assert order.title == "小区停水三天"
    assert order.caller_name == "王小明"
    assert "华龙区中原路停水三天了" in order.content
    attachment = order.attachments.get()
    assert attachment.name.endswith("现场照片.png") and attachment.content_type == "image/png"
    assert attachment.file.read() == PNG


def test_gbk_text_labelled_gb2312_and_raw_8bit_headers_are_read(web, key):
    # 喆 is in GBK, not in GB2312: Outlook and Foxmail label such text GB2312 anyway.
    word = base64.b64encode("王喆".encode("gbk")).decode()
    raw = (
        f"From: =?gb2312?B?{word}?= <zhe@example.cn>\r\n".encode()
        + "Subject: 路灯不亮\r\n".encode("gbk")  # raw 8-bit, no encoded word
        + b"Message-ID: <gb2312-1@example.cn>\r\n"
        + b"Content-Type: text/plain; charset=gb2312\r\n"
        + b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "中原路口的路灯坏了一周，喆喆晚上摔了一跤。".encode("gbk")
    )
    response = post_mail(web, key, raw)
    assert response.status_code == 201, response.content
    order = order_of(response)
    assert order.caller_name == "王喆"
    assert order.title == "路灯不亮"
    assert "喆喆晚上摔了一跤" in order.content


def test_unknown_charsets_and_broken_encoded_words_do_not_lose_the_email(web, key):
    raw = (
        b"From: =?x-unknown?B?zfXQocP3?= <wang@example.cn>\r\n"
        b"Subject: =?gbk?B?!!!?= =?utf-8?Q?=E5=99=AA=E9=9F=B3?=\r\n"
        b"Message-ID: <charset-1@example.cn>\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n" + "工地噪音".encode("gb18030")
    )
    response = post_mail(web, key, raw)
    assert response.status_code == 201, response.content
    order = order_of(response)
    assert order.caller_name == "王小明"  # GB18030 read what the label did not say
    assert "噪音" in order.title and "工地噪音" in order.content


def test_an_html_only_email_gives_the_text_of_its_html(web, key):
    message = mail()
    message.set_content(
        "<html><head><style>p {color: red}</style></head><body><p>中原路&amp;人民路口</p>"
        "<script>alert(1)</script><div>井盖缺失<br>很危险</div></body></html>",
        subtype="html",
    )
    response = post_mail(web, key, message.as_bytes())
    assert response.status_code == 201
    content = order_of(response).content
    assert "中原路&人民路口\n井盖缺失\n很危险" in content
    assert "<" not in content and "alert" not in content and "color" not in content


def test_an_image_that_is_not_what_it_says_is_skipped_and_the_email_still_counts(web, key):
    message = mail()
    message.add_attachment(b"<script>", maintype="image", subtype="png", filename="x.png")
    message.add_attachment(b"II*\x00", maintype="image", subtype="tiff", filename="scan.tif")
    response = post_mail(web, key, message.as_bytes())
    assert response.status_code == 201
    assert not order_of(response).attachments.exists()


def test_the_same_email_twice_makes_one_order(web, key):
    first = post_mail(web, key, mail().as_bytes())
    again = post_mail(web, key, mail(body="转发一次").as_bytes())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["order_number"] == first.json()["order_number"]
    assert again.json()["is_new"] is False
    assert WorkOrder.objects.filter(channel=Channel.EMAIL).count() == 1


def test_a_very_long_message_id_counts_once_by_its_hash(web, key):
    message_id = "<" + "x" * 300 + "@example.cn>"
    first = post_mail(web, key, mail(message_id=message_id).as_bytes())
    again = post_mail(web, key, mail(message_id=message_id).as_bytes())
    assert (first.status_code, again.status_code) == (201, 200)
    assert order_of(first).source_ref.startswith("sha256:")


def test_an_email_without_message_id_is_refused(web, key):
    response = post_mail(web, key, mail(message_id="").as_bytes())
    assert response.status_code == 400
    assert error_code(response) == "missing_field"
    assert response.json()["error"]["details"]["field"] == "Message-ID"


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "empty_message"),
        (b"\r\n \r\n", "empty_message"),
        (b"this is not an e-mail at all", "unreadable_message"),
        (bytes(range(256)) * 4, "unreadable_message"),
        (b"Message-ID: <x@y>\r\nContent-Type: multipart/mixed\r\n\r\n--", "missing_field"),
    ],
)
def test_a_broken_email_is_refused_with_a_structured_400(web, key, raw, code):
    response = post_mail(web, key, raw)
    assert response.status_code == 400
    assert error_code(response) == code
    assert not WorkOrder.objects.exists()


def test_an_email_in_another_content_type_is_refused(web, key):
    response = post_mail(web, key, mail().as_bytes(), content_type="text/plain")
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_an_email_above_10_mb_is_refused(web, key):
    message = mail()
    message.add_attachment(
        b"\x00" * (hooks.MAX_EMAIL_BYTES),
        maintype="application",
        subtype="octet-stream",
        filename="big.bin",
    )
    response = post_mail(web, key, message.as_bytes())
    assert response.status_code == 413
    assert error_code(response) == "too_large"


def test_an_email_taken_apart_as_json_makes_an_order(web, key):
    payload = {
        "message_id": "<json-1@example.cn>",
        "from": "王小明 <wang@example.cn>",
        "subject": "噪音",
        "body": "工地夜间施工",
    }
    response = post_json(web, key, "email", payload)
    assert response.status_code == 201
    order = order_of(response)
    assert (order.source_ref, order.caller_name, order.title) == (
        "json-1@example.cn",
        "王小明",
        "噪音",
    )
    again = post_json(web, key, "email", {**payload, "body": "again"})
    assert again.status_code == 200 and again.json()["order_number"] == order.number
    broken = post_json(web, key, "email", {"subject": 3})
    assert broken.status_code == 422 and error_code(broken) == "invalid_input"
    assert {f["field"] for f in broken.json()["error"]["fields"]} == {"message_id", "subject"}


def test_the_order_is_written_in_the_centres_language_and_refusals_in_the_callers(web, key):
    response = post_mail(web, key, mail().as_bytes(), language="en")
    assert "电子邮件：wang@example.cn" in order_of(response).content
    refused = post_json(web, key, "transfer", transfer(category_code="9999"), language="en")
    assert refused.json()["error"]["message"] == "Unknown service code “9999”."


# --- transfers --------------------------------------------------------------------------------


def test_a_transfer_makes_an_order_with_the_other_platforms_reference(web, key):
    response = post_json(
        web, key, "transfer", transfer(category_code="0201", lat=35.76, lng=115.03)
    )
    assert response.status_code == 201
    order = order_of(response)
    assert order.channel == Channel.TRANSFER
    assert order.source_ref == "12315:SC2024061100123"
    assert "SC2024061100123" in order.content
    assert order.category.code == "0201"
    assert (order.title, order.caller_name, order.caller_phone) == (
        "小区停水三天",
        "李四",
        "13900139000",
    )
    assert order.address == "华龙区中原路88号" and (order.lat, order.lng) == (35.76, 115.03)
    message = ChannelMessage.objects.get(order=order)
    assert message.data["reference"] == "SC2024061100123"


def test_the_same_transfer_twice_makes_one_order_and_another_source_another(web, key):
    first = post_json(web, key, "transfer", transfer())
    again = post_json(web, key, "transfer", transfer(content="再次推送"))
    police = post_json(web, key, "transfer", transfer(source="110"))
    assert (first.status_code, again.status_code, police.status_code) == (201, 200, 201)
    assert again.json()["order_number"] == first.json()["order_number"]
    assert police.json()["order_number"] != first.json()["order_number"]
    assert WorkOrder.objects.filter(channel=Channel.TRANSFER).count() == 2


def test_a_transfer_from_an_unknown_source_is_refused(web, key):
    response = post_json(web, key, "transfer", transfer(source="12306"))
    assert response.status_code == 400
    assert error_code(response) == "unknown_source"
    assert not WorkOrder.objects.exists()


def test_a_transfer_with_an_unknown_category_is_refused(web, key):
    response = post_json(web, key, "transfer", transfer(category_code="9999"))
    assert response.status_code == 404
    assert error_code(response) == "unknown_service"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, payload",
    [
        ("wechat", wechat(Content="很" * 20001)),
        ("wechat", wechat(Label="路" * 256, MsgType="location", Location_X=1, Location_Y=1)),
        ("wechat", wechat(Name="名" * 51)),
        ("wechat", wechat(Phone="1" * 31)),
        ("wechat", wechat(MsgId="9" * 65)),
        ("wechat", wechat(PicUrl="https://x.cn/" + "a" * 500, MsgType="image")),
        ("transfer", transfer(title="题" * 201)),
        ("transfer", transfer(content="很" * 20001)),
        ("transfer", transfer(address="路" * 256)),
        ("transfer", transfer(caller_name="名" * 51)),
        ("transfer", transfer(caller_phone="1" * 31)),
        ("transfer", transfer(reference="R" * 81)),
        ("email", {"message_id": "<a@b>", "body": "很" * 20001}),
        ("email", {"message_id": "<a@b>", "body": "x", "subject": "题" * 201}),
    ],
)
def test_oversized_fields_are_refused_with_a_structured_422(web, key, kind, payload):
    response = post_json(web, key, kind, payload)
    assert response.status_code == 422
    assert error_code(response) == "invalid_input"
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    "kind, payload",
    [
        ("wechat", wechat(Content=123)),
        ("wechat", wechat(CreateTime="yesterday")),
        ("wechat", wechat(MsgType=["text"])),
        ("wechat", wechat(MsgType="location", Location_X="north", Location_Y=1)),
        ("wechat", wechat(MsgType="location", Location_X=91, Location_Y=1)),
        ("wechat", {"MsgType": "text"}),
        ("wechat", [1, 2]),
        ("transfer", transfer(lat="NaN", lng=1)),
        ("transfer", transfer(lat=1e400, lng=1)),
        ("transfer", transfer(reference=None)),
        ("transfer", transfer(content="")),
        ("transfer", "12315"),
    ],
)
def test_wrong_types_are_refused_with_a_structured_422(web, key, kind, payload):
    response = post_json(web, key, kind, payload)
    assert response.status_code == 422, response.content
    assert error_code(response) == "invalid_input"


def test_unreadable_json_and_a_body_above_1_mb_are_structured_errors(web, key):
    response = web.post(
        f"{HOOKS}/transfer",
        b"{not json",
        content_type="application/json",
        headers={"X-Api-Key": key},
    )
    assert response.status_code == 400 and error_code(response) == "bad_request"
    response = post_json(web, key, "transfer", transfer(content="x" * (2 * 1024 * 1024)))
    assert response.status_code == 413 and error_code(response) == "too_large"
    huge = post_json(web, key, "wechat", wechat(Content="x" * (6 * 1024 * 1024)))
    assert huge.status_code == 413  # above Django's in-memory limit: never read


def test_coordinates_must_come_in_pairs(web, key):
    response = post_json(web, key, "transfer", transfer(lat=35.7))
    assert response.status_code == 400
    assert error_code(response) == "invalid_coordinates"


# --- keys and rates ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["wechat", "email", "transfer"])
def test_a_missing_or_unknown_key_is_refused(web, city, kind):
    for headers in ({}, {"X-Api-Key": "ck_nonsense"}, {"X-Api-Key": "x" * 500}):
        response = web.post(
            f"{HOOKS}/{kind}", b"{}", content_type="application/json", headers=headers
        )
        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"


def test_a_revoked_key_is_refused(web, city):
    client, key = clients.issue("12315平台")
    assert post_json(web, key, "transfer", transfer()).status_code == 201
    clients.revoke(client)
    response = post_json(web, key, "transfer", transfer(reference="2"))
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"
    assert WorkOrder.objects.count() == 1


def test_a_user_token_is_no_channel_key(web, city):
    from hotline.orgs.models import ApiToken

    _token, token = ApiToken.issue(city.operator, "t")
    response = web.post(
        f"{HOOKS}/transfer",
        transfer(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_calls_above_the_clients_rate_are_refused_until_the_next_minute(web, city):
    _client, key = clients.issue("邮件导入", rate_per_minute=2)
    assert post_json(web, key, "transfer", transfer(reference="1")).status_code == 201
    assert post_json(web, key, "wechat", wechat()).status_code == 201
    response = post_json(web, key, "transfer", transfer(reference="3"))
    assert response.status_code == 429
    assert error_code(response) == "too_many_requests"
    assert WorkOrder.objects.count() == 2


# --- the same message at the same moment ------------------------------------------------------


def test_receiving_a_message_while_its_twin_is_being_saved_returns_the_first(city, monkeypatch):
    submission = hooks.transfer_submission(hooks_payload())
    first, is_new = channels.receive(submission)
    assert is_new
    # The twin looked before the first was committed: it saw nothing and tries to insert.
    real = channels.same_message
    looks: list[str] = []

    def same_message_not_yet_committed(submission):
        looks.append(submission.source_ref)
        return None if len(looks) == 1 else real(submission)

    monkeypatch.setattr(channels, "same_message", same_message_not_yet_committed)
    again, is_new = channels.receive(hooks.transfer_submission(hooks_payload()))
    assert not is_new and len(looks) == 2  # it did try to insert
    assert again.pk == first.pk and again.order_id == first.order_id
    assert WorkOrder.objects.count() == ChannelMessage.objects.count() == 1


def hooks_payload():
    from hotline.intake.api import TransferIn

    return TransferIn(**transfer())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_transfer_sent_twice_at_once_makes_one_order():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set DATABASE_URL)")
    from tests.factories import make_city

    make_city()
    _client, key = clients.issue("110平台")
    barrier = threading.Barrier(2)
    answers: list[dict] = []

    def send():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            response = post_json(Client(), key, "transfer", transfer(source="110"))
            answers.append({**response.json(), "http": response.status_code})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answer["http"] for answer in answers) == [200, 201]
    assert len({answer["order_number"] for answer in answers}) == 1
    assert WorkOrder.objects.count() == ChannelMessage.objects.count() == 1
