"""The citizen's journey in a real browser on a phone-sized screen: submit a request with a
place tapped on the map, a photo and a contact; get the number; follow the request by
number and phone; rate the result after the unit's answer."""

from __future__ import annotations

import re

from hotline.orders import service
from hotline.orders.models import Attachment, OrderEvent, WorkOrder
from hotline.orgs.models import Unit, User
from tests.browser.conftest import ARTIFACTS

DIGITS = "零一二三四五六七八九"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def solve(label: str) -> str:
    a, b = re.search(f"([{DIGITS}])加([{DIGITS}])", label).groups()
    return str(DIGITS.index(a) + DIGITS.index(b))


def test_a_citizen_submits_follows_and_rates_a_request(browser, live_server, demo_city):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    outside, errors = [], []
    page.on(
        "request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url)
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(live_server.url + "/citizen/")
        page.get_by_role("heading", name="我要反映").wait_for()
        page.get_by_label("投诉").check()
        page.get_by_label("反映内容").fill(
            "华龙区中原路一工地每天夜里施工到凌晨两点，噪音很大，无法休息。"
        )
        page.get_by_label("地点").fill("华龙区中原路与京开道交叉口")
        page.locator("[data-map][data-ready=true]").wait_for()
        page.locator("[data-map]").click(position={"x": 190, "y": 120})
        page.get_by_text("已在地图上标出位置").wait_for()
        page.set_input_files(
            "input[name=photo]", {"name": "现场.png", "mimeType": "image/png", "buffer": PNG}
        )
        page.get_by_label("您的姓名").fill("王芳")
        page.get_by_label("手机号或电话号码").fill("13912345678")
        label = page.locator("label[for=id_answer]").inner_text()
        page.locator("#id_answer").fill(solve(label))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "citizen-report.png"), full_page=True)
        page.get_by_role("button", name="提交").click()

        page.get_by_role("heading", name="诉求已受理").wait_for()
        number = page.locator("[data-number]").inner_text()
        order = WorkOrder.objects.get(number=number)
        assert order.channel == "web" and order.request_type == "complaint"
        assert order.lat is not None and order.caller_phone == "13912345678"
        assert Attachment.objects.filter(order=order).count() == 1

        page.get_by_role("link", name="查询这件诉求").click()
        assert page.get_by_label("工单编号").input_value() == number
        page.get_by_label("提交时填写的电话号码").fill("13912345678")
        page.get_by_role("button", name="查询").click()
        page.get_by_text("您的诉求已受理。").wait_for()

        unit = Unit.objects.get(code="py-cgj")
        order = service.transition(
            order, "dispatch", User.objects.get(username="dispatcher1"), lead_unit=unit.code
        )
        handler = User.objects.filter(unit=unit, username__startswith="handler_").first()
        order = service.transition(order, "accept", handler)
        order = service.transition(order, "reply", handler, note="已责令该工地夜间停工。")
        service.transition(order, "approve_reply", User.objects.get(username="reviewer1"))

        page.reload()
        page.get_by_text("已责令该工地夜间停工").wait_for()
        page.get_by_label("已解决").check()
        page.get_by_label("满意", exact=True).check()
        page.get_by_label("其他意见").fill("处理及时，谢谢。")
        page.get_by_role("button", name="提交评价").click()
        page.get_by_text("您的评价：已解决，满意").wait_for()
        page.screenshot(path=str(ARTIFACTS / "citizen-follow.png"), full_page=True)
        assert OrderEvent.objects.filter(order=order, action="rating").count() == 1
        assert outside == [], outside
        assert errors == [], errors
    finally:
        context.close()
