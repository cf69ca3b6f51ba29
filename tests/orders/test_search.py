"""Full-text search of orders: Chinese by character pairs, on SQLite and PostgreSQL alike."""

import pytest

from hotline.orders import service
from hotline.orders.search import terms
from hotline.orders.selectors import OrderQuery, search_orders
from tests.factories import order_in, register

pytestmark = pytest.mark.django_db


def found(city, words: str) -> set[str]:
    return set(search_orders(city.dispatcher, OrderQuery(q=words)).values_list("title", flat=True))


def test_terms_are_chinese_pairs_and_runs_of_letters_or_digits():
    assert terms("路灯不亮") == ["路灯", "灯不", "不亮"]
    assert terms("水") == ["水"]
    assert terms("ＡＢＣ 12号楼, WiFi") == ["abc", "12", "号楼", "wifi"]
    assert terms("20261127-000001") == ["20261127", "000001"]


@pytest.mark.parametrize("word", ["噪声", "夜间施工", "abc", "12"])
def test_words_of_two_or_more_characters_use_the_full_text_index(city, word):
    sql = str(search_orders(city.dispatcher, OrderQuery(q=word)).query)
    assert "orders_ordersearch_fts" in sql or "to_tsquery" in sql


def test_a_word_is_found_in_the_title_content_or_address(city):
    register(city, title="路灯不亮", content="小区门口路灯坏了一周")
    register(city, title="停水", content="整栋楼没有水", address="中原路 12 号")
    register(city, title="噪音", content="工地夜间施工")
    assert found(city, "路灯") == {"路灯不亮"}
    assert found(city, "中原路") == {"停水"}
    assert found(city, "夜间施工") == {"噪音"}


def test_every_word_must_match_and_as_a_phrase(city):
    register(city, title="路灯不亮", content="小区门口路灯坏了")
    register(city, title="灯光扰民", content="广告路牌灯光太亮")
    assert found(city, "路灯 小区") == {"路灯不亮"}
    assert found(city, "灯路") == set()  # the pairs exist, but not in this order
    assert found(city, "路灯 不存在的词") == set()


def test_the_reply_is_searchable_once_given(city):
    order = order_in(city, "accepted", title="工地噪音")
    assert found(city, "罚款") == set()
    service.transition(order, "reply", city.handler_cgj, note="已对该工地处以罚款")
    assert found(city, "罚款") == {"工地噪音"}


def test_a_single_character_and_an_order_number_are_found(city):
    order = register(city, title="停水", content="整栋楼没有水")
    register(city, title="路灯", content="坏了")
    assert found(city, "水") == {"停水"}
    assert found(city, order.number) == {"停水"}


def test_search_respects_what_the_user_may_see(city):
    order = order_in(city, "dispatched", title="城管的工单")
    other = register(city, title="住建的工单")
    service.transition(other, "dispatch", city.dispatcher, lead_unit="zjj")
    visible = search_orders(city.handler_cgj, OrderQuery(q="工单")).values_list("pk", flat=True)
    assert list(visible) == [order.pk]


def test_generated_orders_are_searchable(city):
    from hotline.demo.generate import generate
    from hotline.orders.models import OrderSearch, WorkOrder

    generate(20, days=10, seed=3)
    assert OrderSearch.objects.count() == WorkOrder.objects.count()
    some = WorkOrder.objects.exclude(title="").first()
    word = terms(some.title)[0]
    assert some.pk in search_orders(city.dispatcher, OrderQuery(q=word)).values_list(
        "pk", flat=True
    )
