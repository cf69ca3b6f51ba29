"""The JSON API contract: a whole life through HTTP, and structured errors, never a 500."""

import json

import pytest
from django.test import Client

from hotline.orders.models import WorkOrder
from hotline.orgs.models import ApiToken
from tests.factories import order_in

pytestmark = pytest.mark.django_db


class Api:
    """A client that speaks as one user with a bearer token."""

    def __init__(self, user, language="zh-hans"):
        _token, key = ApiToken.issue(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params)

    def post(self, path, body=None):
        return self.client.post(
            f"/api{path}", json.dumps(body or {}), content_type="application/json"
        )


def new_order_body(**fields):
    body = {
        "title": "小区门口路灯不亮",
        "content": "中原路街道某小区门口路灯坏了一周",
        "request_type": "help",
        "category": "0101",
        "area": "410902001",
        "caller_name": "李四",
        "caller_phone": "13912345678",
        "channel": "phone",
    }
    body.update(fields)
    return body


def test_an_order_walks_its_whole_life_through_the_api(city):
    operator, dispatcher, handler = Api(city.operator), Api(city.dispatcher), Api(city.handler_cgj)
    reviewer, callback = Api(city.reviewer), Api(city.callback)
    created = operator.post("/orders", new_order_body())
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    steps = [
        (dispatcher, "dispatch", {"lead_unit": "cgj", "co_units": ["zjj"]}),
        (handler, "accept", {}),
        (handler, "request_extension", {"days": 2, "note": "需采购灯具"}),
        (dispatcher, "approve_extension", {}),
        (handler, "reply", {"note": "已更换路灯"}),
        (reviewer, "approve_reply", {}),
        (callback, "callback", {"is_resolved": True, "is_satisfied": True}),
        (callback, "close", {}),
    ]
    for api, action, body in steps:
        response = api.post(f"/orders/{number}/actions/{action}", body)
        assert response.status_code == 200, (action, response.content)
    order = operator.get(f"/orders/{number}").json()
    assert order["status"] == "closed" and order["extension_days"] == 2
    history = operator.get(f"/orders/{number}/history").json()
    assert [e["action"] for e in history] == ["register"] + [s[1] for s in steps]
    assert history[1]["actor"] == "dispatcher" and history[2]["actor_unit"] == "cgj"


def test_errors_are_structured_in_chinese_and_english(city):
    order = order_in(city, "registered")
    response = Api(city.handler_cgj).post(f"/orders/{order.number}/actions/accept")
    assert response.status_code in (404, 409)
    response = Api(city.dispatcher).post(f"/orders/{order.number}/actions/accept")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "已受理" in error["message_zh"] and "签收" in error["message_zh"]
    assert "Registered" in error["message_en"]
    assert error["message"] == error["message_zh"]


def test_english_is_the_second_language(city):
    order = order_in(city, "registered")
    response = Api(city.dispatcher, language="en").post(f"/orders/{order.number}/actions/accept")
    assert response.json()["error"]["message"] == response.json()["error"]["message_en"]


