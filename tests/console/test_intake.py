"""The operator's intake screen: one order per form, errors beside fields, caller history."""

import pytest

from hotline.orders.models import WorkOrder
from tests.factories import register

pytestmark = pytest.mark.django_db

URL = "/console/intake/"


def form(c, **fields):
    data = {
        "token": "a" * 32,
        "caller_phone": "13900001111",
        "caller_name": "李四",
        "caller_kind": "person",
        "request_type": "complaint",
        "category": c.noise.code,
        "title": "夜间施工噪音",
        "content": "工地每晚施工到凌晨。",
        "area": c.street.code,
        "address": "中原路 12 号",
        "urgency": "normal",
        "decision": "submit",
    }
    data.update(fields)
    return data


def test_operator_registers_an_order_from_the_form(client, city):
    client.force_login(city.operator)
    response = client.post(URL, form(city), follow=True)
    order = WorkOrder.objects.get()
    assert order.status == "registered"
    assert order.category == city.noise and order.area == city.street
    assert order.created_by == city.operator
    assert order.number in response.content.decode()


def test_the_same_form_sent_twice_makes_one_order(client, city):
    client.force_login(city.operator)
    client.post(URL, form(city))
    response = client.post(URL, form(city), follow=True)
    assert WorkOrder.objects.count() == 1
    assert "已提交" in response.content.decode() or "already" in response.content.decode()


def test_errors_appear_beside_the_field_and_keep_what_was_typed(client, city):
    client.force_login(city.operator)
    response = client.post(URL, form(city, title="", content="我家楼下工地很吵"))
    page = response.content.decode()
    assert response.status_code == 200
    assert WorkOrder.objects.count() == 0
    assert 'id="id_title_error"' in page
    assert "我家楼下工地很吵" in page  # the content typed is still there
    assert "这个字段是必填项" in page  # in Chinese


def test_unknown_category_code_is_refused_beside_the_field(client, city):
    client.force_login(city.operator)
    response = client.post(URL, form(city, category="nope"))
    assert "id_category_error" in response.content.decode() or "nope" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_resolving_directly_needs_the_answer_and_closes_the_order(client, city):
    client.force_login(city.operator)
    response = client.post(URL, form(city, decision="resolve"))
    assert "id_answer_error" in response.content.decode()
    assert WorkOrder.objects.count() == 0
    client.post(URL, form(city, decision="resolve", answer="已告知施工许可时间规定"))
    order = WorkOrder.objects.get()
    assert order.status == "closed" and order.closure == "direct"


def test_caller_history_shows_earlier_orders_and_flags_a_repeat_caller(client, city):
    for _ in range(3):
        register(city, caller_phone="13700007777")
    client.force_login(city.operator)
    page = client.get("/console/intake/caller", {"caller_phone": "13700007777"}).content.decode()
    assert page.count("/console/orders/") == 3
    assert "重复来电" in page
    first = client.get("/console/intake/caller", {"caller_phone": "13100000000"})
    assert "首次来电" in first.content.decode()


def test_category_search_finds_by_name_with_the_path(client, city):
    client.force_login(city.operator)
    page = client.get("/console/intake/categories", {"category_search": "噪音"}).content.decode()
    assert 'data-pick-category="0101"' in page
    assert "城乡建设 › 噪音扰民" in page


def test_handlers_cannot_open_the_intake_screen(client, city):
    client.force_login(city.handler_cgj)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(city)).status_code == 403
    assert WorkOrder.objects.count() == 0


def test_earlier_answers_come_from_closed_orders_when_no_knowledge_answers(client, city):
    from tests.factories import order_in

    order_in(city, "closed")
    client.force_login(city.operator)
    page = client.get("/console/intake/knowledge", {"knowledge_q": "施工"}).content.decode()
    assert "已责令工地停止夜间施工" in page


def test_category_search_also_finds_the_words_callers_use_in_the_rules(client, city):
    from hotline.orgs.models import ResponsibilityRule

    ResponsibilityRule.objects.filter(number=1).update(keywords="噪音 施工 夜间")
    client.force_login(city.operator)
    page = client.get("/console/intake/categories", {"category_search": "夜间"}).content.decode()
    assert 'data-pick-category="0101"' in page
