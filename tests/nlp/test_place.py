"""Where a caller's words put the order: 濮阳市's own areas first, the rest of China after."""

import dataclasses
import functools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.place import Area, Division, Gazetteer, LocalPlace, Place, PlaceFinder

AREAS = Path(__file__).resolve().parents[2] / "hotline" / "demo" / "data" / "areas.json"
PUYANG = "410900"
PLACES = [
    {"name": "中原路", "kind": "road", "area_code": "410902", "lat": 35.771, "lng": 115.05},
    {"name": "胜利路", "kind": "road", "area_code": "410902", "lat": 35.76, "lng": 115.06},
    {"name": "人民路", "kind": "road", "area_code": "410902004", "lat": 35.763, "lng": 115.013},
    {"name": "建业壹号城邦", "kind": "compound", "area_code": "410902001001",
     "lat": 35.785, "lng": 115.053},
    {"name": "濮阳市人民医院", "kind": "landmark", "area_code": "410902003",
     "lat": 35.760, "lng": 115.030},
]  # fmt: skip


@functools.cache
def puyang() -> PlaceFinder:
    """The demo city's areas as the Django side would pass them, and a few named places."""
    areas = json.loads(AREAS.read_text(encoding="utf-8"))
    return PlaceFinder(Gazetteer.from_records(areas, PLACES), PUYANG)


def find(text: str) -> Place:
    return puyang().find(text)


def names(place: Place) -> tuple:
    levels = (place.province, place.city, place.district, place.street, place.community)
    return tuple(division.name if division else None for division in levels)


def test_district_street_and_community_of_the_home_city():
    place = find("我住在华龙区中原路街道中原社区3号楼2单元，楼上漏水好几天了")

    assert names(place) == ("河南省", "濮阳市", "华龙区", "中原路街道", "中原社区")
    assert place.area_code == "410902001001"
    assert (place.lat, place.lng) == (35.784, 115.052)  # the community's, the most specific
    assert place.address == "华龙区中原路街道中原社区3号楼2单元"
    assert place.evidence == ("华龙区", "中原路街道", "中原社区")
    assert not place.is_outside_home
    assert place.confidence >= 0.9


def test_county_town_and_community():
    place = find("濮阳县城关镇东关社区门口的下水道堵了")

    assert names(place)[2:] == ("濮阳县", "城关镇", "东关社区")
    assert place.area_code == "410928100001"
    assert place.address == "濮阳县城关镇东关社区门口"


def test_county_town_and_village():
    place = find("清丰县马庄桥镇马庄桥村有人烧秸秆，烟很大")

    assert names(place)[2:] == ("清丰县", "马庄桥镇", "马庄桥村")
    assert place.area_code == "410922101201"


def test_road_intersection_gives_the_phrase_and_the_roads_district():
    place = find("中原路与胜利路交叉口向南200米有个井盖没了")

    assert place.address == "中原路与胜利路交叉口向南200米"
    assert place.district == Division("410902", "华龙区")
    assert place.area_code == "410902"
    assert (place.lat, place.lng) == (35.771, 115.05)  # the first road named
    assert place.evidence == ("中原路", "胜利路")


def test_the_address_phrase_starts_after_the_operators_lead_in():
    place = find("来电人称人民路东段路灯不亮")

    assert place.address == "人民路东段"
    assert place.street == Division("410902004", "人民路街道")  # the road's area


def test_the_address_phrase_keeps_the_room_number_and_a_crossing_after_a_community():
    assert find("地址是开发区皇甫街道濮水河社区12号楼1单元301，楼道灯坏了").address == (
        "开发区皇甫街道濮水河社区12号楼1单元301"
    )
    assert find("中原社区路口有垃圾").address == "中原社区路口"


def test_an_address_of_unknown_names_is_still_the_address():
    place = find("我住在建业小区3号楼，暖气不热")

    assert place == Place(address="建业小区3号楼")


