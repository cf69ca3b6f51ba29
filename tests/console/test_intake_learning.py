"""Intake remembers: the operator's corrections of the draft, nuisance calls per number,
emergency transfers, and requests out of scope that are answered instead of dispatched."""

import pytest

from hotline.intake.models import Correction, NuisanceCall
from hotline.orders.models import WorkOrder
from tests.console.test_intake import URL, form

pytestmark = pytest.mark.django_db


def test_what_the_operator_changed_of_the_draft_is_recorded(client, city):
    client.force_login(city.operator)
    client.post(
        URL,
        form(
            city,
            draft_request_type="complaint",
            draft_category=city.water.code,
            draft_area=city.street.code,
        ),
    )
    order = WorkOrder.objects.get()
    rows = {row.field: row for row in Correction.objects.filter(order=order)}
    assert rows["category"].suggested == city.water.code
    assert rows["category"].chosen == city.noise.code and not rows["category"].is_accepted
    assert rows["request_type"].is_accepted and rows["area"].is_accepted
    assert rows["category"].stage == "intake" and rows["category"].by == city.operator


def test_a_form_without_a_draft_records_no_correction(client, city):
    client.force_login(city.operator)
    client.post(URL, form(city))
    assert WorkOrder.objects.count() == 1 and not Correction.objects.exists()


def test_an_emergency_is_transferred_and_recorded_with_the_reference(client, city):
    client.force_login(city.operator)
    client.post(
        URL,
        form(city, decision="transfer", transfer_to="119", transfer_reference="F-2026-118"),
    )
    order = WorkOrder.objects.get()
    assert order.status == "transferred" and order.transferred_to == "119"
    assert order.transfer_reference == "F-2026-118"
    assert order.events.filter(action="transfer_emergency").exists()


def test_a_transfer_needs_the_emergency_service(client, city):
    client.force_login(city.operator)
    response = client.post(URL, form(city, decision="transfer"))
    assert not WorkOrder.objects.exists()
    assert 'id="id_transfer_to_error"' in response.content.decode()


def test_out_of_scope_is_answered_directly_not_dispatched(client, city):
    client.force_login(city.operator)
    refused = client.post(URL, form(city, request_type="out_of_scope"))
    assert not WorkOrder.objects.exists()
    assert 'class="radios has-error"' in refused.content.decode()
    client.post(
        URL,
        form(
            city,
            request_type="out_of_scope",
            decision="resolve",
            answer="该事项已进入诉讼程序，请通过法院解决。",
        ),
    )
    order = WorkOrder.objects.get()
    assert order.status == "closed" and order.closure == "direct"


def test_nuisance_calls_are_counted_per_number_and_shown_when_it_calls_again(client, city):
    client.force_login(city.operator)
    for kind in ("silent", "silent", "abusive"):
        panel = client.post(
            "/console/intake/nuisance", {"caller_phone": "13700000000", "kind": kind}
        )
        assert panel.status_code == 200
    assert NuisanceCall.objects.filter(phone="13700000000").count() == 3
    page = client.get("/console/intake/caller", {"caller_phone": "13700000000"}).content.decode()
    assert 'id="nuisance-alert"' in page and "2" in page
    other = client.get("/console/intake/caller", {"caller_phone": "13711111111"}).content.decode()
    assert 'id="nuisance-alert"' not in other


def test_a_nuisance_call_without_a_number_is_refused_in_words(client, city):
    client.force_login(city.operator)
    page = client.post("/console/intake/nuisance", {"caller_phone": "", "kind": "silent"})
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    assert not NuisanceCall.objects.exists()


def test_the_dispatchers_choice_against_the_recommendation_is_recorded(client, city):
    from tests.factories import register

    order = register(city)  # the rule recommends 城管局 for noise in 华龙区
    client.force_login(city.dispatcher)
    client.post(
        f"/console/orders/{order.number}/act/dispatch",
        {"expected_version": order.version, "lead_unit": city.zjj.code},
    )
    row = Correction.objects.get(order=order)
    assert (row.field, row.stage, row.suggested, row.chosen) == (
        "lead_unit",
        "dispatch",
        city.cgj.code,
        city.zjj.code,
    )
    assert not row.is_accepted
