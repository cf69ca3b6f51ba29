"""Each role does its main job in a real browser, in Chinese, with no request leaving the
machine; and one order lives its whole life across the roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.orders import service
from hotline.orders.models import WorkOrder
from hotline.orgs.models import Area, Category, Unit, User

from .conftest import ARTIFACTS, assert_chinese_renders

pytestmark = pytest.mark.django_db(transaction=True)


def intake(**fields) -> WorkOrder:
    """An order registered by operator1, as the intake screen would."""
    values = dict(
        title="华龙区工地夜间施工噪音",
        content="中原路工地每晚十一点后仍在施工，影响休息。",
        request_type="complaint",
        category=Category.objects.get(name="建筑施工噪声"),
        area=Area.objects.get(name="华龙区"),
        caller_name="张三",
        caller_phone="13800138000",
    )
    values.update(fields)
    return service.register(service.Intake(**values), User.objects.get(username="operator1"))


def act(page, label: str, **fields) -> None:
    """Open the action ``label`` on the order panel, fill it and submit it."""
    summary = page.locator("summary").filter(has_text=re.compile(f"^{label}$"))
    details = page.locator("#panel details").filter(has=summary)
    summary = details.locator("summary")
    if details.get_attribute("open") is None:
        summary.click()
    for name, value in fields.items():
        field = details.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    details.locator("button[type=submit]").click()
    page.locator("#panel .message").wait_for()


def open_order(page, number: str) -> None:
    page.locator(f"#queue a:text-is('{number}')").click()
    page.locator(f"#order-panel[data-number='{number}']").wait_for()


def test_operator_takes_a_call_and_submits_the_order(open_session):
    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    assert_chinese_renders(page)
    page.fill("#id_caller_phone", "13912345678")
    page.get_by_text("该号码首次来电").wait_for()
    page.fill("#id_caller_name", "王五")
    page.get_by_label("投诉").check()
    page.fill("#category-search", "噪声")
    page.locator("[data-pick-category]").first.click()
    page.fill("#id_title", "小区旁工地夜间施工噪音")
    page.fill("#id_content", "来电人反映：小区旁工地每晚施工到凌晨一点，影响休息，请有关部门处理。")
    page.select_option("#id_area", label="华龙区")
    page.fill("#id_address", "中原路 88 号")
    page.locator("[data-map][data-ready=true]").wait_for()
    page.locator("[data-map]").click(position={"x": 160, "y": 140})
    s.screenshot("operator-intake")
    page.keyboard.press("F9")
    page.get_by_text(re.compile(r"工单 \d{8}-\d{6} 已受理")).wait_for()
    order = WorkOrder.objects.get(caller_phone="13912345678")
    assert order.status == "registered" and order.category is not None
    assert order.area.name == "华龙区" and order.lat is not None
    assert page.input_value("#id_content") == ""  # a fresh form for the next call


def test_a_half_typed_order_survives_an_expired_session(open_session):
    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.get_by_label("咨询").check()
    page.fill("#id_title", "咨询公积金提取")
    page.fill("#id_content", "来电人咨询住房公积金提取需要哪些材料。")
    s.context.clear_cookies(name="sessionid")  # the session expires while the operator types
    page.get_by_role("button", name="提交工单").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "operator1")
    page.fill("#id_password", "hotline12345")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/intake/")
    assert page.input_value("#id_content") == "来电人咨询住房公积金提取需要哪些材料。"
    assert page.input_value("#id_title") == "咨询公积金提取"
    page.get_by_role("button", name="提交工单").click()
    page.get_by_text(re.compile("已受理")).wait_for()
    assert WorkOrder.objects.filter(title="咨询公积金提取").count() == 1


def test_double_submission_makes_one_order(open_session):
    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.get_by_label("求助").check()
    page.fill("#id_title", "独居老人求助")
    page.fill("#id_content", "老人行动不便，请社区上门。")
    page.get_by_role("button", name="提交工单").dblclick()
    page.get_by_text(re.compile("已受理|已提交过")).first.wait_for()
    assert WorkOrder.objects.filter(title="独居老人求助").count() == 1


def test_form_errors_are_shown_in_chinese_beside_the_field(open_session):
    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.fill("#id_content", "只填了内容")
    page.get_by_role("button", name="提交工单").click()
    page.locator("#id_title_error").wait_for()
    assert "必填" in page.inner_text("#id_title_error")
    assert page.input_value("#id_content") == "只填了内容"
    s.screenshot("operator-intake-errors")


def test_dispatcher_sees_new_orders_arrive_and_dispatches_on_recommendation(open_session):
    s = open_session("dispatcher1")
    s.goto("/console/dispatch/")
    page = s.page
    page.get_by_text("没有待办工单").wait_for()
    order = intake()  # a call is registered while the dispatcher watches
    page.locator(f"#queue a:text-is('{order.number}')").wait_for(timeout=15_000)
    open_order(page, order.number)
    page.get_by_text("推荐承办单位").wait_for()
    assert "权责清单第" in page.inner_text("#panel")
    s.screenshot("dispatcher-queue")
    page.keyboard.press("F9")
    page.locator("#panel .message").wait_for()
    order.refresh_from_db()
    assert order.status == "dispatched" and order.lead_unit is not None


def test_whole_life_of_an_order_across_roles(open_session, tmp_path):
    order = intake(title="中原路工地夜间施工噪音扰民")
    number = order.number

    dispatcher = open_session("dispatcher1")
    dispatcher.goto(f"/console/dispatch/?order={number}")
    dispatcher.page.locator("#order-panel").wait_for()
    act(dispatcher.page, "派单", lead_unit="py-cgj")

    handler = open_session("handler_py-cgj")
    handler.goto("/console/inbox/")
    open_order(handler.page, number)
    act(handler.page, "签收")
    handler.goto(f"/console/inbox/?order={number}")
    handler.page.locator("#order-panel").wait_for()
    handler.screenshot("handler-inbox")
    act(handler.page, "答复", note="经查，该工地已被责令夜间停工，并处罚款。")
    handler.goto(f"/console/orders/{number}/")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    handler.page.set_input_files("#attachment-file", str(photo))
    handler.page.get_by_role("button", name="上传").click()
    handler.page.get_by_role("link", name="现场照片.png").wait_for()

    reviewer = open_session("reviewer1")
    reviewer.goto("/console/review/")
    open_order(reviewer.page, number)
    reviewer.screenshot("reviewer-queue")
    act(reviewer.page, "审核通过")

    callback = open_session("callback1")
    callback.goto("/console/callback/")
    open_order(callback.page, number)
    callback.page.get_by_text("回访话术").wait_for()
    callback.screenshot("callback-queue")
    callback.page.keyboard.press("1")  # resolved, satisfied
    callback.page.locator("#panel .message").wait_for()
    callback.goto(f"/console/callback/?order={number}")
    callback.page.locator("#order-panel").wait_for()
    act(callback.page, "办结")

    order.refresh_from_db()
    assert order.status == "closed" and order.is_satisfied is True
    assert order.attachments.count() == 1
    page = callback.page
    callback.goto(f"/console/orders/{number}/")
    timeline = page.inner_text(".timeline")
    for step in ["受理", "派单", "签收", "答复", "审核通过", "回访", "办结"]:
        assert step in timeline
    page.locator("path.leaflet-interactive").first.wait_for()
    assert_chinese_renders(page)
    callback.screenshot("order-page")
    callback.goto(f"/console/orders/{number}/print")
    assert "经查，该工地已被责令夜间停工" in page.inner_text("body")
    callback.screenshot("order-print")
    pdf = page.pdf(format="A4")  # what "print to PDF" gives: the CJK font is embedded
    (ARTIFACTS / "order-print.pdf").write_bytes(pdf)
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+NotoSans(Mono)?CJK", pdf), "no CJK font in PDF"


def test_supervisor_urges_an_overdue_order(open_session):
    order = intake()
    past = timezone.now() - timedelta(days=40)
    order = service.transition(
        order, "dispatch", User.objects.get(username="dispatcher1"), lead_unit="py-cgj", now=past
    )
    service.sweep()
    s = open_session("supervisor1")
    s.goto("/console/supervise/")
    open_order(s.page, order.number)
    s.screenshot("supervisor-board")
    act(s.page, "催办", note="请今日内办理并答复")
    assert order.events.filter(action="urge", actor__username="supervisor1").exists()


def test_search_filters_and_exports_to_excel(open_session):
    for n in range(3):
        intake(title=f"停水问题 {n}", category=Category.objects.get(name="停水"))
    intake(title="噪音问题")
    s = open_session("dispatcher1")
    s.goto("/console/orders/")
    page = s.page
    page.fill("#id_q", "停水")
    page.get_by_role("button", name="查询", exact=True).click()
    page.get_by_text("找到 3 件工单").wait_for()
    s.screenshot("search-list")
    page.get_by_role("button", name="导出 Excel").click()
    page.get_by_role("link", name="下载 Excel 文件").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 文件").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_console_speaks_english_when_chosen(open_session):
    s = open_session("dispatcher1", locale="en-US")
    s.goto("/console/dispatch/")
    s.page.select_option("#language", "en")
    s.page.get_by_role("heading", name="Dispatch queue").wait_for()
    s.page.select_option("#language", "zh-hans")
    s.page.get_by_role("heading", name="派单队列").wait_for()


def test_handler_of_another_unit_sees_nothing_of_it(open_session):
    order = intake()
    service.transition(
        order,
        "dispatch",
        User.objects.get(username="dispatcher1"),
        lead_unit=Unit.objects.get(code="py-cgj").code,
    )
    other = next(
        u.username
        for u in User.objects.filter(username__startswith="handler_").exclude(unit__code="py-cgj")
    )
    s = open_session(other)
    s.goto("/console/inbox/")
    assert order.number not in s.page.inner_text("#queue")
    response = s.page.goto(f"{s.base_url}/console/orders/{order.number}/")
    assert response.status == 404


def test_administrator_opens_a_special_line_and_operators_can_take_its_calls(open_session):
    admin = open_session("admin")
    admin.goto("/console/settings/")
    admin.screenshot("admin-settings")
    admin.page.get_by_role("link", name="热线与专线").first.click()
    admin.page.get_by_role("link", name="新开专线").click()
    admin.page.fill("#id_name", "防汛专线")
    admin.page.fill("#id_code", "12345-8")
    admin.page.get_by_role("button", name="保存").click()
    admin.page.get_by_text(re.compile("专线“.*防汛专线”已开通")).wait_for()
    admin.screenshot("admin-hotlines")
    admin.goto("/console/settings/policies/")
    admin.page.get_by_role("button", name="显示期限").click()
    admin.page.get_by_text("依据").first.wait_for()
    admin.screenshot("admin-time-limits")

    operator = open_session("operator1")
    operator.goto("/console/intake/")
    options = operator.page.locator("#id_hotline option").all_inner_texts()
    assert any("防汛专线" in text for text in options)


def test_operator_drafts_the_order_from_the_transcript(open_session):
    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.fill(
        "#transcript",
        "市民来电反映：华龙区中原路街道某小区旁的工地每晚施工到凌晨，噪音扰民，家里煤气味很大。",
    )
    page.locator("[data-map][data-ready=true]").wait_for()
    page.keyboard.press("F7")
    page.locator("#draft-emergency").wait_for()
    assert "119" in page.inner_text("#draft-emergency")
    assert page.input_value("#id_area") == "410902001"
    assert page.input_value("#id_title").startswith("华龙区中原路街道")
    assert page.input_value("input[name=category]") != ""
    assert page.is_checked("input[name=urgency][value=critical]")
    assert page.input_value("input[name=lat]") != ""
    s.screenshot("operator-draft")


def test_a_drafted_call_is_checked_corrected_and_the_correction_is_kept(open_session):
    from hotline.intake.models import Correction
    from hotline.orders.models import WorkOrder

    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.fill("#id_caller_phone", "13912345678")
    page.fill(
        "#transcript",
        "坐席：您好，12345热线，请问有什么可以帮您？\n"
        "市民：我要投诉，华龙区中原路街道昆吾新村旁边的工地从上周开始每天晚上施工到凌晨，"
        "噪音太大了。\n坐席：您希望怎么处理？\n市民：希望有关部门赶紧管一管。",
    )
    page.keyboard.press("F7")
    panel = page.locator("#draft-panel")
    panel.wait_for()
    assert "投诉" in panel.locator("[data-slot=type]").inner_text()
    assert panel.locator("[data-slot=summary]").inner_text()
    assert panel.locator("[data-slot=units] li").count() >= 1
    assert page.is_checked("input[name=request_type][value=complaint]")
    s.screenshot("operator-draft-panel")
    page.select_option("#id_area", "410902002")  # the operator knows better: 胜利路街道
    page.keyboard.press("F9")
    page.get_by_text("转派单").first.wait_for()
    order = WorkOrder.objects.get(caller_phone="13912345678")
    corrections = {c.field: c for c in Correction.objects.filter(order=order)}
    assert not corrections["area"].is_accepted and corrections["area"].chosen == "410902002"
    assert corrections["request_type"].is_accepted


def test_an_emergency_is_transferred_from_the_draft_with_one_key(open_session):
    from hotline.orders.models import WorkOrder

    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.fill("#id_caller_phone", "13912340000")
    page.fill("#transcript", "快来人啊，华龙区中原路街道我家楼下着火了，浓烟很大，有人被困在里面")
    page.dispatch_event("#transcript", "paste")  # a pasted text drafts without F7
    page.locator("#draft-emergency").wait_for()
    assert page.input_value("#id_transfer_to") == "119"
    page.fill("#id_transfer_reference", "119-20261127-001")
    page.keyboard.press("F4")
    page.get_by_text("已移交").first.wait_for()
    order = WorkOrder.objects.get(caller_phone="13912340000")
    assert order.status == "transferred" and order.transfer_reference == "119-20261127-001"
