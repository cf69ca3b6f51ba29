"""Who may see and do what: a role × action matrix, unit scoping, masking, confidentiality."""

import pytest

from hotline.errors import Forbidden, HotlineError
from hotline.orders import service
from hotline.orders.lifecycle import TRANSITIONS
from hotline.orders.selectors import orders_visible_to
from tests.factories import order_in, register
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db

# For each action: the state it is tried from, its parameters, and the personas allowed.
MATRIX = {
    "resolve_directly": ("registered", {}, {"operator", "dispatcher"}),
    "dispatch": ("registered", {"lead_unit": "cgj"}, {"dispatcher"}),
    "accept": ("dispatched", {}, {"handler_cgj"}),
    "return_order": ("dispatched", {}, {"handler_cgj"}),
    "redispatch": ("dispatched", {"lead_unit": "zjj"}, {"dispatcher"}),
    "request_extension": ("accepted", {"days": 2}, {"handler_cgj"}),
    "reply": ("accepted", {}, {"handler_cgj"}),
    "approve_reply": ("replied", {}, {"reviewer"}),
    "send_back": ("replied", {}, {"reviewer"}),
    "callback": ("pending_callback", {"is_resolved": True, "is_satisfied": True}, {"callback"}),
    "callback_failed": ("pending_callback", {}, {"callback"}),
    "close": ("called_back", {}, {"callback", "reviewer", "supervisor"}),
    "reopen": ("closed", {}, {"callback", "supervisor"}),
    "merge": ("registered", {}, {"dispatcher"}),
    "relate": ("accepted", {}, {"operator", "dispatcher", "supervisor"}),
    "transfer_emergency": ("registered", {"service": "110"}, {"operator", "dispatcher"}),
    "urge": ("accepted", {}, {"supervisor"}),
    "supervise": ("accepted", {}, {"supervisor"}),
    "remind": ("accepted", {}, set()),
}
PERSONAS = [
    "operator",
    "dispatcher",
    "handler_cgj",
    "handler_zjj",
    "reviewer",
    "callback",
    "supervisor",
    "inspector",
    "analyst",
    "editor",
    "admin",
]


def test_matrix_covers_every_person_action_of_the_table():
    people_actions = set(TRANSITIONS) - {"approve_extension", "refuse_extension"}
    assert people_actions <= set(MATRIX)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_action_matrix(city, persona, action):
    state, params, allowed = MATRIX[action]
    order = order_in(city, state)
    if action == "merge":
        params = {"into": register(city).number}
    if action == "relate":
        params = {"other": register(city).number}
    actor = getattr(city, persona)
    if persona in allowed:
        service.transition(order, action, actor, note="理由", **params)
    else:
        with pytest.raises(Forbidden):
            service.transition(order, action, actor, note="理由", **params)


@pytest.mark.parametrize("persona", PERSONAS)
def test_extension_decisions_belong_to_dispatchers_and_supervisors(city, persona):
    order = order_in(city, "accepted")
    order = service.transition(order, "request_extension", city.handler_cgj, note="需协调", days=2)
    actor = getattr(city, persona)
    if persona in {"dispatcher", "supervisor"}:
        service.transition(order, "approve_extension", actor)
    else:
        with pytest.raises(HotlineError):
            service.transition(order, "approve_extension", actor)


def test_handler_cannot_see_other_units_orders(city):
    mine = order_in(city, "dispatched")
    assert list(orders_visible_to(city.handler_cgj)) == [mine]
    assert list(orders_visible_to(city.handler_zjj)) == []
    assert Api(city.handler_zjj).get(f"/orders/{mine.number}").status_code == 404
    assert Api(city.handler_zjj).get("/orders").json()["count"] == 0


def test_co_unit_sees_the_order_but_cannot_act_as_lead(city):
    order = register(city)
    order = service.transition(
        order, "dispatch", city.dispatcher, lead_unit="cgj", co_units=["zjj"]
    )
    assert order in orders_visible_to(city.handler_zjj)
    with pytest.raises(Forbidden) as refused:
        service.transition(order, "accept", city.handler_zjj)
    assert refused.value.code == "not_your_unit"


def test_handler_sees_nothing_not_yet_dispatched(city):
    register(city)
    assert not orders_visible_to(city.handler_cgj).exists()


def test_confidential_orders_are_hidden_outside_the_handling_chain(city):
    secret = order_in(city, "dispatched", is_confidential=True)
    for persona in ("analyst", "inspector", "editor", "handler_zjj"):
        assert secret not in orders_visible_to(getattr(city, persona)), persona
    for persona in ("dispatcher", "reviewer", "callback", "supervisor", "handler_cgj", "operator"):
        assert secret in orders_visible_to(getattr(city, persona)), persona


def test_confidential_orders_of_other_operators_are_hidden_from_an_operator(city):
    from tests.factories import make_user

    other = make_user("operator2", "operator")
    secret = order_in(city, "registered", is_confidential=True)
    assert secret not in orders_visible_to(other)


@pytest.mark.parametrize(
    "persona, clear",
    [
        ("operator", True),
        ("dispatcher", True),
        ("callback", True),
        ("supervisor", True),
        ("handler_cgj", True),
        ("reviewer", False),
        ("inspector", False),
        ("analyst", False),
        ("editor", False),
    ],
)
def test_contact_is_masked_for_roles_that_do_not_need_it(city, persona, clear):
    order = order_in(city, "dispatched")
    body = Api(getattr(city, persona)).get(f"/orders/{order.number}").json()
    if clear:
        assert (body["caller_phone"], body["caller_name"]) == ("13800138000", "张三")
    else:
        assert (body["caller_phone"], body["caller_name"]) == ("138****8000", "张*")


def test_lead_unit_does_not_see_who_called_on_a_confidential_order(city):
    order = order_in(city, "dispatched", is_confidential=True)
    body = Api(city.handler_cgj).get(f"/orders/{order.number}").json()
    assert body["caller_phone"] == "138****8000"


def test_allowed_actions_in_the_api_follow_role_and_unit(city):
    order = order_in(city, "dispatched")
    assert set(Api(city.handler_cgj).get(f"/orders/{order.number}").json()["allowed_actions"]) == {
        "accept",
        "return_order",
    }
    assert (
        "accept"
        not in Api(city.dispatcher).get(f"/orders/{order.number}").json()["allowed_actions"]
    )


def test_only_operators_and_dispatchers_register(city):
    response = Api(city.handler_cgj).post(
        "/orders", {"title": "t", "content": "c", "request_type": "help"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_action"


def test_roles_that_see_masked_numbers_cannot_search_by_number(city):
    order_in(city, "dispatched")
    assert Api(city.operator).get("/orders", caller_phone="13800138000").json()["count"] == 1
    refused = Api(city.analyst).get("/orders", caller_phone="13800138000")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden_filter"
