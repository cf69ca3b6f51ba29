"""Areas and categories as trees; the organisation's reference lists through the API."""

import pytest

from hotline.orgs.models import Area, Category, in_subtree
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db


def test_paths_follow_the_tree(city):
    community = Area.objects.create(
        code="410902001001", name="建设路社区", level="community", parent=city.street
    )
    assert community.path == "410900/410902/410902001/410902001001"
    assert community.full_name() == "濮阳市华龙区中原路街道建设路社区"
    assert city.noise.level == 2 and city.noise.path == "01/0101"


def test_subtree_takes_the_node_and_its_descendants_only(city):
    Area.objects.create(code="4109021", name="not a child", level="district", parent=city.city)
    inside = set(
        Area.objects.filter(in_subtree("path", city.district)).values_list("code", flat=True)
    )
    assert inside == {"410902", "410902001"}
    assert set(
        Category.objects.filter(in_subtree("path", city.city_building)).values_list(
            "code", flat=True
        )
    ) == {"01", "0101"}


def test_reference_lists_through_the_api(city):
    api = Api(city.operator)
    assert [a["name"] for a in api.get("/areas", parent="410902").json()] == ["中原路街道"]
    assert {u["code"] for u in api.get("/units", kind="department").json()} == {"cgj", "zjj"}
    assert [u["code"] for u in api.get("/units", q="自来水").json()] == ["water"]
    assert [c["code"] for c in api.get("/categories", level=1).json()] == ["01", "02"]
    me = api.get("/me").json()
    assert me["roles"] == ["operator"] and me["unit"] is None