def test_a_compound_gives_its_community():
    place = find("建业壹号城邦小区5号楼电梯坏了")

    assert names(place)[2:] == ("华龙区", "中原路街道", "中原社区")
    assert place.address == "建业壹号城邦小区5号楼"
    assert (place.lat, place.lng) == (35.785, 115.053)


def test_a_landmark_without_the_city_name_in_front():
    assert find("人民医院门口乱停车").street == Division("410902003", "建设路街道")


def test_district_without_its_suffix():
    assert find("华龙那边停水了").district == Division("410902", "华龙区")


def test_puyang_alone_is_the_city_and_puyang_county_is_the_county():
    city = find("我是濮阳的")
    county = find("我是濮阳县的")

    assert (city.city.name, city.district) == ("濮阳市", None)
    assert city.area_code == PUYANG
    assert county.district == Division("410928", "濮阳县")


def test_town_without_its_suffix_counts_when_its_county_is_named():
    assert find("濮阳县柳屯那边").street == Division("410928101", "柳屯镇")
    assert find("柳屯那边").street is None


def test_village_without_its_suffix_counts_when_its_town_is_named():
    place = find("濮阳县庆祖镇西辛庄修路")

    assert place.community == Division("410928103201", "西辛庄村")


def test_street_office_named_after_a_road_needs_its_suffix():
    place = find("中原路上的路灯不亮")

    assert place.street is None  # the road, not 中原路街道
    assert place.district == Division("410902", "华龙区")


def test_two_character_community_names_do_not_stand_alone():
    place = find("华龙区文化宫门口")  # 文化社区 is not 文化宫

    assert place.community is None
    assert place.district == Division("410902", "华龙区")


def test_zones_by_their_short_names():
    assert find("经开区王助镇王助村").community == Division("410972100201", "王助村")
    assert find("示范区开州街道").district == Division("410973", "濮阳市城乡一体化示范区")


def test_a_town_name_of_five_counties_stays_at_the_city():
    place = find("城关镇的路灯坏了")

    assert (place.city.name, place.district, place.street) == ("濮阳市", None, None)
    assert place.area_code == PUYANG
    assert not place.is_outside_home
    assert place.confidence < find("濮阳县城关镇的路灯坏了").confidence


def test_a_road_name_found_everywhere_is_the_home_citys_road():
    place = find("人民路上有个大坑")

    assert not place.is_outside_home
    assert place.area_code == "410902004"


def test_the_home_city_wins_a_tie_with_another_city():
    place = find("我在郑州上班，家在濮阳")

    assert place.city == Division(PUYANG, "濮阳市")
    assert not place.is_outside_home


def test_a_district_name_of_two_provinces_is_the_home_citys_unless_told_otherwise():
    shijiazhuang = PlaceFinder(
        Gazetteer(
            areas=(
                Area("130100", "石家庄市", "city"),
                Area("130102", "长安区", "district", "130100", lat=38.05, lng=114.54),
            )
        ),
        "130100",
    )

    at_home = shijiazhuang.find("长安区建北街道有人占道经营")
    in_xian = shijiazhuang.find("我在陕西省西安市长安区")

    assert (at_home.district.code, at_home.is_outside_home) == ("130102", False)
    assert at_home.lat == 38.05
    assert (in_xian.district.code, in_xian.is_outside_home) == ("610116", True)


def test_an_explicit_other_province_wins():
    place = find("我老家是河北省石家庄市长安区建北街道的，想问社保转移")

    assert place.is_outside_home
    assert [d.code for d in (place.province, place.city, place.district, place.street)] == [
        "130000",
        "130100",
        "130102",
        "130102001",
    ]
    assert place.community is None
    assert (place.area_code, place.lat, place.lng) == (None, None, None)
    assert place.address == "河北省石家庄市长安区建北街道"


def test_another_city_of_the_home_province_is_outside():
    place = find("河南省郑州市金水区")

    assert names(place)[:3] == ("河南省", "郑州市", "金水区")
    assert place.is_outside_home


