"""The workbenches: who may open which, what each queue holds, actions from the panel."""

import pytest

from hotline.orders import service
from hotline.orders.models import WorkOrder
from tests.factories import order_in, register

pytestmark = pytest.mark.django_db

BENCHES = {
    "/console/dispatch/": "dispatcher",
    "/console/inbox/": "handler_cgj",
    "/console/review/": "reviewer",
    "/console/callback/": "callback",
    "/console/supervise/": "supervisor",
    "/console/intake/": "operator",
    "/console/settings/": "admin",
}


@pytest.mark.parametrize("url,persona", BENCHES.items())
def test_each_workbench_opens_for_its_role_only(client, city, url, persona):
    for user in city.all_users():
        client.force_login(user)
        status = client.get(url).status_code
        allowed = (
            user == getattr(city, persona)
            or (persona == "handler_cgj" and user == city.handler_zjj)
            or (persona == "operator" and user == city.dispatcher)
        )
        assert status == (200 if allowed else 403), (url, user.username, status)


def test_login_page_is_in_chinese_and_the_console_needs_a_login(client, city):
    response = client.get("/console/dispatch/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_home_opens_the_first_workbench_of_the_role(client, city):
    client.force_login(city.reviewer)
    assert client.get("/console/")["Location"] == "/console/review/"


def test_dispatch_queue_holds_new_and_returned_orders_most_urgent_first(client, city):
    normal = register(city, title="普通件")
    critical = register(city, title="特急件", urgency="critical")
    order_in(city, "dispatched", title="已派出")
    client.force_login(city.dispatcher)
    page = client.get("/console/dispatch/").content.decode()
    assert page.index(critical.number) < page.index(normal.number)
    assert "已派出" not in page


def test_panel_recommends_the_unit_of_the_responsibility_list_with_its_reason(client, city):
    order = register(city)
    client.force_login(city.dispatcher)
    page = client.get(f"/console/orders/{order.number}/panel?bench=dispatch").content.decode()
    assert "权责清单第 1 项" in page and "濮阳市城市管理局" in page
    assert "地点在华龙区" not in page or "中原路街道" in page


def test_dispatch_from_the_panel_in_one_post(client, city):
    order = register(city)
    client.force_login(city.dispatcher)
    response = client.post(
        f"/console/orders/{order.number}/act/dispatch",
        {"expected_version": order.version, "lead_unit": "cgj", "bench": "dispatch"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "queue-changed"
    order.refresh_from_db()
    assert order.status == "dispatched" and order.lead_unit == city.cgj


def test_a_stale_form_loses_to_the_first_dispatcher_with_a_clear_message(client, city):
    order = register(city)
    stale = order.version
    service.transition(order, "dispatch", city.dispatcher, lead_unit="zjj")
    client.force_login(city.dispatcher)
    response = client.post(
        f"/console/orders/{order.number}/act/redispatch",
        {"expected_version": stale, "lead_unit": "cgj", "bench": "dispatch"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        "别人刚刚修改了这张工单" in response.content.decode() or "刚刚" in response.content.decode()
    )
    order.refresh_from_db()
    assert order.lead_unit == city.zjj


def test_a_reason_is_asked_beside_the_field(client, city):
    order = order_in(city, "dispatched")
    client.force_login(city.handler_cgj)
    response = client.post(
        f"/console/orders/{order.number}/act/return_order",
        {"expected_version": order.version, "note": "", "bench": "inbox"},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="id_note_error"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_bulk_dispatch_sends_each_order_to_its_recommended_unit(client, city):
    orders = [register(city), register(city, title="又一件")]
    no_rule = register(city, category=city.water, title="停水")
    client.force_login(city.dispatcher)
    client.post(
        "/console/dispatch/bulk", {"numbers": [o.number for o in orders] + [no_rule.number]}
    )
    statuses = dict(WorkOrder.objects.values_list("number", "status"))
    assert all(statuses[o.number] == "dispatched" for o in orders)
    assert statuses[no_rule.number] == "registered"


def test_inbox_shows_only_the_units_orders_nearest_deadline_first(client, city):
    mine = order_in(city, "dispatched")
    other = order_in(city, "registered")
    service.transition(other, "dispatch", city.dispatcher, lead_unit="zjj")
    client.force_login(city.handler_cgj)
    page = client.get("/console/inbox/").content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(f"/console/orders/{other.number}/").status_code == 404


def test_handler_signs_for_and_replies_from_the_inbox(client, city):
    order = order_in(city, "dispatched")
    client.force_login(city.handler_cgj)
    url = f"/console/orders/{order.number}/act/"
    client.post(url + "accept", {"expected_version": order.version})
    order.refresh_from_db()
    client.post(url + "reply", {"expected_version": order.version, "note": "已处理完毕"})
    order.refresh_from_db()
    assert order.status == "replied" and order.reply == "已处理完毕"


def test_callback_outcome_in_one_key(client, city):
    order = order_in(city, "pending_callback")
    client.force_login(city.callback)
    client.post(
        f"/console/orders/{order.number}/act/callback",
        {"expected_version": order.version, "outcome": "yes-no", "bench": "callback"},
        HTTP_HX_REQUEST="true",
    )
    order.refresh_from_db()
    assert order.status == "called_back"
    assert order.is_resolved is True and order.is_satisfied is False


def test_supervision_board_lists_overdue_orders_and_extension_requests(client, city):
    from tests.factories import at

    late = order_in(city, "accepted", now=at("2026-03-02 09:00"))
    service.sweep(now=at("2026-04-30 09:00"))
    late.refresh_from_db()
    service.transition(late, "request_extension", city.handler_cgj, note="需协调", days=3)
    client.force_login(city.supervisor)
    page = client.get("/console/supervise/").content.decode()
    assert late.number in page and "需协调" in page


def test_order_page_shows_the_timeline_and_masks_for_co_units(client, city):
    order = order_in(city, "registered")
    service.transition(order, "dispatch", city.dispatcher, lead_unit="cgj", co_units=["zjj"])
    client.force_login(city.handler_zjj)
    page = client.get(f"/console/orders/{order.number}/").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    assert "派单" in page and "受理" in page
    client.force_login(city.handler_cgj)
    assert "13800138000" in client.get(f"/console/orders/{order.number}/").content.decode()


def test_print_view_has_the_whole_record(client, city):
    order = order_in(city, "closed")
    client.force_login(city.supervisor)
    page = client.get(f"/console/orders/{order.number}/print").content.decode()
    assert order.number in page and "已责令工地停止夜间施工" in page and "办结" in page


def test_attachment_upload_from_the_order_page(client, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = order_in(city, "accepted")
    client.force_login(city.handler_cgj)
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    client.post(f"/console/orders/{order.number}/attachments", {"file": photo})
    assert order.attachments.count() == 1
    bad = SimpleUploadedFile("x.exe", b"MZ" + b"0" * 100, "application/octet-stream")
    response = client.post(f"/console/orders/{order.number}/attachments", {"file": bad})
    assert response.status_code == 400 and order.attachments.count() == 1


def test_reply_with_attachments_is_one_step_and_a_bad_file_refuses_both(client, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = order_in(city, "accepted")
    client.force_login(city.handler_cgj)
    url = f"/console/orders/{order.number}/act/reply"
    bad = SimpleUploadedFile("x.exe", b"MZ" + b"0" * 10, "application/octet-stream")
    page = client.post(url, {"expected_version": order.version, "note": "已办", "files": [bad]})
    assert "不接受" in page.content.decode() or "exe" in page.content.decode()
    order.refresh_from_db()
    assert order.status == "accepted" and order.attachments.count() == 0
    photo = SimpleUploadedFile("整改后.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png")
    client.post(url, {"expected_version": order.version, "note": "已办", "files": [photo]})
    order.refresh_from_db()
    assert order.status == "replied" and order.attachments.get().name == "整改后.png"


def test_login_page_lists_the_demo_accounts_only_when_the_demo_runs(client, city, settings):
    assert "operator1" not in client.get("/accounts/login/").content.decode()
    settings.HOTLINE_DEMO_LOGINS = True
    page = client.get("/accounts/login/").content.decode()
    assert "operator1" in page and "hotline12345" in page


def test_a_live_refresh_of_the_queue_keeps_the_ticked_orders(client, city):
    ticked, other = register(city), register(city, title="另一件")
    client.force_login(city.dispatcher)
    page = client.get(
        "/console/dispatch/", {"numbers": [ticked.number]}, HTTP_HX_TARGET="queue"
    ).content.decode()
    assert f'value="{ticked.number}" checked' in page
    assert f'value="{other.number}" checked' not in page