def test_missing_fields_get_a_422_with_the_fields_named(city):
    response = Api(city.operator).post("/orders", {"title": "x"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert {f["field"] for f in error["fields"]} >= {"content", "request_type"}


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"area": "999999"}, "unknown_area"),
        ({"category": "zz"}, "unknown_category"),
        ({"request_type": "gossip"}, "invalid_request_type"),
        ({"urgency": "yesterday"}, "invalid_urgency"),
        ({"lat": 95.0, "lng": 115.0}, "invalid_coordinates"),
        ({"lat": 35.7}, "invalid_coordinates"),
        ({"title": "   "}, "missing_field"),
        ({"hotline": "99999"}, "unknown_hotline"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_written(city, fields, code):
    response = Api(city.operator).post("/orders", new_order_body(**fields))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert WorkOrder.objects.count() == 0


def test_not_json_is_refused_cleanly(city):
    api = Api(city.operator)
    response = api.client.post("/api/orders", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "error" in response.json()


def test_unknown_action_and_order_are_clear_errors(city):
    api = Api(city.dispatcher)
    order = order_in(city, "registered")
    assert api.post(f"/orders/{order.number}/actions/teleport").status_code == 422
    missing = api.get("/orders/20990101-000001")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "order_not_found"


def test_stale_expected_version_gets_a_conflict(city):
    order = order_in(city, "registered")
    api = Api(city.dispatcher)
    response = api.post(
        f"/orders/{order.number}/actions/dispatch",
        {"lead_unit": "cgj", "expected_version": order.version + 5},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "concurrent_change"


def test_without_credentials_the_api_says_log_in(db):
    response = Client().get("/api/orders")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_endpoint_issues_a_working_token(city):
    response = Client().post(
        "/api/auth/token",
        json.dumps({"username": "dispatcher", "password": "pw-for-tests"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    key = response.json()["token"]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").json()
    assert me["roles"] == ["dispatcher"]
    wrong = Client().post(
        "/api/auth/token",
        json.dumps({"username": "dispatcher", "password": "nope"}),
        content_type="application/json",
    )
    assert wrong.status_code == 401


def test_revoked_tokens_stop_working(city):
    token, key = ApiToken.issue(city.dispatcher, "t")
    token.revoked_at = token.created_at
    token.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").status_code == 401


def test_openapi_schema_and_docs_are_served(db):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/orders/{number}/actions/{action}" in schema.json()["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_lifecycle_table_is_published(db):
    rows = Client().get("/api/lifecycle").json()
    dispatch = next(r for r in rows if r["action"] == "dispatch")
    assert dispatch["sources"] == ["registered"] and dispatch["target"] == "dispatched"


def test_list_filters_by_status_area_and_words(city):
    order_in(city, "dispatched")
    order_in(city, "registered", title="噪音扰民")
    api = Api(city.dispatcher)
    assert api.get("/orders", status="dispatched").json()["count"] == 1
    assert api.get("/orders", area="410902").json()["count"] == 2
    assert api.get("/orders", area="410922").json()["count"] == 0
    assert api.get("/orders", q="噪音").json()["count"] == 2


def test_deadline_preview_shows_both_clocks(city):
    response = Api(city.admin).get(
        "/deadlines/preview", request_type="consultation", start="2026-02-13T10:00:00+08:00"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["handle_due_at"].startswith("2026-02-24T23:59:59")
    assert body["warnings"] == []


def test_deadline_preview_warns_for_an_unknown_year(city):
    body = (
        Api(city.admin)
        .get("/deadlines/preview", request_type="complaint", start="2027-03-01T10:00:00+08:00")
        .json()
    )
    assert len(body["warnings"]) == 1 and "2027" in body["warnings"][0]


def test_calendar_lists_holidays_and_make_up_days(city):
    body = Api(city.admin).get("/deadlines/calendar/2026").json()
    assert "2026-02-14" in body["working_weekend_days"]
    assert "2026-10-01" in body["non_working_weekdays"] and body["is_known"]


def test_unknown_api_urls_and_methods_answer_in_json(db):
    missing = Client().get("/api/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = Client().delete("/api/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_password_guessing_is_throttled(city):
    client = Client()
    body = json.dumps({"username": "dispatcher", "password": "guess"})
    codes = [
        client.post("/api/auth/token", body, content_type="application/json").status_code
        for _ in range(25)
    ]
    assert codes[:20] == [401] * 20 and codes[-1] == 429
    error = client.post("/api/auth/token", body, content_type="application/json").json()["error"]
    assert error["code"] == "too_many_requests"


def test_area_filter_takes_whole_codes_only(city):
    order_in(city, "registered")
    api = Api(city.dispatcher)
    assert api.get("/orders", area="410902001").json()["count"] == 1
    partial = api.get("/orders", area="4109")
    assert partial.status_code == 400 and partial.json()["error"]["code"] == "unknown_area"


def test_responsibility_list_filters_by_category_subtree_and_area(city):
    api = Api(city.dispatcher)
    assert [r["number"] for r in api.get("/rules", category="01").json()] == [1]
    assert [r["number"] for r in api.get("/rules", area="410902001").json()] == [1]
    assert api.get("/rules", area="410922").json() == []
    assert api.get("/rules", category="zz").status_code == 400


def test_control_characters_are_refused_cleanly_on_every_database(city):
    api = Api(city.operator)
    listed = api.get("/areas", parent="41\x0009")
    assert listed.status_code in (200, 400)
    created = api.post("/orders", new_order_body(content="噪音\x00扰民"))
    assert created.status_code in (201, 400)
    if created.status_code == 400:
        assert created.json()["error"]["code"] == "invalid_value"
        assert WorkOrder.objects.count() == 0


def test_a_body_above_the_upload_limit_is_a_structured_413(db, settings):
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    user = get_user_model().objects.create_user("big", password="pw-for-tests")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/api/intake/draft", data='{"text": "' + "很" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