def test_a_municipality_is_its_own_city():
    place = find("北京市朝阳区")

    assert (place.province, place.city) == (Division("110000", "北京市"),) * 2
    assert place.district == Division("110105", "朝阳区")


def test_a_district_name_of_two_other_cities_is_outside_but_undetermined():
    place = find("朝阳区")  # 北京 and 长春 both have one

    assert place.is_outside_home
    assert place.district is None
    assert place.evidence == ("朝阳区",)


def test_a_short_name_of_a_province_and_a_prefecture_is_the_province():
    assert find("去海南旅游").province == Division("460000", "海南省")  # not 青海's 海南州


def test_the_home_province_alone_is_not_outside():
    place = find("河南省")

    assert (place.province.code, place.city, place.area_code) == ("410000", None, None)
    assert not place.is_outside_home


@pytest.mark.parametrize(
    "text",
    [
        "我家在北京路附近",  # a road named after a city
        "我和县里的人说了",  # 和县 is a county of 安徽
        "开封了一瓶酒就坏了",  # 开封 is a city of 河南
        "城区的路灯不亮",  # 城区 is a district of 山西
    ],
)
def test_everyday_words_are_not_places_elsewhere(text):
    place = find(text)

    assert not place.is_outside_home
    assert place.province is None


@pytest.mark.parametrize(
    "text", ["", "   ", None, 12345, "Hello, I live at 5 Main Street, Springfield.", "😀😀"]
)
def test_bad_input_gives_an_empty_place(text):
    place = find(text)

    assert place == Place(address=place.address)
    assert place.confidence == 0.0


def test_twenty_thousand_characters():
    filler = "喂你好我想反映一个问题，" * 1700
    place = find(filler + "我住在清丰县城关镇北关村")

    assert len(filler) > 20_000
    assert place.community == Division("410922100201", "北关村")
    assert find(filler) == Place()


@given(st.text(max_size=300))
def test_find_never_raises_and_its_evidence_is_in_the_text(text):
    place = find(text)

    assert 0.0 <= place.confidence <= 1.0
    assert all(found in text for found in place.evidence)
    assert place.address is None or place.address.replace(" ", "")


@given(
    st.text(
        alphabet="濮阳县市华龙区中原路街道城关镇社区村河北省石家庄长安朝与和0123号楼", max_size=60
    )
)
def test_find_never_raises_on_place_like_text(text):
    assert isinstance(find(text), Place)


def test_gazetteer_reads_the_rows_of_areas_json():
    gazetteer = Gazetteer.from_records(
        [{"code": 410902, "name": "华龙区", "level": "district", "parent": "410900"}],
        [{"name": "中原路", "kind": "road", "area": "410902", "lat": 35.7, "lng": 115.0}],
    )

    assert gazetteer.areas == (Area("410902", "华龙区", "district", "410900"),)
    assert gazetteer.places == (LocalPlace("中原路", "410902", 35.7, 115.0, "road"),)


def test_an_empty_gazetteer_falls_back_to_the_national_list():
    place = PlaceFinder(Gazetteer(), PUYANG).find("华龙区中原路街道")

    assert place.street == Division("410902001", "中原路街道")
    assert not place.is_outside_home
    assert place.area_code is None  # no area of the city's own list to file the order under


def test_explicit_aliases_of_the_city_list():
    gazetteer = Gazetteer(
        areas=(
            Area("410900", "濮阳市", "city"),
            Area("410902", "华龙区", "district", "410900", aliases=("老城区",)),
        )
    )

    assert PlaceFinder(gazetteer, PUYANG).find("老城区停电").district.code == "410902"


def test_an_unknown_home_city_is_refused():
    with pytest.raises(ValueError, match="999900"):
        PlaceFinder(Gazetteer(), "999900")


def test_place_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        find("华龙区").district = None
