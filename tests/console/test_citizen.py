"""The citizen's pages: submit a request with place, photo and contact, follow it by number
and phone, rate the result; and every refusal, with its reason."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.console.forms.citizen import CHALLENGE_SALT
from hotline.intake.models import ChannelMessage
from hotline.orders import service as orders
from hotline.orders.models import Attachment, OrderEvent, WorkOrder
from hotline.orgs.models import Role
from tests.factories import PATH, make_user, order_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def web():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def challenge_of(page) -> dict:
    """The challenge on a page, solved as a person would."""
    html = page.content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    answer = signing.loads(token, salt=CHALLENGE_SALT)["answer"]
    return {"challenge": token, "answer": str(answer)}


def send(web, **fields):
    data = {
        "request_type": "help",
        "service": "0201",
        "description": "我家小区从昨天开始停水，到现在还没来水。",
        "address": "华龙区中原路 88 号",
        "lat": "35.7618",
        "lng": "115.0297",
        "name": "王芳",
        "phone": "13912345678",
        **challenge_of(web.get("/citizen/")),
    }
    data.update(fields)
    return web.post("/citizen/", {k: v for k, v in data.items() if v is not None})


def test_form_is_in_chinese_with_a_challenge_and_the_map(web, city):
    page = web.get("/citizen/").content.decode()
    assert "我要反映" in page or "提交诉求" in page
    assert 'name="challenge"' in page and "data-map" in page
    assert "加" in page  # the sum is asked in words


def test_a_request_becomes_an_order_and_its_number_is_shown(web, city):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = send(web, photo=photo)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = web.get(response["Location"])
    order = WorkOrder.objects.get()
    assert order.number in page.content.decode()
    assert order.channel == "web"
    assert order.caller_phone == "13912345678"
    assert order.caller_name == "王芳"
    assert order.category == city.water
    assert order.lat == pytest.approx(35.7618)
    assert Attachment.objects.get(order=order).uploaded_by is None
    assert ChannelMessage.objects.get(order=order).channel == "web"


def test_the_done_page_needs_the_signed_number(web, city):
    send(web)
    number = WorkOrder.objects.get().number
    assert web.get(f"/citizen/done?n={number}").status_code == 302  # unsigned: back to the form


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"answer": "99"}, "答案"),
        ({"phone": "12345"}, "手机号"),
        ({"description": ""}, "必填"),
        ({"description": "很" * 4001}, "4000"),
        ({"lat": "35.7", "lng": None}, "地图"),
        ({"website": "http://spam.example"}, "刷新"),
        ({"photo": SimpleUploadedFile("a.exe", b"MZ")}, ".exe"),
        ({"photo": SimpleUploadedFile("a.png", b"GIF89a")}, ".png"),
        ({"service": "nonsense"}, "选择"),
    ],
)
def test_each_refusal_says_why_and_writes_nothing(web, city, fields, words):
    response = send(web, **fields)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert WorkOrder.objects.count() == 0
    assert ChannelMessage.objects.count() == 0


def test_a_challenge_answers_once(web, city):
    solved = challenge_of(web.get("/citizen/"))
    assert send(web, **solved).status_code == 302
    again = send(web, **solved)
    assert again.status_code == 400
    assert "已提交" in again.content.decode()
    assert WorkOrder.objects.count() == 1


def test_too_many_from_one_address_or_one_phone_are_refused(web, city, settings):
    settings.HOTLINE_CITIZEN_REPORTS_PER_ADDRESS = 2
    assert send(web, phone="13900000001").status_code == 302
    assert send(web, phone="13900000002").status_code == 302
    refused = send(web, phone="13900000003")
    assert refused.status_code == 400
    assert "12345" in refused.content.decode()
    settings.HOTLINE_CITIZEN_REPORTS_PER_ADDRESS = 100
    settings.HOTLINE_CITIZEN_REPORTS_PER_PHONE = 1
    assert send(web, phone="13900000009").status_code == 302
    assert send(web, phone="13900000009").status_code == 400
    assert WorkOrder.objects.count() == 3


def follow(web, number, phone="13912345678"):
    return web.post("/citizen/track/", {"number": number, "phone": phone})


def test_follow_by_number_and_phone_shows_the_public_progress_only(web, city):
    send(web)
    order = WorkOrder.objects.get()
    assert web.get(f"/citizen/track/{order.number}/").status_code == 302  # not proved yet
    assert follow(web, order.number, "13900000000").status_code == 400
    response = follow(web, order.number, "139 1234 5678")
    assert response.status_code == 302
    order = orders.transition(order, "dispatch", city.dispatcher, lead_unit="water")
    handler = make_user("handler_water", Role.HANDLER, unit=city.water_company)
    orders.transition(order, "return_order", handler, note="内部：不归我们管")
    page = web.get(f"/citizen/track/{order.number}/").content.decode()
    assert "您的诉求已受理" in page
    assert "濮阳市自来水公司" in page
    assert "不归我们管" not in page  # a return reason is internal
    assert "139****5678" in page or "13912345678" not in page


def test_an_order_from_a_phone_call_can_be_followed_too(web, city):
    order = order_in(city, "accepted")  # the phone channel, caller 13800138000
    assert follow(web, order.number, "13800138000").status_code == 302
    page = web.get(f"/citizen/track/{order.number}/").content.decode()
    assert "正在办理" in page


def test_rating_after_the_answer_is_recorded_once(web, city):
    order = order_in(city, "replied")
    follow(web, order.number, "13800138000")
    page = web.get(f"/citizen/track/{order.number}/").content.decode()
    assert 'id="rating"' not in page  # the answer is not approved yet
    action, who, params, note = PATH[3]
    orders.transition(order, action, getattr(city, who), note=note, **params)
    page = web.get(f"/citizen/track/{order.number}/").content.decode()
    assert 'id="rating"' in page
    assert "已责令工地停止夜间施工" in page  # the approved answer is shown
    rated = web.post(
        f"/citizen/track/{order.number}/",
        {"is_resolved": "yes", "satisfaction": "satisfied", "comment": "处理很及时"},
    )
    assert rated.status_code == 302
    event = OrderEvent.objects.get(order=order, action="rating")
    assert event.changes == {"is_resolved": True, "satisfaction": "satisfied"}
    assert "处理很及时" in event.note
    page = web.get(f"/citizen/track/{order.number}/").content.decode()
    assert 'id="rating"' not in page and "处理很及时" in page
    again = web.post(
        f"/citizen/track/{order.number}/", {"is_resolved": "no", "satisfaction": "dissatisfied"}
    )
    assert again.status_code == 400
    assert OrderEvent.objects.filter(order=order, action="rating").count() == 1


def test_too_many_lookups_from_one_address_are_refused(web, city, settings):
    settings.HOTLINE_CITIZEN_LOOKUPS_PER_ADDRESS = 2
    assert follow(web, "20260101-000001").status_code == 400
    assert follow(web, "20260101-000001").status_code == 400
    refused = follow(web, "20260101-000001")
    assert "稍后" in refused.content.decode()


def test_callback_staff_see_the_citizens_online_rating(web, city):
    order = order_in(city, "pending_callback")
    orders.rate(order, True, "acceptable", "还行")
    staff = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    staff.force_login(city.callback)
    panel = staff.get(f"/console/orders/{order.number}/panel?bench=callback").content.decode()
    assert "data-citizen-rating" in panel
    assert "已解决，基本满意。还行" in panel
